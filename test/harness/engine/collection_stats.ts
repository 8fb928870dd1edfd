import { Int32, type Document } from 'bson';
import type { Collection } from './collection.js';
import { listIndexSpecs } from './indexes/index_catalog.js';

/** WiredTiger's allocation unit: storage sizes are multiples of it and an empty table still takes one. */
const PAGE_BYTES = 4096;
/** Rough bytes per index entry (key plus RecordId) for the estimated index sizes. */
const INDEX_ENTRY_BYTES = 16;

/** Estimated bytes on disk of a collection's data (an in-memory server has none: a stable, plausible figure). */
export function storageSizeOf(collection: Collection): number {
  return Math.max(PAGE_BYTES, Math.ceil(collection.dataSize / PAGE_BYTES) * PAGE_BYTES);
}

/** Estimated size of one index: a page plus a few bytes per document. */
export function indexSizeOf(collection: Collection): number {
  return PAGE_BYTES + Math.ceil((collection.count * INDEX_ENTRY_BYTES) / PAGE_BYTES) * PAGE_BYTES;
}

/** A number as mongod appends it with appendNumber: an int when it fits in 32 bits, else a double. */
function num(n: number): Int32 | number {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? new Int32(n) : n;
}

/**
 * The storage statistics of a collection in the shape of mongod 7.0's collStats (and of `$collStats`'s
 * `storageStats`): count, size, avgObjSize, storageSize, capped/max/maxSize, nindexes, totalIndexSize, indexSizes,
 * totalSize, scaleFactor. Sizes are divided by `scale` (rounded down, as mongod does). The WiredTiger-specific
 * sections are left out; storage and index sizes are estimates.
 */
export function collectionStats(collection: Collection, scale = 1): Document {
  const specs = listIndexSpecs(collection);
  const indexSizes: Document = {};
  let totalIndexSize = 0;
  for (const spec of specs) {
    const bytes = indexSizeOf(collection);
    indexSizes[String(spec.name)] = num(Math.floor(bytes / scale));
    totalIndexSize += bytes;
  }
  const storageSize = storageSizeOf(collection);
  const stats: Document = {
    ns: collection.ns,
    size: num(Math.floor(collection.dataSize / scale)),
    count: num(collection.count),
  };
  if (collection.count > 0) stats.avgObjSize = num(Math.floor(collection.dataSize / collection.count));
  Object.assign(stats, {
    numOrphanDocs: new Int32(0),
    storageSize: num(Math.floor(storageSize / scale)),
    freeStorageSize: new Int32(0),
    capped: collection.isCapped,
  });
  if (collection.isCapped) {
    stats.max = num(Number(collection.options.max ?? 0));
    stats.maxSize = num(Math.floor(Number(collection.options.size ?? 0) / scale));
  }
  Object.assign(stats, {
    nindexes: new Int32(specs.length),
    indexBuilds: [],
    totalIndexSize: num(Math.floor(totalIndexSize / scale)),
    totalSize: num(Math.floor((storageSize + totalIndexSize) / scale)),
    indexSizes,
    scaleFactor: new Int32(scale),
  });
  return stats;
}
