import { Int32, Long, serialize, type Document } from 'bson';
import type { CommandContext } from '../../command_context.js';
import type { Collection } from '../collection.js';
import type { StoredDocument } from '../stored_document.js';
import type { RawBson } from '../../bson/raw_bson.js';
import { CommandError } from '../../errors.js';
import { compileFilter } from '../query/filter.js';
import { compileSort } from '../query/sort.js';
import { collectionStats } from '../collection_stats.js';
import { listIndexSpecs } from '../indexes/index_catalog.js';
import { valuesEqual } from '../bson_order.js';
import { aggError, isObject, show, type Variables } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { assertVariableName, compileExpression, rootVariables } from './expression.js';
import { compileAddFields, compileProject, compileReplaceRoot, compileUnset, type Reshaper } from './reshape.js';
import { compileBucket, compileBucketAuto, compileCount, compileGroup, compileSortByCount, type StageFunction } from './stage_group.js';
import { asDouble, isNumber } from './numeric.js';

/** What stages need from the command: the server (other collections, stats), the database and the write path. */
export type PipelineContext = Pick<CommandContext, 'server' | 'db'> & Partial<Pick<CommandContext, 'writes' | 'op'>>;

/**
 * A compiled pipeline: documents in, documents out. `variables` are the run's `$$NOW`, `let` values, ... The input
 * is read lazily: not at all when the first stage makes its own documents ($collStats, $documents, ...), one
 * document at a time through a first `$match`, so that only the matching documents are held.
 */
export type CompiledPipeline = (docs: Iterable<Document>, variables?: Variables) => Document[];

/** Options of {@link compilePipeline}. */
export interface PipelineOptions {
  /** User variable names in scope (`let` of the command, of an enclosing $lookup). */
  variableNames?: string[];
  /** The collection the pipeline reads (for $collStats, $indexStats); undefined for `aggregate: 1`. */
  collection?: string;
  /** Where the pipeline runs, for stage placement rules. */
  within?: 'top' | 'facet' | 'lookup' | 'unionWith' | 'view' | 'changeStream';
}

/** Stages that must come first in a pipeline. */
const FIRST_ONLY = new Set(['$collStats', '$indexStats', '$documents', '$currentOp', '$listLocalSessions', '$changeStream', '$listSessions']);
/** Stages that must come last. */
const LAST_ONLY = new Set(['$out', '$merge']);
/** Stages not allowed inside $facet. */
const NOT_IN_FACET = new Set(['$collStats', '$indexStats', '$facet', '$out', '$merge', '$geoNear', '$documents', '$currentOp', '$changeStream', '$unionWith', '$lookup']);

/** The stages allowed after $changeStream (mongod's change stream whitelist). */
const CHANGE_STREAM_STAGES = new Set(['$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact']);

/** The variables every run starts with. */
export function baseVariables(ctx: PipelineContext | undefined, letValues: Variables = {}): Variables {
  return { NOW: new Date(), CLUSTER_TIME: ctx?.server.clock.current(), ...letValues };
}

function perDocument(reshape: Reshaper): StageFunction {
  return (docs, base) => docs.map((doc) => reshape(doc, rootVariables(doc, base)));
}

function stageName(stage: unknown): string {
  if (!isObject(stage)) throw new CommandError('TypeMismatch', 'Each element of the \'pipeline\' array must be an object');
  const keys = Object.keys(stage);
  if (keys.length !== 1) throw aggError(40323, 'A pipeline stage specification object must contain exactly one field.');
  return keys[0];
}

/**
 * Compiles a pipeline. Parse errors (unknown stages 40324, bad specifications, unknown expression operators) are
 * raised here, before any document is read, as mongod raises them at parse time.
 */
