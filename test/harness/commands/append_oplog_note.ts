import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { isEmbeddedDocument } from '../engine/oplog_diff.js';

/**
 * appendOplogNote {data} (admin only): writes a no-op oplog entry `{op: 'n', ns: '', o: data}`, which moves the
 * cluster time forward (tools use it to make change streams and majority reads advance).
 */
export const appendOplogNote: CommandDefinition = {
  run(ctx: CommandContext): Document {
    if (ctx.db !== 'admin') {
      throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
    }
    const data = ctx.body.data;
    if (data === undefined) throw new CommandError('NoSuchKey', 'Missing expected field "data"', {}, 4);
    if (!isEmbeddedDocument(data)) {
      throw new CommandError('TypeMismatch', `"data" had the wrong type. Expected object, found ${Array.isArray(data) ? 'array' : typeof data}`);
    }
    ctx.writes.noop(data);
    return {};
  },
};
