import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isView } from '../engine/ddl.js';
import { listIndexSpecs } from '../engine/indexes/index_catalog.js';
import { arrayCursorReply } from './array_cursor.js';

/**
 * listIndexes: the index specs as stored (`{v, key, name, ...options}`), `_id_` first; a cursor on
 * `<db>.$cmd.listIndexes.<coll>`. NamespaceNotFound (26) for a missing collection.
 */
export const listIndexes: CommandDefinition = {
  run(ctx: CommandContext): Promise<Document> {
    const name = ctx.body.listIndexes;
    if (typeof name !== 'string') throw new CommandError('TypeMismatch', `collection name has invalid type ${typeof name}`);
    const collection = ctx.server.catalog.getCollection(ctx.db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
    if (isView(collection)) throw new CommandError('CommandNotSupportedOnView', `Namespace ${collection.ns} is a view, not a collection`);
    return arrayCursorReply(ctx, `${ctx.db}.$cmd.listIndexes.${name}`, listIndexSpecs(collection));
  },
};
