import type { CommandContext, CommandDefinition } from '../command_context.js';

/** whatsmyuri: the client's address as the server sees it (`{you: 'host:port'}`). */
export const whatsmyuri: CommandDefinition = {
  requiresAuth: false,
  run: (ctx: CommandContext) => ({ you: ctx.conn.remoteAddress.replace(/^::ffff:/, '') }),
};
