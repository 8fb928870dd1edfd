import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { saslContinue as continueConversation } from '../auth/sasl_session.js';

/** saslContinue: the next steps of the conversation saslStart (or hello's speculativeAuthenticate) began. */
export const saslContinue: CommandDefinition = {
  requiresAuth: false,
  run: (ctx: CommandContext): Document => continueConversation(ctx.server, ctx.conn, ctx.body),
};
