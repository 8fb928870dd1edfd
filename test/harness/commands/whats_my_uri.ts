import type { CommandContext, CommandDefinition } from '../command_context.js';

/** whatsmyuri: the client's address as the server sees it (`{you: 'host:port'}`); any authenticated user may run it. */
export const whatsmyuri: CommandDefinition = {
  run: (ctx: CommandContext) => ({ you: ctx.conn.remoteAddress.replace(/^::ffff:/, '') }),
};
