import type { CommandContext } from '../command_context.js';
import { CommandError } from '../errors.js';

/** mongod's check for adminOnly commands: they may only be run against the admin database (Unauthorized, 13). */
export function assertAdminDb(ctx: CommandContext): void {
  if (ctx.db !== 'admin') {
    throw new CommandError('Unauthorized', `${ctx.commandName} may only be run against the admin database.`);
  }
}

/**
 * Whether one of the connection's users holds one of `roles` on the admin database (or no auth is configured).
 * A stand-in for the privilege checks of the auth module for the admin commands of this module.
 */
export function hasAdminRole(ctx: CommandContext, roles: readonly string[]): boolean {
  if (!ctx.server.authEnabled) return true;
  return ctx.conn.users.some((u) => u.roles.some((r) => r.db === 'admin' && roles.includes(r.role)));
}

/** Throws mongod's Unauthorized error for a command the connection's users may not run. */
export function assertAdminRole(ctx: CommandContext, roles: readonly string[]): void {
  if (!hasAdminRole(ctx, roles)) {
    throw new CommandError('Unauthorized', `not authorized on ${ctx.db} to execute command { ${ctx.commandName}: ... }`);
  }
}
