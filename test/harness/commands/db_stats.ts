import { Double, Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isNumeric, toNumber } from '../engine/bson_order.js';
import { indexSizeOf, storageSizeOf } from '../engine/collection_stats.js';
import { listIndexSpecs } from '../engine/indexes/index_catalog.js';
import { isView } from '../engine/ddl.js';

/** Reads collStats/dbStats `scale` (a positive number; mongod truncates it to an integer). */
export function scaleArg(value: unknown, command: string): number {
  if (value === undefined) return 1;
  if (!isNumeric(value)) throw new CommandError('TypeMismatch', `BSON field '${command}.scale' is the wrong type, expected types '[long, int, decimal, double]'`);
  const scale = Math.trunc(toNumber(value));
  if (scale < 1) throw new CommandError('BadValue', 'Scale factor must be greater than zero', {}, 51024);
  return scale;
}

/**
 * dbStats: collections, views, objects, avgObjSize, dataSize, storageSize, indexes, indexSize, totalSize,
 * scaleFactor and file system figures, as mongod 7.0 (sizes as doubles, divided by `scale`). An absent database
 * reports zeros.
 */
export const dbStats: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const scale = scaleArg(ctx.body.scale, 'dbStats');
    const all = ctx.server.catalog.listCollections(ctx.db);
    const collections = all.filter((c) => !isView(c));
    let objects = 0;
    let dataSize = 0;
    let storageSize = 0;
    let indexes = 0;
    let indexSize = 0;
    for (const c of collections) {
      objects += c.count;
      dataSize += c.dataSize;
      storageSize += storageSizeOf(c);
      const n = listIndexSpecs(c).length;
      indexes += n;
      indexSize += n * indexSizeOf(c);
    }
    const d = (n: number) => new Double(n / scale);
    return {
      db: ctx.db,
      collections: new Int32(collections.length),
      views: new Int32(all.length - collections.length),
      objects: new Int32(objects),
      avgObjSize: new Double(objects ? dataSize / objects : 0),
      dataSize: d(dataSize),
      storageSize: d(storageSize),
      indexes: new Int32(indexes),
      indexSize: d(indexSize),
      totalSize: d(storageSize + indexSize),
      scaleFactor: new Int32(scale),
      fsUsedSize: d(0),
      fsTotalSize: d(0),
    };
  },
};
