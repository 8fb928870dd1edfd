import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';

/**
 * authenticate: on mongod 7.0 only MONGODB-X509 uses it, and that needs a TLS client certificate, which this server
 * (plain TCP) never has. Every mechanism is refused with mongod's MechanismUnavailable wording plus the reason.
 */
export const authenticate: CommandDefinition = {
  requiresAuth: false,
  run(ctx: CommandContext): never {
    const mechanism = typeof ctx.body.mechanism === 'string' ? ctx.body.mechanism : '(none)';
    throw new CommandError(
      'MechanismUnavailable',
      `Received authentication for mechanism ${mechanism} which is not enabled (the embedded server supports SCRAM-SHA-1 and SCRAM-SHA-256 through saslStart only; it has no TLS, so no MONGODB-X509)`,
    );
  },
};
