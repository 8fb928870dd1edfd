import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { compareValues } from '../engine/bson_order.js';
import { isDocument, splitPath, visitPath } from '../engine/query/paths.js';
import { pipelineResults, resolveCollation, selectDocuments, statementMatcher } from './write_statements.js';
import { collationComparator, type ValueComparator } from '../engine/query/collation_compare.js';

/**
 * distinct: the distinct values of `key` among documents matching `query`. Array values are unwound (each element
 * counts, the array itself does not), values are distinct by BSON equality (1 and 1.0 are one value) and come back
 * in BSON order, as mongod's ordered BSONElementSet returns them (strings by the collation, when there is one).
 */
export const distinct: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const body = ctx.body;
    const collName = String(body.distinct);
    if (body.key === undefined) throw new CommandError('FailedToParse', "BSON field 'distinct.key' is missing but a required field", {}, 40414);
    if (typeof body.key !== 'string') throw new CommandError('TypeMismatch', "BSON field 'distinct.key' is the wrong type, expected type 'string'");
    const query = body.query ?? {};
    if (!isDocument(query)) throw new CommandError('TypeMismatch', "BSON field 'distinct.query' is the wrong type, expected type 'object'");
    const collection = ctx.server.catalog.getCollection(ctx.db, collName);
    const options = { collation: resolveCollation(body.collation, collection) };
    const matcher = statementMatcher(query, options);
    const compare = collationComparator(options.collation) ?? compareValues;
    if (!collection) return { values: [] };
    if (collection.options.viewOn !== undefined) {
      // mongod answers distinct on a view by aggregating over the view's pipeline.
      return { values: distinctValues(pipelineResults(ctx, collName, [{ $match: query }]), body.key, compare) };
    }
    return { values: distinctValues(selectDocuments(collection, query, matcher, 0, undefined, options).map((d) => d.doc), body.key, compare) };
  },
};

/** The distinct values at a dotted path in documents, unwinding arrays, in BSON (or collation) order. */
export function distinctValues(docs: Document[], key: string, compare: ValueComparator = compareValues): unknown[] {
  const parts = splitPath(key);
  const values: unknown[] = [];
  for (const doc of docs) {
    visitPath(doc, parts, (v) => {
      if (v !== undefined) values.push(v);
      return false;
    }, false);
  }
  const unwound: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) unwound.push(...v);
    else unwound.push(v);
  }
  unwound.sort(compare);
  return unwound.filter((v, i) => i === 0 || compare(unwound[i - 1], v) !== 0);
}
