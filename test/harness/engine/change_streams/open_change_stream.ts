import type { Document } from 'bson';
import type { CommandContext } from '../../command_context.js';
import { CommandError } from '../../errors.js';

/**
 * Opens a change stream for an aggregate whose first stage is `$changeStream` and returns the aggregate reply.
 * Provisional: the change stream module implements it.
 */
export async function openChangeStream(_ctx: CommandContext, _pipeline: Document[]): Promise<Document> {
  throw new CommandError('CommandNotFound', 'change streams are not implemented yet');
}
