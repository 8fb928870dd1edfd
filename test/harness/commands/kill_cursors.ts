import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';

/** killCursors: reports which ids were killed and which were not found, as mongod does. */
export const killCursors: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const ids = ctx.body.cursors;
    if (!Array.isArray(ids)) throw new CommandError('TypeMismatch', "BSON field 'killCursors.cursors' is missing or not an array");
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const id of ids) {
      const longId = id instanceof Long ? id : Long.fromNumber(Number(id));
      (ctx.server.cursors.kill(longId) ? cursorsKilled : cursorsNotFound).push(longId);
    }
    return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [] };
  },
};
