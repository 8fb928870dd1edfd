import { Long, serialize, type Document } from 'bson';
import { Collection } from './collection.js';
import type { ServerState } from './server_state.js';
import type { OperationContext, WritePath } from './write_path.js';
import type { CreateRequest } from './collection_options.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from './namespace.js';
import { addIndex } from './indexes/index_catalog.js';
import { idIndexSpec } from './indexes/index_spec.js';

/** The collection holding a database's view definitions, `{_id: 'db.view', viewOn, pipeline[, collation]}`. */
export const SYSTEM_VIEWS = 'system.views';

/** What the DDL operations need: the server's state, the write path and who writes. */
export interface DdlContext {
  state: ServerState;
  writes: WritePath;
  op: OperationContext;
}

/** True for a view's catalog entry (options hold `viewOn` and `pipeline`; it never holds documents). */
export function isView(collection: Collection): boolean {
  return collection.options.viewOn !== undefined;
}

/** True for a time series collection (kept as an ordinary collection; see createCollection). */
export function isTimeseries(collection: Collection): boolean {
  return collection.options.timeseries !== undefined;
}

/** The oplog `{numRecords}` of drop and renameCollection (mongod's makeObject2ForDropOrRename). */
function numRecords(collection: Collection): Document {
  return { numRecords: Long.fromNumber(collection.count) };
}

/**
 * Creates a collection or view with options already validated (parseCreateOptions), logging what mongod 7.0
 * logs: a `create` command entry `{create, ...options, idIndex}` for a collection, or for a view an insert of its
 * definition into `<db>.system.views` (created first when needed, with its own create entry).
 *
 * A time series collection is kept as one ordinary collection holding the measurements as inserted (mongod keeps
 * a `system.buckets.<name>` collection of buckets behind a view); its create entry is
 * `{create, timeseries[, expireAfterSeconds]}` and listCollections reports it with type "timeseries".
 */
export function createCollection(ctx: DdlContext, db: string, name: string, request: CreateRequest): Collection {
  const { state, writes, op } = ctx;
  writes.assertWritable(db, op);
  const { options, idIndex } = request;
  if (options.viewOn !== undefined) {
    assertValidCollectionName(db, String(options.viewOn));
    if (options.viewOn === name) {
      throw new CommandError('GraphContainsCycle', `View cycle detected: [${db}.${name} -> ${db}.${name}]`);
    }
    const definition: Document = { _id: `${db}.${name}`, viewOn: options.viewOn, pipeline: options.pipeline };
    if (options.collation) definition.collation = options.collation;
    const views = writes.ensureCollection(db, SYSTEM_VIEWS, op);
    writes.insert(views, Buffer.from(serialize(definition)), { ...op, bypassDocumentValidation: true });
    return state.catalog.add(new Collection(db, name, options));
  }
  const collection = state.catalog.add(new Collection(db, name, options));
  writes.command(db, { create: name, ...options, ...(idIndex ? { idIndex } : {}) }, op, collection.uuid);
  return collection;
}

/**
 * Drops a collection or view. A collection's drop is logged as `{drop: name}` with `o2: {numRecords}`; a view's as
 * the delete of its definition from system.views. Dropping system.views removes the database's views with it.
 */
export function dropCollection(ctx: DdlContext, collection: Collection): void {
  const { state, writes, op } = ctx;
  writes.assertWritable(collection.db, op);
  if (isView(collection)) {
    const views = state.catalog.getCollection(collection.db, SYSTEM_VIEWS);
    const definition = views?.findById(`${collection.db}.${collection.name}`);
    if (views && definition) writes.delete(views, definition, op);
    state.catalog.remove(collection.db, collection.name);
    return;
  }
  state.catalog.remove(collection.db, collection.name);
  if (collection.name === SYSTEM_VIEWS) {
    for (const c of state.catalog.listCollections(collection.db)) if (isView(c)) state.catalog.remove(c.db, c.name);
  }
  writes.command(collection.db, { drop: collection.name }, op, collection.uuid, numRecords(collection));
}

/**
 * Drops a database: each collection (system collections last, views with system.views), then the
 * `{dropDatabase: 1}` entry, as mongod 7.0 logs it. Returns false when the database did not exist.
 */
export function dropDatabase(ctx: DdlContext, db: string): boolean {
  const { state, writes, op } = ctx;
  const all = state.catalog.listCollections(db);
  if (all.length === 0) return false;
  writes.assertWritable(db, op);
  const ordered = [...all.filter((c) => !isView(c) && !c.name.startsWith('system.')), ...all.filter((c) => !isView(c) && c.name.startsWith('system.'))];
  for (const collection of ordered) dropCollection(ctx, collection);
  for (const view of state.catalog.listCollections(db)) state.catalog.remove(db, view.name);
  writes.command(db, { dropDatabase: 1 }, op);
  return true;
}

/**
 * Renames a collection. Within a database: one `renameCollection` entry `{renameCollection, to, stayTemp: false
 * [, dropTarget: <uuid>]}` (with `o2: {numRecords}` of the dropped target), UUID kept. Across databases the
 * collection is copied to a new UUID (create, index and insert entries) and the source dropped; mongod goes through
 * a temporary collection in the target database, which this server does not reproduce.
 */
export function renameCollection(ctx: DdlContext, source: Collection, toDb: string, toName: string, dropTarget: boolean): void {
  const { state, writes, op } = ctx;
  writes.assertWritable(source.db, op);
  writes.assertWritable(toDb, op);
  const target = state.catalog.getCollection(toDb, toName);
  if (target && !dropTarget) throw new CommandError('NamespaceExists', 'target namespace exists');
  if (source.db === toDb) {
    const o: Document = { renameCollection: source.ns, to: `${toDb}.${toName}`, stayTemp: false };
    let o2: Document | undefined;
    if (target) {
      if (isView(target)) dropCollection(ctx, target);
      else {
        o.dropTarget = target.uuid;
        o2 = numRecords(target);
        state.catalog.remove(toDb, toName);
      }
    }
    const from = source.ns;
    state.catalog.rename(source, toDb, toName);
    o.renameCollection = from;
    writes.command(toDb, o, op, source.uuid, o2);
    return;
  }
  if (target) dropCollection(ctx, target);
  const copy = state.catalog.add(new Collection(toDb, toName, { ...source.options }));
  const idIndex = source.options.clusteredIndex ? {} : { idIndex: idIndexSpec(source.options.collation as Document | undefined) };
  writes.command(toDb, { create: toName, ...source.options, ...idIndex }, op, copy.uuid);
  for (const { spec } of source.indexes.values()) {
    addIndex(copy, spec);
    writes.command(toDb, { createIndexes: toName, ...spec }, op, copy.uuid);
  }
  for (const doc of source.naturalOrder()) writes.insert(copy, doc.raw, { ...op, bypassDocumentValidation: true });
  dropCollection(ctx, source);
}
