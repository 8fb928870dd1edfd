import type { CommandContext, CommandDefinition } from '../command_context.js';

/** logout: forgets the connection's user and any SASL conversation in progress (deprecated on mongod, still served). */
export const logout: CommandDefinition = {
  requiresAuth: false,
  run(ctx: CommandContext) {
    ctx.conn.users.length = 0;
    ctx.conn.saslConversations.clear();
    return {};
  },
};
