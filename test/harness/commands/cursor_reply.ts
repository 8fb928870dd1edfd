import type { Document, Long } from 'bson';
import type { CursorBatch, ServerCursor } from '../engine/cursor_registry.js';
import type { CommandContext } from '../command_context.js';
import { Long as BsonLong } from 'bson';
import { isNumeric, toNumber } from '../engine/bson_order.js';
import { CommandError } from '../errors.js';
import { cursorOwnerKey } from '../auth/cursor_owner.js';

/**
 * Builds the `{cursor: {firstBatch|nextBatch, id, ns}}` reply, registering the cursor when it has more to give
 * (or closing it when exhausted).
 */
export function cursorReply(
  ctx: CommandContext,
  cursor: ServerCursor,
  batch: CursorBatch,
  kind: 'firstBatch' | 'nextBatch',
  existingId?: Long,
): Document {
  let id: Long = BsonLong.fromNumber(0);
  if (!batch.exhausted) id = existingId ?? ctx.server.cursors.register(cursor, cursorOwnerKey(ctx.conn));
  else if (existingId) ctx.server.cursors.kill(existingId);
  else cursor.close?.();
  // mongod's CursorResponseBuilder writes the batch, then postBatchResumeToken, then id and ns.
  return { cursor: { [kind]: batch.documents, ...(cursor.replyExtras?.() ?? {}), id, ns: cursor.ns } };
}

/** Reads a numeric argument (batchSize, limit, skip, maxTimeMS) of any numeric BSON type. */
export function numberArg(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (!isNumeric(value)) {
    throw new CommandError('TypeMismatch', `BSON field '${name}' is the wrong type '${typeof value}', expected types '[long, int, decimal, double]'`);
  }
  return toNumber(value);
}
