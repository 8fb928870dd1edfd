import type { Binary, Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { userDigest } from '../engine/sessions.js';
import { killSessionCursors } from './session_lists.js';

/**
 * killAllSessions: `[]` kills every session; `[{user, db}, ...]` kills the sessions of those users. Their
 * transactions are aborted and their cursors killed.
 */
export const killAllSessions: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const users = ctx.body.killAllSessions;
    if (!Array.isArray(users)) throw new CommandError('TypeMismatch', "BSON field 'killAllSessions' is the wrong type, expected type 'array'");
    const { sessions } = ctx.server;
    if (users.length === 0) {
      killSessionCursors(ctx, sessions.endWhere(() => true));
      return {};
    }
    const uids = new Set(users.map((u: Document) => hex(userDigest({ user: String(u.user), db: String(u.db) }))));
    killSessionCursors(ctx, sessions.endWhere((s) => uids.has(hex(s.lsid.uid as Binary))));
    return {};
  },
};

function hex(b: Binary): string {
  return Buffer.from(b.buffer).toString('hex');
}
