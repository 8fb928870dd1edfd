import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isDocument } from '../engine/query/paths.js';
import { numberArg } from './cursor_reply.js';
import { assertHint, pipelineResults, resolveCollation, selectDocuments, statementMatcher } from './write_statements.js';

/** count: documents matching `query`, after `skip`, at most `limit` (a negative limit counts as its absolute value). */
export const count: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const body = ctx.body;
    const collName = String(body.count);
    const query = body.query ?? {};
    if (!isDocument(query)) throw new CommandError('TypeMismatch', "BSON field 'count.query' is the wrong type, expected type 'object'");
    const skip = numberArg(body.skip, 'count.skip', 0);
    const limit = Math.abs(numberArg(body.limit, 'count.limit', 0));
    if (skip < 0) throw new CommandError('BadValue', 'skip value is negative in count query', {}, 2);
    const collection = ctx.server.catalog.getCollection(ctx.db, collName);
    const options = { collation: resolveCollation(body.collation, collection) };
    const matcher = statementMatcher(query, options);
    if (!collection) return { n: 0 };
    assertHint(collection, body.hint);
    if (collection.options.viewOn !== undefined) {
      // mongod answers count on a view by aggregating over the view's pipeline.
      const stages: Document[] = [{ $match: query }];
      if (skip > 0) stages.push({ $skip: skip });
      if (limit > 0) stages.push({ $limit: limit });
      stages.push({ $count: 'n' });
      const [result] = pipelineResults(ctx, collName, stages);
      return { n: result ? Number(result.n) : 0 };
    }
    let n = Object.keys(query).length === 0 ? collection.count : selectDocuments(collection, query, matcher, 0, undefined, options).length;
    n = Math.max(0, n - skip);
    if (limit > 0) n = Math.min(n, limit);
    return { n };
  },
};
