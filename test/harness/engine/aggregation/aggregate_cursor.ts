import { calculateObjectSize, type Document } from 'bson';
import type { CursorBatch, ServerCursor } from '../cursor_registry.js';
import { RawBson } from '../../bson/raw_bson.js';
import { BATCH_BYTES_LIMIT } from '../query/find_cursor.js';

/** The BSON size of a result: exact for raw documents, computed for decoded ones. */
function sizeOf(doc: unknown): number {
  return doc instanceof RawBson ? doc.bytes.length : calculateObjectSize(doc as Document);
}

/**
 * A cursor over an aggregation's materialized results. Batches stop at the batch size or at the 16 MiB reply
 * budget (always at least one document, as mongod's).
 */
export class AggregateCursor implements ServerCursor {
  private position = 0;

  constructor(readonly ns: string, private readonly results: unknown[]) {}

  async nextBatch(batchSize: number | undefined): Promise<CursorBatch> {
    return this.take(batchSize);
  }

  /** Synchronous form of nextBatch, for the first batch. */
  take(batchSize: number | undefined): CursorBatch {
    const max = batchSize === undefined ? Infinity : batchSize;
    const documents: unknown[] = [];
    let bytes = 0;
    while (this.position < this.results.length && documents.length < max) {
      const doc = this.results[this.position];
      const size = sizeOf(doc);
      if (documents.length > 0 && bytes + size > BATCH_BYTES_LIMIT) break;
      documents.push(doc);
      bytes += size;
      this.position++;
    }
    return { documents, exhausted: this.position >= this.results.length };
  }

  close(): void {
    this.results.length = 0;
  }
}