export function compilePipeline(stages: Document[], ctx?: PipelineContext, options: PipelineOptions = {}): CompiledPipeline {
  if (!Array.isArray(stages)) throw new CommandError('TypeMismatch', "'pipeline' option must be specified as an array");
  const names = stages.map(stageName);
  const within = options.within ?? 'top';
  names.forEach((name, i) => {
    if (within === 'changeStream' && !CHANGE_STREAM_STAGES.has(name)) {
      throw aggError(ERR_CHANGE_STREAM_STAGE, `${name} is not permitted in a $changeStream pipeline`);
    }
    if (FIRST_ONLY.has(name) && i > 0) throw aggError(40602, `${name} is only valid as the first stage in a pipeline`);
    if (LAST_ONLY.has(name) && i < names.length - 1) throw aggError(40601, `${name} can only be the final stage in the pipeline`);
    if (within === 'facet' && NOT_IN_FACET.has(name)) throw aggError(40600, `${name} is not allowed to be used within a $facet stage`);
    if ((within === 'lookup' || within === 'unionWith' || within === 'view') && LAST_ONLY.has(name)) {
      throw aggError(51047, `${name} is not allowed within a ${within === 'lookup' ? '$lookup' : within === 'unionWith' ? '$unionWith' : 'view'} pipeline`);
    }
  });
  const compiled = stages.map((stage, i) => compileStage(names[i], stage[names[i]], ctx, options));
  const ignoresInput = names.length > 0 && INPUT_FREE.has(names[0]);
  const leadingMatch = names[0] === '$match' ? (compiled[0] as MatchStage) : undefined;
  return (docs, variables) => {
    const base = variables ?? baseVariables(ctx);
    let current: Document[];
    let next = 0;
    if (ignoresInput) {
      current = [];
    } else if (Array.isArray(docs)) {
      current = docs;
    } else if (leadingMatch) {
      const predicate = leadingMatch.predicateFor(base);
      current = [];
      for (const doc of docs) if (predicate(doc)) current.push(doc);
      next = 1;
    } else {
      current = [...docs];
    }
    for (; next < compiled.length; next++) current = compiled[next](current, base);
    return current;
  };
}

/** First stages that make their own documents and never read their input. */
const INPUT_FREE = new Set(['$collStats', '$indexStats', '$documents', '$currentOp', '$listLocalSessions']);

/** A `$match` stage, which also gives its predicate so that a run can filter its input as it reads it. */
type MatchStage = StageFunction & { predicateFor(base: Variables): (doc: Document) => boolean };

/** Code of "stage not permitted in a change stream pipeline" (ErrorCodes::IllegalOperation in mongod 7.0). */
const ERR_CHANGE_STREAM_STAGE = 20;

function requireContext(ctx: PipelineContext | undefined, name: string): PipelineContext {
  if (!ctx) throw aggError(ERR_NO_CONTEXT, `${name} is not supported here`);
  return ctx;
}
const ERR_NO_CONTEXT = 40324;

function compileStage(name: string, spec: unknown, ctx: PipelineContext | undefined, options: PipelineOptions): StageFunction {
  const variables = options.variableNames ?? [];
  switch (name) {
    case '$match': return compileMatch(spec, variables);
    case '$project': return perDocument(compileProject(spec, variables));
    case '$addFields': case '$set': return perDocument(compileAddFields(spec, variables, name));
    case '$unset': return perDocument(compileUnset(spec));
    case '$replaceRoot': {
      if (!isObject(spec)) throw aggError(40229, `expected an object as specification for $replaceRoot stage, got ${typeName(spec)}`);
      for (const key of Object.keys(spec)) {
        if (key !== 'newRoot') throw aggError(40415, `BSON field '$replaceRoot.${key}' is an unknown field.`);
      }
      if (!('newRoot' in spec)) throw aggError(40414, "BSON field '$replaceRoot.newRoot' is missing but a required field");
      return perDocument(compileReplaceRoot(spec.newRoot, variables));
    }
    case '$replaceWith': return perDocument(compileReplaceRoot(spec, variables));
    case '$sort': return compileSortStage(spec);
    case '$limit': {
      if (!isNumber(spec)) throw aggError(15957, 'the limit must be specified as a number');
      const n = asDouble(spec);
      if (n <= 0) throw aggError(15958, 'the limit must be positive');
      return (docs) => docs.slice(0, n);
    }
    case '$skip': {
      if (!isNumber(spec)) throw aggError(15972, 'Argument to $skip must be a number');
      const n = asDouble(spec);
      if (n < 0) throw aggError(15956, 'Argument to $skip cannot be negative');
      return (docs) => docs.slice(n);
    }
    case '$group': return compileGroup(spec, variables);
    case '$count': return compileCount(spec);
    case '$sortByCount': return compileSortByCount(spec, variables);
    case '$bucket': return compileBucket(spec, variables);
    case '$bucketAuto': return compileBucketAuto(spec, variables);
    case '$sample': return compileSample(spec);
    case '$unwind': return compileUnwind(spec);
    case '$redact': return compileRedact(spec, variables);
    case '$facet': return compileFacet(spec, ctx, options);
    case '$lookup': return compileLookup(spec, requireContext(ctx, name), options);
    case '$unionWith': return compileUnionWith(spec, requireContext(ctx, name), options);
    case '$documents': {
      const expr = compileExpression(spec, variables);
      return (_docs, base) => {
        const v = expr(rootVariables({}, base));
        if (!Array.isArray(v) || v.some((d) => !isObject(d))) {
          throw aggError(5858203, `error during evaluation of $documents: an array of objects is required, found ${typeName(v)}`);
        }
        return v as Document[];
      };
    }
    case '$collStats': return compileCollStats(spec, requireContext(ctx, name), options);
    case '$indexStats': return compileIndexStats(requireContext(ctx, name), options);
    case '$currentOp': case '$listLocalSessions': return () => [];
    case '$out': return compileOut(spec, requireContext(ctx, name));
    case '$merge': return compileMerge(spec, requireContext(ctx, name));
    default:
      throw aggError(40324, `Unrecognized pipeline stage name: '${name}'`);
  }
}

