import { Int32, Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/**
 * configureFailPoint (admin, test command): sets a fail point's mode and data and answers the number of times it
 * was entered before (`count`), as mongod started with enableTestCommands. Never failed by failCommand itself.
 */
export const configureFailPoint: CommandDefinition = {
  requiresAuth: false,
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const name = ctx.body.configureFailPoint;
    if (typeof name !== 'string') throw new CommandError('TypeMismatch', "BSON field 'configureFailPoint' must be a string");
    if (ctx.body.mode === undefined) throw new CommandError('IllegalOperation', "Missing mode");
    const count = ctx.server.failPoints.configure(name, ctx.body.mode, ctx.body.data);
    // BSONObjBuilder::appendNumber writes an int32 when the value fits.
    return { count: count < 2 ** 30 ? new Int32(count) : Long.fromNumber(count) };
  },
};
