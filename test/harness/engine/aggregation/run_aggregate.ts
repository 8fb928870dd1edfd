import type { Document } from 'bson';
import type { CommandContext } from '../../command_context.js';
import type { Collection } from '../collection.js';
import { CommandError } from '../../errors.js';
import { isNumeric, toNumber } from '../bson_order.js';
import { cursorReply, numberArg } from '../../commands/cursor_reply.js';
import { isObject, type Variables } from './expression_core.js';
import { assertVariableName, compileExpression, rootVariables } from './expression.js';
import { baseVariables, compilePipeline, rawResult, scanDocuments } from './pipeline.js';
import { AggregateCursor } from './aggregate_cursor.js';

/** Stages that read no collection and may run with `aggregate: 1`. */
const COLLECTIONLESS = new Set(['$documents', '$currentOp', '$listLocalSessions', '$changeStream', '$listSessions']);

/** The collection a namespace finally reads and the view pipelines in front of the user's, outermost view first. */
export interface ResolvedNamespace {
  /** The backing collection (undefined when it does not exist). */
  collection: Collection | undefined;
  /** Name of the backing collection. */
  name: string;
  /** View pipelines to run before the user's pipeline (empty for a collection). */
  viewPipeline: Document[];
  /** True when the namespace named is a view. */
  isView: boolean;
}

/** Resolves views (also views on views) down to their backing collection, as mongod's ViewCatalog does. */
export function resolveNamespace(ctx: Pick<CommandContext, 'server' | 'db'>, coll: string): ResolvedNamespace {
  let name = coll;
  let viewPipeline: Document[] = [];
  let isView = false;
  for (let depth = 0; ; depth++) {
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection || collection.options.viewOn === undefined) return { collection, name, viewPipeline, isView };
    if (depth >= 20) throw new CommandError('ViewDepthLimitExceeded', 'View depth too deep or view cycle detected. Maximum depth is 20');
    isView = true;
    viewPipeline = [...((collection.options.pipeline ?? []) as Document[]), ...viewPipeline];
    name = String(collection.options.viewOn);
  }
}

/** Evaluates a command's `let` (constant expressions, `$$NOW` allowed) into variable values. */
export function evaluateLet(ctx: CommandContext, spec: unknown): Variables {
  if (spec === undefined) return {};
  if (!isObject(spec)) throw new CommandError('TypeMismatch', "BSON field 'aggregate.let' is the wrong type, expected type 'object'");
  const values: Variables = {};
  const base = baseVariables(ctx);
  for (const [name, expr] of Object.entries(spec)) {
    assertVariableName(name);
    values[name] = compileExpression(expr, Object.keys(values))(rootVariables({}, { ...base, ...values }));
  }
  return values;
}

/**
 * Runs `pipeline` over a namespace (view pipelines first) and answers with a cursor reply of the results.
 * Shared by aggregate and by commands that mongod answers through aggregation on views (find, count, distinct).
 */
export function runPipelineOn(
  ctx: CommandContext,
  coll: string | undefined,
  pipeline: Document[],
  options: {
    batchSize: number;
    letValues?: Variables;
    ns: string;
    singleBatch?: boolean;
    /** Applied to each result (find's projection on a view, which keeps find's projection semantics). */
    transform?: (doc: Document) => Document;
  },
): Document {
  const resolved = coll === undefined ? undefined : resolveNamespace(ctx, coll);
  const stages = [...(resolved?.viewPipeline ?? []), ...pipeline];
  const letValues = options.letValues ?? {};
  const compiled = compilePipeline(stages, ctx, { variableNames: Object.keys(letValues), collection: resolved?.name });
  const input = resolved?.collection ? scanDocuments(resolved.collection) : [];
  const output = compiled(input, baseVariables(ctx, letValues));
  const transform = options.transform;
  const results = transform ? output.map((doc) => transform(doc)) : output.map(rawResult);
  const cursor = new AggregateCursor(options.ns, results);
  const batch = cursor.take(options.batchSize);
  if (options.singleBatch) batch.exhausted = true;
  return cursorReply(ctx, cursor, batch, 'firstBatch');
}

/**
 * The aggregate command for every pipeline not opening a change stream: options, views, `aggregate: 1`, the
 * pipeline itself, and a cursor over the results.
 */
export async function runAggregate(ctx: CommandContext, pipeline: Document[]): Promise<Document> {
  const { body } = ctx;
  if (body.explain !== undefined && body.explain !== false) {
    throw new CommandError('IllegalOperation', 'explain of aggregate is not supported by the embedded server');
  }
  if (!('cursor' in body)) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  if (!isObject(body.cursor)) {
    throw new CommandError('TypeMismatch', "BSON field 'cursor' is the wrong type, expected type 'object'");
  }
  const batchSize = numberArg(body.cursor.batchSize, 'batchSize', 101);
  if (batchSize < 0) throw new CommandError('BadValue', 'Cursor batchSize must not be negative', {}, 51024);
  const target = body.aggregate;
  const first = pipeline.length > 0 && isObject(pipeline[0]) ? Object.keys(pipeline[0])[0] : undefined;
  let coll: string | undefined;
  let ns: string;
  if (typeof target === 'string') {
    if (target === '') throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ctx.db}.'`);
    coll = target;
    ns = `${ctx.db}.${target}`;
    if (first && COLLECTIONLESS.has(first) && first !== '$changeStream') {
      throw new CommandError('InvalidNamespace', `${first} can only be run with {aggregate: 1}`);
    }
  } else if (isNumeric(target) && toNumber(target) === 1) {
    if (!first || !COLLECTIONLESS.has(first)) {
      throw new CommandError('InvalidNamespace', `{aggregate: 1} is not valid for '${first ?? 'an empty pipeline'}'; a collection is required.`);
    }
    ns = `${ctx.db}.$cmd.aggregate`;
  } else {
    throw new CommandError('FailedToParse', `Invalid value for 'aggregate': must be a string or the number 1`);
  }
  const letValues = evaluateLet(ctx, body.let);
  return runPipelineOn(ctx, coll, pipeline, { batchSize, letValues, ns });
}