function compileMatch(spec: unknown, variableNames: string[]): StageFunction {
  if (!isObject(spec)) throw aggError(15959, 'the match filter must be an expression in an object');
  const filter = spec;
  // Compiled once with placeholders so that a bad filter fails before any document is read.
  const fixed = compileFilter(filter, { variables: Object.fromEntries(variableNames.map((n) => [n, null])) });
  let lastBase: Variables | undefined;
  let lastPredicate = fixed;
  const usesVariables = JSON.stringify(filter).includes('$$');
  const predicateFor = (base: Variables) => {
    if (usesVariables && base !== lastBase) {
      lastBase = base;
      lastPredicate = compileFilter(filter, { variables: userVariables(base) });
    }
    return lastPredicate;
  };
  const stage: StageFunction = (docs, base) => {
    const predicate = predicateFor(base);
    return docs.filter((doc) => predicate(doc));
  };
  return Object.assign(stage, { predicateFor });
}

/** The variables a filter's $expr may read ($$NOW and friends are supplied by the expression evaluator too). */
function userVariables(base: Variables): Document {
  const out: Document = {};
  for (const key in base) if (key !== 'ROOT' && key !== 'CURRENT') out[key] = base[key];
  return out;
}

function compileSortStage(spec: unknown): StageFunction {
  if (!isObject(spec)) throw aggError(15973, 'the $sort key specification must be an object');
  if (Object.keys(spec).length === 0) throw aggError(15976, '$sort stage must have at least one sort key');
  for (const [key, dir] of Object.entries(spec)) {
    if (isObject(dir) && '$meta' in dir) continue;
    if (!isNumber(dir) || (asDouble(dir) !== 1 && asDouble(dir) !== -1)) {
      throw aggError(15975, `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    }
    if (key === '') throw aggError(40352, 'FieldPath cannot be constructed with empty string');
  }
  const compare = compileSort(spec);
  return (docs) => [...docs].sort(compare);
}

function compileSample(spec: unknown): StageFunction {
  if (!isObject(spec)) throw aggError(28745, 'the $sample stage specification must be an object');
  for (const key of Object.keys(spec)) {
    if (key !== 'size') throw aggError(28748, `unrecognized option to $sample: ${key}`);
  }
  if (!('size' in spec)) throw aggError(28749, '$sample stage must specify a size');
  if (!isNumber(spec.size)) throw aggError(28746, `size argument to $sample must be a number`);
  const size = asDouble(spec.size);
  if (size < 0) throw aggError(28747, 'size argument to $sample must not be negative');
  return (docs) => {
    const copy = [...docs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, size);
  };
}

/** Reads a dotted path without traversing arrays (Document::getNestedField). */
function getNested(doc: Document, path: string[]): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (!isObject(v)) return undefined;
    v = Object.prototype.hasOwnProperty.call(v, p) ? v[p] : undefined;
  }
  return v;
}

/** A copy of `doc` with the dotted path set (intermediate non-documents replaced), or removed when undefined. */
export function setNested(doc: Document, path: string[], value: unknown): Document {
  const out: Document = { ...doc };
  if (path.length === 1) {
    if (value === undefined) delete out[path[0]];
    else out[path[0]] = value;
    return out;
  }
  const next = out[path[0]];
  out[path[0]] = setNested(isObject(next) ? next : {}, path.slice(1), value);
  return out;
}

function compileUnwind(spec: unknown): StageFunction {
  let path: unknown;
  let indexField: string | undefined;
  let preserve = false;
  if (typeof spec === 'string') {
    path = spec;
  } else if (isObject(spec)) {
    for (const [key, value] of Object.entries(spec)) {
      if (key === 'path') path = value;
      else if (key === 'includeArrayIndex') {
        if (typeof value !== 'string') throw aggError(28810, `expected a non-empty string for the includeArrayIndex  option to $unwind stage, got ${typeName(value)}`);
        if (value.startsWith('$')) throw aggError(28822, `includeArrayIndex option to $unwind stage should not be prefixed with a '$': ${value}`);
        indexField = value;
      } else if (key === 'preserveNullAndEmptyArrays') {
        if (typeof value !== 'boolean') throw aggError(28809, `expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got ${typeName(value)}`);
        preserve = value;
      } else {
        throw aggError(28811, `unrecognized option to $unwind stage: ${key}`);
      }
    }
    if (path === undefined) throw aggError(28812, 'no path specified to $unwind stage');
  } else {
    throw aggError(15981, `expected either a string or an object as specification for $unwind stage, got ${typeName(spec)}`);
  }
  if (typeof path !== 'string') throw aggError(28808, `expected a string as the path for $unwind stage, got ${typeName(path)}`);
  if (!path.startsWith('$')) throw aggError(28818, `path option to $unwind stage should be prefixed with a '$': ${path}`);
  if (path.length === 1) throw aggError(28818, `path option to $unwind stage should be prefixed with a '$': ${path}`);
  const parts = path.slice(1).split('.');
  const indexParts = indexField?.split('.');
  return (docs) => {
    const out: Document[] = [];
    for (const doc of docs) {
      const value = getNested(doc, parts);
      if (Array.isArray(value) && value.length > 0) {
        value.forEach((element, i) => {
          let d = setNested(doc, parts, element);
          if (indexParts) d = setNested(d, indexParts, Long.fromNumber(i));
          out.push(d);
        });
      } else if (Array.isArray(value) || value === undefined || value === null) {
        if (!preserve) continue;
        let d = Array.isArray(value) ? setNested(doc, parts, undefined) : doc;
        if (indexParts) d = setNested(d, indexParts, null);
        out.push(d);
      } else {
        out.push(indexParts ? setNested(doc, indexParts, null) : doc);
      }
    }
    return out;
  };
}

function compileRedact(spec: unknown, variables: string[]): StageFunction {
  const expr = compileExpression(spec, [...variables, 'DESCEND', 'PRUNE', 'KEEP']);
  const redact = (doc: Document, base: Variables, root: Document): Document | undefined => {
    const vars = { ...base, ROOT: root, CURRENT: doc };
    const verdict = expr(vars);
    if (verdict === 'keep') return doc;
    if (verdict === 'prune') return undefined;
    if (verdict !== 'descend') {
      throw aggError(17053, `$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and $$PRUNE, but returned ${show(verdict)}`);
    }
    const out: Document = {};
    for (const [k, v] of Object.entries(doc)) {
      if (isObject(v)) {
        const r = redact(v, base, root);
        if (r !== undefined) out[k] = r;
      } else if (Array.isArray(v)) {
        out[k] = redactArray(v, base, root);
      } else {
        out[k] = v;
      }
    }
    return out;
  };
  const redactArray = (arr: unknown[], base: Variables, root: Document): unknown[] => {
    const out: unknown[] = [];
    for (const v of arr) {
      if (isObject(v)) {
        const r = redact(v, base, root);
        if (r !== undefined) out.push(r);
      } else if (Array.isArray(v)) {
        out.push(redactArray(v, base, root));
      } else {
        out.push(v);
      }
    }
    return out;
  };
  return (docs, base) => {
    const withMarkers = { ...base, DESCEND: 'descend', PRUNE: 'prune', KEEP: 'keep' };
    const out: Document[] = [];
    for (const doc of docs) {
      const r = redact(doc, withMarkers, doc);
      if (r !== undefined) out.push(r);
    }
    return out;
  };
}

function compileFacet(spec: unknown, ctx: PipelineContext | undefined, options: PipelineOptions): StageFunction {
  if (!isObject(spec)) throw aggError(15947, `the $facet specification must be a non-empty object, but found: ${typeName(spec)}`);
  if (Object.keys(spec).length === 0) throw aggError(40169, 'the $facet specification must be a non-empty object');
  const facets = Object.entries(spec).map(([name, pipeline]) => {
    if (!Array.isArray(pipeline)) throw aggError(40170, `arguments to $facet must be arrays, ${name} is type ${typeName(pipeline)}`);
    if (pipeline.length === 0) throw aggError(40171, `sub-pipeline in $facet stage cannot be empty: ${name}`);
    return [name, compilePipeline(pipeline as Document[], ctx, { ...options, within: 'facet' })] as const;
  });
  return (docs, base) => {
    const out: Document = {};
    for (const [name, run] of facets) out[name] = run(docs, base);
    return [out];
  };
}

/**
 * The documents of a namespace as a pipeline reads them: a collection's documents, a view's pipeline applied to
 * its source (views on views resolved in turn), nothing for a missing collection.
 */
export function readNamespace(ctx: PipelineContext, coll: string, base?: Variables, depth = 0): Document[] {
  const collection = ctx.server.catalog.getCollection(ctx.db, coll);
  if (!collection) return [];
  if (collection.options.viewOn !== undefined) {
    if (depth > 20) throw new CommandError('ViewDepthLimitExceeded', 'View depth too deep or view cycle detected. Maximum depth is 20');
    const source = readNamespace(ctx, String(collection.options.viewOn), base, depth + 1);
    const pipeline = compilePipeline((collection.options.pipeline ?? []) as Document[], ctx, { within: 'view' });
    return pipeline(source, base);
  }
  return collectionDocuments(collection);
}

/** Decoded documents read from collections, to their stored form: unchanged results are returned as their bytes. */
const STORED = new WeakMap<Document, StoredDocument>();

/** A collection's documents decoded, in natural order. */
export function collectionDocuments(collection: Collection): Document[] {
  return [...scanDocuments(collection)];
}

/**
 * A collection's documents decoded one at a time as they are read, in natural order. They are not cached on the
 * stored documents: a pipeline holds only those it keeps, and nothing once it is done.
 */
export function* scanDocuments(collection: Collection): Generator<Document> {
  for (const [, stored] of collection.records.entries()) {
    const doc = stored.decode();
    STORED.set(doc, stored);
    yield doc;
  }
}

/**
 * A pipeline result as it goes into a reply: a document that no stage changed (stages never mutate their input)
 * is the very object decoded from storage, and goes back as its exact stored bytes.
 */
export function rawResult(doc: Document): Document | RawBson {
  return STORED.get(doc)?.toRaw() ?? doc;
}

function namespaceArgument(value: unknown, stage: string): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.coll === 'string') return value.coll;
  throw aggError(ERR_FROM_TYPE, `${stage} 'from' field must be a string, but found ${typeName(value)}`);
}
const ERR_FROM_TYPE = 40321;

/** All values found along a path, arrays expanded (for $lookup's localField). */
function valuesAlongPath(doc: unknown, path: string[], out: unknown[] = []): unknown[] {
  if (path.length === 0) {
    if (Array.isArray(doc)) out.push(...doc);
    else out.push(doc);
    return out;
  }
  if (Array.isArray(doc)) {
    for (const element of doc) valuesAlongPath(element, path, out);
    return out;
  }
  if (!isObject(doc)) return out;
  const next = doc[path[0]];
  if (next === undefined) return out;
  return valuesAlongPath(next, path.slice(1), out);
}

function compileLookup(spec: unknown, ctx: PipelineContext, options: PipelineOptions): StageFunction {
  if (!isObject(spec)) throw aggError(ERR_LOOKUP_SPEC, `the $lookup specification must be an Object, but found ${typeName(spec)}`);
  for (const [key, value] of Object.entries(spec)) {
    if (!['from', 'as', 'localField', 'foreignField', 'let', 'pipeline'].includes(key)) {
      throw new CommandError('FailedToParse', `unknown argument to $lookup: ${key}`);
    }
    if (['as', 'localField', 'foreignField'].includes(key) && typeof value !== 'string') {
      throw new CommandError('FailedToParse', `$lookup argument '${key}: ${show(value)}' must be a string, is type ${typeName(value)}`);
    }
  }
  if (typeof spec.as !== 'string') throw new CommandError('FailedToParse', "must specify 'as' field for a $lookup");
  const hasLocal = 'localField' in spec;
  const hasForeign = 'foreignField' in spec;
  if (hasLocal !== hasForeign || (!hasLocal && !('pipeline' in spec))) {
    throw new CommandError('FailedToParse', "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  }
  if (!('from' in spec) && !('pipeline' in spec && isDocumentsPipeline(spec.pipeline))) {
    throw new CommandError('FailedToParse', "must specify 'from' field for a $lookup");
  }
  const from = 'from' in spec ? namespaceArgument(spec.from, '$lookup') : undefined;
  const as = spec.as.split('.');
  const localPath = hasLocal ? String(spec.localField).split('.') : undefined;
  const foreignField = hasForeign ? String(spec.foreignField) : undefined;
  const letSpec = isObject(spec.let) ? spec.let : {};
  if ('let' in spec && !isObject(spec.let)) throw new CommandError('FailedToParse', `$lookup argument 'let' must be an object, is type ${typeName(spec.let)}`);
  const outerNames = options.variableNames ?? [];
  const letExprs = Object.entries(letSpec).map(([name, e]) => {
    assertVariableName(name);
    return [name, compileExpression(e, outerNames)] as const;
  });
  let sub: CompiledPipeline | undefined;
  if ('pipeline' in spec) {
    if (!Array.isArray(spec.pipeline)) throw new CommandError('FailedToParse', `$lookup argument 'pipeline' must be an array, is type ${typeName(spec.pipeline)}`);
    sub = compilePipeline(spec.pipeline as Document[], ctx, {
      variableNames: [...outerNames, ...letExprs.map(([n]) => n)], collection: from, within: 'lookup',
    });
  }
  return (docs, base) => {
    const foreign = from === undefined ? [] : readNamespace(ctx, from, base);
    return docs.map((doc) => {
      let matches = foreign;
      if (localPath && foreignField) {
        const values = valuesAlongPath(doc, localPath);
        if (values.length === 0) values.push(null);
        const predicate = compileFilter({ $or: values.map((v) => ({ [foreignField]: { $eq: v ?? null } })) });
        matches = foreign.filter((f) => predicate(f));
      }
      if (sub) {
        const vars = rootVariables(doc, base);
        const inner: Variables = { ...base };
        for (const [name, c] of letExprs) inner[name] = c(vars);
        matches = sub(matches, inner);
      }
      return setNested(doc, as, matches);
    });
  };
}
const ERR_LOOKUP_SPEC = 40319;

function isDocumentsPipeline(pipeline: unknown): boolean {
  return Array.isArray(pipeline) && isObject(pipeline[0]) && '$documents' in pipeline[0];
}

function compileUnionWith(spec: unknown, ctx: PipelineContext, options: PipelineOptions): StageFunction {
  let coll: string | undefined;
  let stages: Document[] = [];
  if (typeof spec === 'string') {
    coll = spec;
  } else if (isObject(spec)) {
    for (const key of Object.keys(spec)) {
      if (key !== 'coll' && key !== 'pipeline') throw new CommandError('IDLUnknownField', `BSON field '$unionWith.${key}' is an unknown field.`);
    }
    if ('coll' in spec) coll = namespaceArgument(spec.coll, '$unionWith');
    if ('pipeline' in spec) {
      if (!Array.isArray(spec.pipeline)) throw new CommandError('TypeMismatch', `BSON field '$unionWith.pipeline' is the wrong type '${typeName(spec.pipeline)}', expected type 'array'`);
      stages = spec.pipeline as Document[];
    }
    if (coll === undefined && !isDocumentsPipeline(stages)) {
      throw new CommandError('FailedToParse', "$unionWith stage without explicit collection must have a pipeline with $documents as first stage");
    }
  } else {
    throw new CommandError('FailedToParse', `the $unionWith stage specification must be an object or string, but found ${typeName(spec)}`);
  }
  const sub = compilePipeline(stages, ctx, { ...options, collection: coll, within: 'unionWith' });
  return (docs, base) => [...docs, ...sub(coll === undefined ? [] : readNamespace(ctx, coll, base), base)];
}

function compileCollStats(spec: unknown, ctx: PipelineContext, options: PipelineOptions): StageFunction {
  if (!isObject(spec)) throw aggError(5447000, `$collStats must take a nested object but found: ${show(spec)}`);
  for (const key of Object.keys(spec)) {
    if (!['latencyStats', 'storageStats', 'count', 'queryExecStats'].includes(key)) {
      throw new CommandError('IDLUnknownField', `BSON field '$collStats.${key}' is an unknown field.`);
    }
  }
  return () => {
    const name = options.collection;
    if (name === undefined) throw new CommandError('InvalidNamespace', '$collStats must be run against a collection namespace');
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    const ns = `${ctx.db}.${name}`;
    const out: Document = { ns, host: ctx.server.me, localTime: new Date() };
    if (isObject(spec.latencyStats)) {
      const zero = (): Document => ({ latency: Long.fromNumber(0), ops: Long.fromNumber(0), queryableEncryptionLatencyMicros: Long.fromNumber(0) });
      const stats: Document = { reads: zero(), writes: zero(), commands: zero(), transactions: { latency: Long.fromNumber(0), ops: Long.fromNumber(0) } };
      if (spec.latencyStats.histograms === true) for (const k of ['reads', 'writes', 'commands', 'transactions']) stats[k].histogram = [];
      out.latencyStats = stats;
    }
    if (isObject(spec.storageStats)) {
      if (!collection || collection.options.viewOn !== undefined) {
        throw new CommandError('NamespaceNotFound', `Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [${ns}] not found.`);
      }
      const scale = spec.storageStats.scale === undefined ? 1 : asDouble(spec.storageStats.scale);
      if (!Number.isInteger(scale) || scale < 1) throw new CommandError('Location51024', 'BSON field \'scale\' value must be >= 1, actual value \'' + scale + '\'', {}, 51024);
      const stats = collectionStats(collection, scale);
      delete stats.ns;
      out.storageStats = stats;
    }
    if (isObject(spec.count)) {
      if (!collection) throw new CommandError('NamespaceNotFound', `Unable to retrieve count in $collStats stage :: caused by :: Collection [${ns}] not found.`);
      out.count = collection.count < 2 ** 31 ? new Int32(collection.count) : Long.fromNumber(collection.count);
    }
    if (isObject(spec.queryExecStats)) {
      out.queryExecStats = { collectionScans: { total: Long.fromNumber(0), nonTailable: Long.fromNumber(0) } };
    }
    return [out];
  };
}

function compileIndexStats(ctx: PipelineContext, options: PipelineOptions): StageFunction {
  return () => {
    const collection = options.collection === undefined ? undefined : ctx.server.catalog.getCollection(ctx.db, options.collection);
    if (!collection) return [];
    return listIndexSpecs(collection).map((spec) => ({
      name: spec.name, key: spec.key, host: ctx.server.me, accesses: { ops: Long.fromNumber(0), since: ctx.server.startedAt }, spec,
    }));
  };
}

function targetNamespace(spec: unknown, ctx: PipelineContext, stage: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: ctx.db, coll: spec };
  if (isObject(spec)) {
    const into = stage === '$merge' ? spec.into : spec;
    if (typeof into === 'string') return { db: ctx.db, coll: into };
    if (isObject(into) && typeof into.coll === 'string') return { db: typeof into.db === 'string' ? into.db : ctx.db, coll: into.coll };
  }
  throw new CommandError('FailedToParse', `${stage} stage requires a target collection name`);
}

function writable(ctx: PipelineContext, stage: string): { writes: NonNullable<PipelineContext['writes']>; op: NonNullable<PipelineContext['op']> } {
  if (!ctx.writes || !ctx.op) throw aggError(ERR_NO_CONTEXT, `${stage} is not supported here`);
  return { writes: ctx.writes, op: ctx.op };
}

function assertNotView(ctx: PipelineContext, db: string, coll: string): void {
  const existing = ctx.server.catalog.getCollection(db, coll);
  if (existing?.options.viewOn !== undefined) {
    throw new CommandError('CommandNotSupportedOnView', `Namespace ${db}.${coll} is a view, not a collection`);
  }
}

function compileOut(spec: unknown, ctx: PipelineContext): StageFunction {
  const target = targetNamespace(spec, ctx, '$out');
  return (docs) => {
    const { writes, op } = writable(ctx, '$out');
    assertNotView(ctx, target.db, target.coll);
    // Validate every document before touching the target, so that a failure leaves it as it was (as mongod's
    // temporary collection + rename does).
    const raws = docs.map((d) => Buffer.from(serialize(d)));
    const ids = new Set<string>();
    for (const d of docs) {
      if (d._id === undefined) continue;
      const key = JSON.stringify(show(d._id)) + typeName(d._id);
      if (ids.has(key)) throw new CommandError('DuplicateKey', `E11000 duplicate key error collection: ${target.db}.${target.coll} index: _id_ dup key: { _id: ${show(d._id)} }`);
      ids.add(key);
    }
    const collection = writes.ensureCollection(target.db, target.coll, op);
    for (const [, stored] of [...collection.records.entries()]) writes.delete(collection, stored, op);
    for (const raw of raws) writes.insert(collection, raw, op);
    return [];
  };
}

function compileMerge(spec: unknown, ctx: PipelineContext): StageFunction {
  const target = targetNamespace(spec, ctx, '$merge');
  const options = isObject(spec) ? spec : {};
  const on = options.on === undefined ? ['_id'] : Array.isArray(options.on) ? (options.on as string[]) : [String(options.on)];
  const whenMatched = options.whenMatched ?? 'merge';
  const whenNotMatched = options.whenNotMatched ?? 'insert';
  const updatePipeline = Array.isArray(whenMatched) ? compilePipeline(whenMatched as Document[], ctx, { variableNames: ['new'] }) : undefined;
  return (docs, base) => {
    const { writes, op } = writable(ctx, '$merge');
    assertNotView(ctx, target.db, target.coll);
    const collection = writes.ensureCollection(target.db, target.coll, op);
    for (const doc of docs) {
      const existing = [...collection.records.values()].find((s) => on.every((f) => valuesEqual(getNested(s.doc, f.split('.')), getNested(doc, f.split('.')))));
      if (!existing) {
        if (whenNotMatched === 'discard') continue;
        if (whenNotMatched === 'fail') throw new CommandError('MergeStageNoMatchingDocument', `$merge could not find a matching document in the target collection for at least one document in the source collection`, {}, 13113);
        writes.insert(collection, Buffer.from(serialize(doc)), op);
        continue;
      }
      let next: Document;
      if (updatePipeline) {
        next = updatePipeline([existing.doc], { ...base, new: doc })[0];
      } else if (whenMatched === 'replace') {
        next = { ...doc, _id: existing.doc._id };
      } else if (whenMatched === 'keepExisting') {
        continue;
      } else if (whenMatched === 'fail') {
        throw new CommandError('DuplicateKey', `E11000 duplicate key error collection: ${target.db}.${target.coll} index: _id_ dup key: { _id: ${show(existing.doc._id)} }`);
      } else {
        next = { ...existing.doc, ...doc, _id: existing.doc._id };
      }
      writes.update(collection, existing, Buffer.from(serialize(next)), op, 'replacement');
    }
    return [];
  };
}
