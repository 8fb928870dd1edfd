import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { planQuery } from '../engine/query/query_planner.js';
import { normalizeCollation } from '../engine/indexes/collation.js';
import { compileProjection } from '../engine/query/projection.js';
import { FindCursor } from '../engine/query/find_cursor.js';
import { NaturalScan } from '../engine/query/document_source.js';
import { cursorReply, numberArg } from './cursor_reply.js';
import { evaluateLet, runPipelineOn } from '../engine/aggregation/run_aggregate.js';

/** find: filter, sort (incl. $natural), projection, skip, limit, batchSize, singleBatch, tailable/awaitData. */
export const find: CommandDefinition = {
  async run(ctx: CommandContext): Promise<Document> {
    const { body, server } = ctx;
    const collName = String(body.find);
    const ns = `${ctx.db}.${collName}`;
    const filter = (body.filter ?? {}) as Document;
    const sort = body.sort as Document | undefined;
    const skip = numberArg(body.skip, 'skip', 0);
    const limitArg = numberArg(body.limit, 'limit', 0);
    const batchSizeArg = numberArg(body.batchSize, 'batchSize', 101);
    if (skip < 0) throw new CommandError('BadValue', `SKIP must be non-negative`, {}, 51024);
    if (limitArg < 0) throw new CommandError('BadValue', 'LIMIT must be non-negative', {}, 51024);
    if (batchSizeArg < 0) throw new CommandError('BadValue', 'BatchSize value must be non-negative', {}, 51024);
    const collection = server.catalog.getCollection(ctx.db, collName);
    const variables = body.let === undefined ? undefined : evaluateLet(ctx, body.let);
    // The find's collation, else the collection's default one (undefined = simple).
    const collation = body.collation === undefined ? collection?.options.collation as Document | undefined : normalizeCollation(body.collation);
    const projector = body.projection && Object.keys(body.projection).length ? compileProjection(body.projection, { filter, variables }) : undefined;
    if (!collection) return { cursor: { firstBatch: [], id: Long.fromNumber(0), ns } };
    if (collection.options.viewOn !== undefined) {
      // mongod answers a find on a view by aggregating: the view's pipeline, then the find's own stages.
      const stages: Document[] = [];
      if (Object.keys(filter).length) stages.push({ $match: filter });
      if (sort && Object.keys(sort).length) stages.push({ $sort: sort });
      if (skip > 0) stages.push({ $skip: skip });
      if (limitArg > 0) stages.push({ $limit: limitArg });
      return runPipelineOn(ctx, collName, stages, {
        batchSize: batchSizeArg, ns, singleBatch: body.singleBatch === true, transform: projector, letValues: variables,
      });
    }
    if (body.tailable && !collection.isCapped) {
      throw new CommandError('BadValue', `error processing query: ns=${ns} tailable cursor requested on non capped collection`);
    }
    const tailable = body.tailable === true;
    let cursor: FindCursor;
    if (tailable) {
      const scan = new NaturalScan(collection);
      cursor = new FindCursor(scan, {
        ns, residual: Object.keys(filter).length ? planQuery(collection, filter, undefined, {}, { variables, collation }).residual : undefined,
        projector, skip, limit: limitArg,
        tailable: {
          awaitData: body.awaitData === true,
          wait: (ms) => server.notifier.waitForWrite(ms, ctx.conn.closed.signal),
          rearm: () => scan.rearm(),
        },
      });
    } else {
      const plan = planQuery(collection, filter, sort, { min: body.min, max: body.max, hint: body.hint }, { variables, collation });
      cursor = new FindCursor(plan.source, { ns, residual: plan.residual, projector, skip, limit: limitArg });
    }
    const batch = await cursor.nextBatch(batchSizeArg, 0);
    if (body.singleBatch === true) batch.exhausted = true;
    return cursorReply(ctx, cursor, batch, 'firstBatch');
  },
};
