import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { dropDatabase as dropDatabaseEntries } from '../engine/ddl.js';

/** dropDatabase: drops every collection and view of `$db`; replies `{dropped: <db>}`, or just ok when absent. */
export const dropDatabase: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db === 'admin') throw new CommandError('IllegalOperation', "Dropping the 'admin' database is prohibited.");
    if (ctx.db === 'local') throw new CommandError('IllegalOperation', "Cannot drop 'local' database while replication is active");
    const dropped = dropDatabaseEntries({ state: ctx.server, writes: ctx.writes, op: ctx.op }, ctx.db);
    return dropped ? { dropped: ctx.db } : {};
  },
};
