import type { CommandContext } from '../command_context.js';
import { CommandError } from '../errors.js';

/** mongod's check for adminOnly commands: they may only be run against the admin database (Unauthorized, 13). */
export function assertAdminDb(ctx: CommandContext): void {
  if (ctx.db !== 'admin') {
    throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
  }
}
