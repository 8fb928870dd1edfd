import { Long, type Document } from 'bson';
import type { CommandContext } from '../command_context.js';
import { CommandError } from '../errors.js';
import { makeLogicalSessionId, userDigest, type LogicalSession } from '../engine/sessions.js';

/** mongod's limit on the number of sessions one endSessions/killSessions/refreshSessions command may name. */
export const MAX_SESSIONS_PER_COMMAND = 10_000;

/** The session ids (`[{id: UUID}, ...]`) given as the command's first field, completed with the caller's uid. */
export function sessionIdsOf(ctx: CommandContext): Document[] {
  const list = ctx.body[ctx.commandName];
  if (!Array.isArray(list)) {
    throw new CommandError('TypeMismatch', `BSON field '${ctx.commandName}' is the wrong type '${typeof list}', expected type 'array'`);
  }
  if (list.length > MAX_SESSIONS_PER_COMMAND) {
    throw new CommandError('BadValue', `${ctx.commandName} may not contain more than ${MAX_SESSIONS_PER_COMMAND} sessions`);
  }
  const uid = userDigest(ctx.server.authEnabled ? ctx.conn.users[0] : undefined);
  return list.map((lsid) => makeLogicalSessionId(lsid, uid));
}

/** Kills the cursors that were opened in ended sessions. */
export function killSessionCursors(ctx: CommandContext, sessions: LogicalSession[]): void {
  for (const session of sessions) {
    for (const id of session.cursorIds) ctx.server.cursors.kill(Long.fromString(id));
  }
}
