import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertValidCollectionName, assertValidDbName, Namespace } from '../engine/namespace.js';
import { isView, renameCollection as renameEntries } from '../engine/ddl.js';

function namespaceArg(value: unknown, what: 'source' | 'target'): Namespace {
  if (typeof value !== 'string') throw new CommandError('TypeMismatch', `'${what === 'source' ? 'renameCollection' : 'to'}' must be of type String`);
  let ns: Namespace;
  try {
    ns = Namespace.parse(value);
    assertValidDbName(ns.db);
    assertValidCollectionName(ns.db, ns.coll);
  } catch {
    throw new CommandError('InvalidNamespace', `Invalid ${what} namespace: ${value}`);
  }
  return ns;
}

/**
 * renameCollection (admin database only): `{renameCollection: 'db.a', to: 'db.b', dropTarget}`, within a database
 * or across databases.
 */
export const renameCollection: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    const from = namespaceArg(ctx.body.renameCollection, 'source');
    const to = namespaceArg(ctx.body.to, 'target');
    if (from.toString() === to.toString()) throw new CommandError('IllegalOperation', "Can't rename a collection to itself");
    const source = ctx.server.catalog.getCollection(from.db, from.coll);
    if (!source) throw new CommandError('NamespaceNotFound', `Source collection ${from.toString()} does not exist`);
    if (isView(source)) throw new CommandError('CommandNotSupportedOnView', `Namespace ${from.toString()} is a view, not a collection`);
    if (from.db === 'local' || to.db === 'local') throw new CommandError('IllegalOperation', 'cannot rename collections in the local database');
    renameEntries({ state: ctx.server, writes: ctx.writes, op: ctx.op }, source, to.db, to.coll, ctx.body.dropTarget === true || ctx.body.dropTarget === 1);
    return {};
  },
};
