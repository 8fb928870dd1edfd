import { Int32, type Document } from 'bson';
import type { Collection, IndexMaintainer } from '../collection.js';
import { compareValues } from '../bson_order.js';
import { CommandError } from '../../errors.js';
import { CatalogOnlyIndex, UniqueIndex } from './btree_index.js';
import { idIndexSpec, indexKind } from './index_spec.js';

/** The maintainer for a normalized spec: enforcing for unique/prepareUnique btree indexes, catalog-only otherwise. */
export function createIndexMaintainer(collection: Collection, spec: Document): IndexMaintainer {
  const btree = indexKind(spec.key as Document) === 'btree';
  if (btree && (spec.unique === true || spec.prepareUnique === true)) return new UniqueIndex(spec, collection.ns);
  return new CatalogOnlyIndex(spec, btree);
}

/** True when the collection is clustered by `_id` (its `_id` index is the clustered index). */
export function isClustered(collection: Collection): boolean {
  return collection.options.clusteredIndex !== undefined;
}

/**
 * The `_id` index as listIndexes shows it: the ordinary `{v: 2, key: {_id: 1}, name: '_id_'}`, or for a clustered
 * collection the clustered index with `clustered: true` (mongod's clustered_util::formatClusterKeyForListIndexes).
 * Undefined for collections without one (the oplog).
 */
export function idIndexEntry(collection: Collection): Document | undefined {
  if (!collection.hasIdIndex) return undefined;
  const clustered = collection.options.clusteredIndex as Document | undefined;
  if (clustered) return { ...clustered, clustered: true };
  return idIndexSpec(collection.options.collation as Document | undefined);
}

/** Every index spec of a collection in listIndexes order: `_id_` first, then the others in creation order. */
export function listIndexSpecs(collection: Collection): Document[] {
  const id = idIndexEntry(collection);
  return [...(id ? [id] : []), ...[...collection.indexes.values()].map((m) => m.spec)];
}

/** The number of indexes including `_id_` (numIndexesBefore/After, nIndexesWas, nindexes). */
export function indexCount(collection: Collection): number {
  return listIndexSpecs(collection).length;
}

/** The indexes (other than `_id_`) whose key pattern equals `key` (numbers compared by value, as woCompare). */
export function findIndexesByKey(collection: Collection, key: Document): IndexMaintainer[] {
  return [...collection.indexes.values()].filter((m) => compareValues(m.spec.key, key) === 0);
}

/**
 * Adds a built index to the collection. With `unique`, a collision among existing documents throws DuplicateKey
 * with mongod's index build message and nothing is added.
 */
export function addIndex(collection: Collection, spec: Document): IndexMaintainer {
  const maintainer = createIndexMaintainer(collection, spec);
  try {
    if (maintainer instanceof UniqueIndex) maintainer.build(collection);
    else for (const doc of collection.naturalOrder()) maintainer.checkInsert(doc, undefined);
  } catch (error) {
    if (error instanceof CommandError && error.codeName === 'DuplicateKey') {
      throw new CommandError(
        'DuplicateKey',
        `Index build failed: ${collection.uuid.toUUID().toHexString()}: Collection ${collection.ns} ( ${collection.uuid.toUUID().toHexString()} ) :: caused by :: ${error.message}`,
        error.extra,
      );
    }
    throw error;
  }
  collection.indexes.set(String(spec.name), maintainer);
  return maintainer;
}

/** Replaces an index's spec in place (collMod), rebuilding its maintainer from the documents; keeps list order. */
export function replaceIndexSpec(collection: Collection, name: string, spec: Document): IndexMaintainer {
  const maintainer = createIndexMaintainer(collection, spec);
  if (maintainer instanceof UniqueIndex) {
    for (const doc of collection.naturalOrder()) maintainer.add(doc);
  }
  collection.indexes.set(name, maintainer);
  return maintainer;
}

/** The value mongod reports for an index version or count field. */
export function int32(n: number): Int32 {
  return new Int32(n);
}
