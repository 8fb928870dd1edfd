import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { saslStart as startConversation } from '../auth/sasl_session.js';

/** saslStart: the first step of a SCRAM-SHA-1 / SCRAM-SHA-256 conversation; allowed before authentication. */
export const saslStart: CommandDefinition = {
  requiresAuth: false,
  run: (ctx: CommandContext): Document => startConversation(ctx.server, ctx.conn, ctx.db, ctx.body),
};
