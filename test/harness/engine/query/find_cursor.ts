import type { Document } from 'bson';
import type { CursorBatch, ServerCursor } from '../cursor_registry.js';
import type { DocumentSource } from './document_source.js';
import type { DocumentPredicate } from './filter.js';
import type { Projector } from './projection.js';
import type { StoredDocument } from '../stored_document.js';
import type { RawBson } from '../../bson/raw_bson.js';

/** Replies stop adding documents past this many bytes (mongod's 16 MiB reply budget, minus headroom). */
export const BATCH_BYTES_LIMIT = 16 * 1024 * 1024 - 16 * 1024;

/** What a find cursor needs besides its source. */
export interface FindCursorOptions {
  ns: string;
  residual: DocumentPredicate | undefined;
  projector: Projector | undefined;
  skip: number;
  /** 0 = no limit. */
  limit: number;
  /** Waits for new documents at the end instead of closing (tailable cursor on a capped collection). */
  tailable?: { awaitData: boolean; wait: (ms: number) => Promise<boolean>; rearm: () => void };
}

/** A cursor over a find's results; batches stop at the batch size or the 16 MiB budget. */
export class FindCursor implements ServerCursor {
  readonly ns: string;
  private skipped = 0;
  private returned = 0;

  constructor(private readonly source: DocumentSource, private readonly options: FindCursorOptions) {
    this.ns = options.ns;
  }

  async nextBatch(batchSize: number | undefined, maxAwaitTimeMs: number | undefined): Promise<CursorBatch> {
    let documents = this.fill(batchSize);
    const tail = this.options.tailable;
    if (documents.length === 0 && tail && tail.awaitData) {
      if (await tail.wait(maxAwaitTimeMs ?? 1000)) {
        tail.rearm();
        documents = this.fill(batchSize);
      }
    }
    if (tail) {
      tail.rearm();
      return { documents, exhausted: false };
    }
    return { documents, exhausted: this.isDone() };
  }

  private isDone(): boolean {
    return this.source.exhausted || (this.options.limit > 0 && this.returned >= this.options.limit);
  }

  private fill(batchSize: number | undefined): (RawBson | Document)[] {
    const { residual, projector, skip, limit } = this.options;
    let max = batchSize && batchSize > 0 ? batchSize : Infinity;
    if (limit > 0) max = Math.min(max, limit - this.returned);
    const out: (RawBson | Document)[] = [];
    let bytes = 0;
    while (out.length < max && !this.source.exhausted) {
      // Take as many as the byte budget probably allows, judged by the sizes seen so far (at least one).
      const averageSize = out.length ? bytes / out.length : 16 * 1024;
      const want = Math.max(1, Math.min(max - out.length, 1000, Math.floor((BATCH_BYTES_LIMIT - bytes) / averageSize)));
      // Documents decoded for the filter are projected from the same decoding.
      const filtered = residual && projector ? new Map<StoredDocument, Document>() : undefined;
      const docs = this.source.take(want, (d: StoredDocument) => {
        if (residual) {
          const decoded = d.decode();
          if (!residual(decoded)) return false;
          filtered?.set(d, decoded);
        }
        if (this.skipped < skip) {
          this.skipped++;
          return false;
        }
        return true;
      });
      for (const d of docs) {
        out.push(projector ? projector(filtered?.get(d) ?? d.decode()) : d.toRaw());
        bytes += d.size;
      }
      if (bytes >= BATCH_BYTES_LIMIT) break;
    }
    this.returned += out.length;
    return out;
  }
}
