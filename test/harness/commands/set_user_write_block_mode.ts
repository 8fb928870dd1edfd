import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/**
 * setUserWriteBlockMode (admin, mongod 6.0+): `{global: true}` blocks writes of clients without the
 * bypassWriteBlockingMode privilege (root, restore) with UserWritesBlocked (371); `{global: false}` lifts it.
 * The write path enforces it for every insert, update, delete and implicit create outside admin, config and local.
 * The setUserWriteBlockMode privilege (clusterManager, root) is checked by the auth module.
 */
export const setUserWriteBlockMode: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const global = ctx.body.global;
    if (global === undefined) {
      throw new CommandError('IDLFailedToParse', "BSON field 'setUserWriteBlockMode.global' is missing but a required field", {}, 40414);
    }
    if (typeof global !== 'boolean') {
      throw new CommandError('TypeMismatch', "BSON field 'setUserWriteBlockMode.global' is the wrong type, expected type 'bool'");
    }
    ctx.server.userWritesBlocked = global;
    return {};
  },
};
