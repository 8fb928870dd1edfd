import type { Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { assertAdminDb } from './admin_only.js';

/**
 * abortTransaction (admin): undoes the transaction's writes (this server applied them as they came) and ends it.
 * A committed transaction answers TransactionCommitted and an aborted one NoSuchTransaction, both raised when the
 * session is checked out (engine/command_session.ts).
 */
export const abortTransaction: CommandDefinition = {
  run(ctx: CommandContext): Document {
    assertAdminDb(ctx);
    const txn = ctx.op.transaction;
    if (!txn) throw new CommandError('CommandFailed', 'abortTransaction must be run within a transaction');
    txn.abort();
    return {};
  },
};
