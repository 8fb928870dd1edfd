import type { CommandDefinition } from '../command_context.js';

/** ping answers `{ok: 1}`; mongod allows it before authentication. */
export const ping: CommandDefinition = {
  requiresAuth: false,
  run: () => ({}),
};
