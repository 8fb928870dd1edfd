import { userDigest } from '../engine/sessions.js';
import type { Binary, Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { killSessionCursors, sessionIdsOf } from './session_lists.js';

/**
 * killSessions: kills the named sessions (their transactions are aborted, their cursors killed). An empty list
 * kills every session of the caller (every session without auth).
 */
export const killSessions: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const ids = sessionIdsOf(ctx);
    const { sessions } = ctx.server;
    if (ids.length === 0) {
      const mine = hex(userDigest(ctx.server.authEnabled ? ctx.conn.users[0] : undefined));
      killSessionCursors(ctx, sessions.endWhere((s) => !ctx.server.authEnabled || hex(s.lsid.uid as Binary) === mine));
      return {};
    }
    killSessionCursors(ctx, sessions.end(ids));
    return {};
  },
};

function hex(b: Binary): string {
  return Buffer.from(b.buffer).toString('hex');
}
