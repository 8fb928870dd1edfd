import type { Collection } from '../collection.js';
import type { StoredDocument } from '../stored_document.js';
import { compareValues } from '../bson_order.js';

/**
 * Documents of a collection produced a batch at a time. Each batch re-seeks from a saved position, so sources
 * survive writes between getMores (as mongod's yielding cursors do) without holding a B-tree iterator.
 */
export interface DocumentSource {
  /** Up to `max` further documents; fewer only when the source is exhausted. */
  take(max: number, accept: (doc: StoredDocument) => boolean): StoredDocument[];
  readonly exhausted: boolean;
}

/** A scan in natural order (RecordId order), forward or reverse. */
export class NaturalScan implements DocumentSource {
  private lastRecordId: number | undefined;
  exhausted = false;

  constructor(private readonly collection: Collection, private readonly reverse = false) {}

  take(max: number, accept: (doc: StoredDocument) => boolean): StoredDocument[] {
    const out: StoredDocument[] = [];
    if (this.exhausted) return out;
    const records = this.collection.records;
    const iterator = this.reverse
      ? records.entriesReversed(this.lastRecordId === undefined ? undefined : this.lastRecordId - 1)
      : records.entries(this.lastRecordId === undefined ? undefined : this.lastRecordId + 1);
    for (const [recordId, doc] of iterator) {
      this.lastRecordId = recordId;
      if (accept(doc)) out.push(doc);
      if (out.length >= max) return out;
    }
    this.exhausted = true;
    return out;
  }

  /** The RecordId of the last document seen (for tailable cursors that wait at the end). */
  get position(): number | undefined {
    return this.lastRecordId;
  }

  /** Lets a tailable cursor look again for documents inserted after its position. */
  rearm(): void {
    this.exhausted = false;
  }
}

/** Bounds of an `_id` index scan; undefined means unbounded on that side. */
export interface IdBounds {
  lower?: { value: unknown; inclusive: boolean };
  upper?: { value: unknown; inclusive: boolean };
}

/** A scan of the `_id` index between bounds, ascending or descending. */
export class IdRangeScan implements DocumentSource {
  private last: { value: unknown } | undefined;
  exhausted = false;

  constructor(private readonly collection: Collection, private readonly bounds: IdBounds, private readonly reverse = false) {}

  take(max: number, accept: (doc: StoredDocument) => boolean): StoredDocument[] {
    const out: StoredDocument[] = [];
    if (this.exhausted) return out;
    const { idIndex, records } = this.collection;
    const { lower, upper } = this.bounds;
    const start = this.last ? this.last.value : this.reverse ? upper?.value : lower?.value;
    const iterator = this.reverse ? idIndex.entriesReversed(start) : idIndex.entries(start);
    for (const [id, recordId] of iterator) {
      if (this.last && compareValues(id, this.last.value) === 0) continue;
      if (!this.last && this.reverse && upper && !upper.inclusive && compareValues(id, upper.value) === 0) continue;
      if (!this.last && !this.reverse && lower && !lower.inclusive && compareValues(id, lower.value) === 0) continue;
      if (!this.reverse && upper && (upper.inclusive ? compareValues(id, upper.value) > 0 : compareValues(id, upper.value) >= 0)) break;
      if (this.reverse && lower && (lower.inclusive ? compareValues(id, lower.value) < 0 : compareValues(id, lower.value) <= 0)) break;
      this.last = { value: id };
      const doc = records.get(recordId);
      if (doc && accept(doc)) out.push(doc);
      if (out.length >= max) return out;
    }
    this.exhausted = true;
    return out;
  }
}

/** Documents already chosen and ordered (a blocking sort's result). */
export class MaterializedSource implements DocumentSource {
  private index = 0;

  constructor(private readonly documents: StoredDocument[]) {}

  get exhausted(): boolean {
    return this.index >= this.documents.length;
  }

  take(max: number, accept: (doc: StoredDocument) => boolean): StoredDocument[] {
    const out: StoredDocument[] = [];
    while (this.index < this.documents.length && out.length < max) {
      const doc = this.documents[this.index++];
      if (accept(doc)) out.push(doc);
    }
    return out;
  }
}
