import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { collectionStats } from '../engine/collection_stats.js';
import { isView } from '../engine/ddl.js';
import { scaleArg } from './db_stats.js';

/**
 * collStats: the collection's storage statistics (engine/collection_stats.ts). A missing collection answers
 * ok with zero counts, as mongod has since 4.2 (SERVER-29678); a view is CommandNotSupportedOnView.
 */
export const collStats: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.collStats;
    if (typeof name !== 'string') throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    const scale = scaleArg(ctx.body.scale, 'collStats');
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection) {
      return { ns: `${ctx.db}.${name}`, size: 0, count: 0, storageSize: 0, totalIndexSize: 0, totalSize: 0, indexSizes: {}, scaleFactor: scale, nindexes: 0 };
    }
    if (isView(collection)) throw new CommandError('CommandNotSupportedOnView', `Namespace ${collection.ns} is a view, not a collection`);
    return collectionStats(collection, scale);
  },
};
