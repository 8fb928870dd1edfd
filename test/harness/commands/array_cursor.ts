import type { Document } from 'bson';
import type { CursorBatch, ServerCursor } from '../engine/cursor_registry.js';
import type { CommandContext } from '../command_context.js';
import { cursorReply, numberArg } from './cursor_reply.js';
import { CommandError } from '../errors.js';

/** A cursor over results computed up front (listCollections, listIndexes): batches are slices of the list. */
export class ArrayCursor implements ServerCursor {
  private position = 0;

  constructor(readonly ns: string, private readonly results: Document[]) {}

  async nextBatch(batchSize: number | undefined): Promise<CursorBatch> {
    const end = batchSize && batchSize > 0 ? this.position + batchSize : this.results.length;
    const documents = this.results.slice(this.position, end);
    this.position += documents.length;
    return { documents, exhausted: this.position >= this.results.length };
  }
}

/**
 * Replies with the first batch of `results` as a cursor on `ns` (`cursor: {batchSize}` of the command, default:
 * everything in the first batch, as mongod's listCollections/listIndexes).
 */
export async function arrayCursorReply(ctx: CommandContext, ns: string, results: Document[]): Promise<Document> {
  const cursorOption = ctx.body.cursor;
  if (cursorOption !== undefined && (cursorOption === null || typeof cursorOption !== 'object' || Array.isArray(cursorOption))) {
    throw new CommandError('TypeMismatch', `BSON field '${ctx.commandName}.cursor' is the wrong type, expected type 'object'`);
  }
  const batchSize = numberArg((cursorOption as Document | undefined)?.batchSize, 'cursor.batchSize', 0);
  if (batchSize < 0) throw new CommandError('BadValue', 'BatchSize value must be non-negative', {}, 51024);
  const cursor = new ArrayCursor(ns, results);
  const explicit = (cursorOption as Document | undefined)?.batchSize !== undefined;
  const batch = explicit && batchSize === 0
    ? { documents: [], exhausted: results.length === 0 }
    : await cursor.nextBatch(explicit ? batchSize : undefined);
  return cursorReply(ctx, cursor, batch, 'firstBatch');
}
