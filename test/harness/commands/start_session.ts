import { Int32, UUID, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { userDigest } from '../engine/sessions.js';

/** startSession: creates a server session and answers `{id: {id: UUID}, timeoutMinutes}` as mongod does. */
export const startSession: CommandDefinition = {
  run(ctx: CommandContext): Document {
    const id = new UUID().toBinary();
    const uid = userDigest(ctx.server.authEnabled ? ctx.conn.users[0] : undefined);
    ctx.server.sessions.checkOut({ id, uid });
    return { id: { id }, timeoutMinutes: new Int32(ctx.server.sessions.timeoutMinutes) };
  },
};
