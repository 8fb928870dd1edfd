import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { Collection } from '../engine/collection.js';
import { CommandError } from '../errors.js';
import { compileFilter, isTruthy } from '../engine/query/filter.js';
import { isTimeseries, isView } from '../engine/ddl.js';
import { idIndexEntry } from '../engine/indexes/index_catalog.js';
import { arrayCursorReply } from './array_cursor.js';
import { mayListCollection } from '../auth/authorization.js';

/**
 * One listCollections entry as mongod 7.0 gives it: `{name, type, options, info: {readOnly, uuid}, idIndex}` for
 * a collection (no idIndex when clustered), `{name, type: 'view', options: {viewOn, pipeline}, info: {readOnly:
 * true}}` for a view, `{name, type: 'timeseries', options, info: {readOnly: false}}` for a time series collection.
 */
export function listCollectionsEntry(collection: Collection, nameOnly: boolean): Document {
  const type = isView(collection) ? 'view' : isTimeseries(collection) ? 'timeseries' : 'collection';
  if (nameOnly) return { name: collection.name, type };
  if (type === 'view') return { name: collection.name, type, options: collection.options, info: { readOnly: true } };
  if (type === 'timeseries') return { name: collection.name, type, options: collection.options, info: { readOnly: false } };
  const entry: Document = { name: collection.name, type, options: collection.options, info: { readOnly: false, uuid: collection.uuid } };
  const idIndex = collection.options.clusteredIndex ? undefined : idIndexEntry(collection);
  if (idIndex) entry.idIndex = idIndex;
  return entry;
}

/**
 * listCollections: `filter` (on the entries above), `nameOnly`, `authorizedCollections` (with auth, only the
 * collections and views the user holds some action on, as mongod's list_collections.cpp, whether or not `nameOnly`
 * is set; all without auth); a cursor on `<db>.$cmd.listCollections`. Collections come in creation order, then views.
 */
export const listCollections: CommandDefinition = {
  run(ctx: CommandContext): Promise<Document> {
    const { filter, nameOnly, authorizedCollections } = ctx.body;
    if (filter !== undefined && filter !== null && (typeof filter !== 'object' || Array.isArray(filter))) {
      throw new CommandError('TypeMismatch', "BSON field 'listCollections.filter' is the wrong type, expected type 'object'");
    }
    const matches = compileFilter((filter ?? {}) as Document);
    const all = ctx.server.catalog.listCollections(ctx.db);
    const visible = isTruthy(authorizedCollections) ? all.filter((c) => mayListCollection(ctx.server, ctx.conn, ctx.db, c.name)) : all;
    const ordered = [...visible.filter((c) => !isView(c)), ...visible.filter(isView)];
    const entries = ordered.map((c) => listCollectionsEntry(c, nameOnly === true)).filter((e) => matches(e));
    return arrayCursorReply(ctx, `${ctx.db}.$cmd.listCollections`, entries);
  },
};
