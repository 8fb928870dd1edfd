import { Long, type Document } from 'bson';
import type { CommandContext, CommandDefinition } from '../command_context.js';
import { CommandError } from '../errors.js';
import { cursorReply, numberArg } from './cursor_reply.js';
import { ChangeStreamCursor } from '../engine/change_streams/change_stream_cursor.js';

/**
 * Codes after which a change stream can be resumed (mongod's error_labels.cpp isResumableChangeStreamError: network,
 * not-primary, shutdown and stale-routing errors, RetryChangeStream, FailedToSatisfyReadPreference).
 */
export const RESUMABLE_CHANGE_STREAM_CODES: ReadonlySet<number> = new Set([
  6, 7, 63, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436,
]);

/** Adds the ResumableChangeStreamError label to a resumable error of a change stream getMore. */
function withResumableLabel(error: unknown): unknown {
  if (!(error instanceof CommandError) || !RESUMABLE_CHANGE_STREAM_CODES.has(error.code)) return error;
  const labels: string[] = Array.isArray(error.extra.errorLabels) ? error.extra.errorLabels : [];
  if (labels.includes('ResumableChangeStreamError')) return error;
  return new CommandError(error.codeName, error.message, { ...error.extra, errorLabels: [...labels, 'ResumableChangeStreamError'] }, error.code);
}

/** getMore: the next batch of a cursor; tailable and change stream cursors wait up to maxTimeMS for data. */
export const getMore: CommandDefinition = {
  async run(ctx: CommandContext): Promise<Document> {
    const { body, server } = ctx;
    const id = body.getMore;
    if (!(id instanceof Long)) {
      throw new CommandError('TypeMismatch', `Field 'getMore' must be of type long in: ${JSON.stringify(body)}`);
    }
    const ns = `${ctx.db}.${String(body.collection)}`;
    const cursor = server.cursors.get(id, ns);
    const batchSize = numberArg(body.batchSize, 'batchSize', 0);
    const maxTimeMs = numberArg(body.maxTimeMS, 'maxTimeMS', 1000);
    try {
      server.failPoints.afterCursorCheckout();
      const batch = await cursor.nextBatch(batchSize > 0 ? batchSize : undefined, maxTimeMs);
      return cursorReply(ctx, cursor, batch, 'nextBatch', id);
    } catch (error) {
      // A getMore that fails after checking its cursor out destroys the cursor, as on mongod.
      server.cursors.kill(id);
      throw cursor instanceof ChangeStreamCursor ? withResumableLabel(error) : error;
    }
  },
};
