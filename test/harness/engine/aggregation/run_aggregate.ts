import type { Document } from 'bson';
import type { CommandContext } from '../../command_context.js';
import { CommandError } from '../../errors.js';

/**
 * Runs an aggregate command's pipeline and returns the cursor reply.
 * Provisional: the aggregation module implements it.
 */
export async function runAggregate(_ctx: CommandContext, _pipeline: Document[]): Promise<Document> {
  throw new CommandError('CommandNotFound', 'aggregation is not implemented yet');
}
