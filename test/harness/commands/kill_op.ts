import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/** killOp (admin): accepted as mongod does; operations here finish before another command can name them. */
export const killOp: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    if (ctx.body.op === undefined) throw new CommandError('IDLFailedToParse', "BSON field 'killOp.op' is missing but a required field", {}, 40414);
    return { info: 'attempting to kill op' };
  },
};
