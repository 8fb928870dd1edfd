import { Int32, UUID, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import type { Collection } from '../engine/collection.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { formatKeyValue } from '../engine/duplicate_key.js';
import { isView } from '../engine/ddl.js';
import { compareIndexSpecs, normalizeIndexSpec } from '../engine/indexes/index_spec.js';
import { addIndex, indexCount, listIndexSpecs } from '../engine/indexes/index_catalog.js';

/** mongod's limit on indexes per collection, `_id_` included. */
const MAX_INDEXES = 64;

/**
 * Decides what to do with one requested spec against the collection's indexes: build it, skip it (an identical
 * index exists), or fail as mongod's IndexCatalogImpl::_doesSpecConflictWithExisting does.
 */
function conflictCheck(collection: Collection, spec: Document): 'build' | 'exists' {
  const existing = listIndexSpecs(collection);
  const sameName = existing.find((s) => s.name === spec.name);
  const shown = (s: Document) => formatKeyValue(s);
  if (sameName) {
    const relation = compareIndexSpecs(spec, sameName);
    if (relation === 'identical') return 'exists';
    if (relation === 'equivalent') {
      throw new CommandError('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${shown(spec)}, existing index: ${shown(sameName)}`);
    }
    throw new CommandError('IndexKeySpecsConflict', `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${shown(spec)}, existing index: ${shown(sameName)}`);
  }
  for (const other of existing) {
    const relation = compareIndexSpecs(spec, other);
    if (relation === 'identical') throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${String(other.name)}`);
    if (relation === 'equivalent') {
      throw new CommandError('IndexOptionsConflict', `An equivalent index already exists with a different name and options. Requested index: ${shown(spec)}, existing index: ${shown(other)}`);
    }
  }
  return 'build';
}

/**
 * createIndexes: validates and builds each index (unique ones checked against existing documents, E11000 on a
 * collision), creating the collection when needed. Oplog: on an empty collection one `createIndexes` entry per
 * index; on a non-empty one a two-phase build, `startIndexBuild` then `commitIndexBuild` with all the specs and an
 * indexBuildUUID (change streams turn commitIndexBuild into createIndexes events), as mongod 7.0 logs them.
 */
export const createIndexes: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.createIndexes;
    if (typeof name !== 'string') throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    assertValidCollectionName(ctx.db, name);
    const requested = ctx.body.indexes;
    if (!Array.isArray(requested)) {
      throw new CommandError('IDLFailedToParse', "BSON field 'createIndexes.indexes' is missing but a required field");
    }
    if (requested.length === 0) throw new CommandError('BadValue', 'Must specify at least one index to create');
    let collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (collection && isView(collection)) {
      throw new CommandError('CommandNotSupportedOnView', `Cannot create indexes on a view: ${collection.ns}`);
    }
    const specContext = {
      ns: `${ctx.db}.${name}`,
      collation: collection?.options.collation as Document | undefined,
      isCapped: collection?.isCapped,
    };
    const specs = requested.map((raw) => normalizeIndexSpec(raw as Document, specContext));
    const createdCollectionAutomatically = !collection;
    collection ??= ctx.writes.ensureCollection(ctx.db, name, ctx.op);
    const before = indexCount(collection);
    const toBuild: Document[] = [];
    for (const spec of specs) {
      if (toBuild.some((s) => s.name === spec.name)) {
        throw new CommandError('IndexKeySpecsConflict', `Cannot create two indexes with the same name: ${String(spec.name)}`);
      }
      if (conflictCheck(collection, spec) === 'build') toBuild.push(spec);
    }
    if (toBuild.length === 0) {
      return { numIndexesBefore: new Int32(before), numIndexesAfter: new Int32(before), note: 'all indexes already exist' };
    }
    // Write blocking refuses a build as it starts (the op observer's onStartIndexBuild/onCreateIndex), so only
    // after the indexes that exist already are filtered out.
    ctx.writes.assertWritable(ctx.db, ctx.op);
    if (before + toBuild.length > MAX_INDEXES) {
      throw new CommandError('CannotCreateIndex', `add index fails, too many indexes for ${collection.ns} key:${formatKeyValue(toBuild[0].key)}`);
    }
    const empty = collection.count === 0;
    const built: string[] = [];
    try {
      for (const spec of toBuild) {
        addIndex(collection, spec);
        built.push(String(spec.name));
      }
    } catch (error) {
      for (const n of built) collection.indexes.delete(n);
      throw error;
    }
    if (empty) {
      for (const spec of toBuild) ctx.writes.command(ctx.db, { createIndexes: name, ...spec }, ctx.op, collection.uuid);
    } else {
      const indexBuildUUID = new UUID();
      ctx.writes.command(ctx.db, { startIndexBuild: name, indexBuildUUID, indexes: toBuild }, ctx.op, collection.uuid);
      ctx.writes.command(ctx.db, { commitIndexBuild: name, indexBuildUUID, indexes: toBuild }, ctx.op, collection.uuid);
    }
    const reply: Document = {
      numIndexesBefore: new Int32(before),
      numIndexesAfter: new Int32(indexCount(collection)),
      createdCollectionAutomatically,
    };
    if (!empty) reply.commitQuorum = 'votingMembers';
    return reply;
  },
};

