import { Int32, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName } from '../engine/namespace.js';
import { dropCollection, isView } from '../engine/ddl.js';
import { indexCount } from '../engine/indexes/index_catalog.js';

/**
 * drop: a collection (reply `{nIndexesWas, ns}`) or a view (`{ns}`). A namespace that does not exist is `{ok: 1}`
 * since mongod 7.0 (SERVER-43894), no longer NamespaceNotFound.
 */
export const drop: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const name = ctx.body.drop;
    if (typeof name !== 'string') throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
    assertValidCollectionName(ctx.db, name);
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection) return {};
    if (ctx.db === 'local' && name === 'oplog.rs') {
      throw new CommandError('IllegalOperation', "can't drop live oplog while replicating");
    }
    if (ctx.db === 'admin' && name === 'system.version') {
      throw new CommandError('Location50715', 'dropping the server configuration collection (admin.system.version) is not allowed.', {}, 50715);
    }
    const view = isView(collection);
    const nIndexesWas = view ? 0 : indexCount(collection);
    dropCollection({ state: ctx.server, writes: ctx.writes, op: ctx.op }, collection);
    return view ? { ns: collection.ns } : { nIndexesWas: new Int32(nIndexesWas), ns: collection.ns };
  },
};
