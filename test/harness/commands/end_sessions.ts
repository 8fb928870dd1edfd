import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { killSessionCursors, sessionIdsOf } from './session_lists.js';

/**
 * endSessions: forgets the named sessions, aborting their open transactions and killing their cursors. Unknown
 * sessions are ignored, as on mongod (drivers send it when a client closes).
 */
export const endSessions: CommandDefinition = {
  run(ctx: CommandContext): Document {
    killSessionCursors(ctx, ctx.server.sessions.end(sessionIdsOf(ctx)));
    return {};
  },
};
