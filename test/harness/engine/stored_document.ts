import { deserialize, type Document } from 'bson';
import { EXACT_DECODE, RawBson, rawField, decodeElement } from '../bson/raw_bson.js';

/**
 * One document of a collection, kept as the exact bytes it was written with. The decoded form is made on first use
 * (query matching, updates) and cached; the bytes are what every read returns.
 */
export class StoredDocument {
  private decoded: Document | undefined;

  constructor(
    /** Position in natural (insertion) order; stable across in-place updates, like a WiredTiger RecordId. */
    readonly recordId: number,
    readonly raw: Buffer,
    /** The decoded `_id` (undefined only for collections without `_id`, such as the oplog). */
    readonly id: unknown,
  ) {}

  static fromRaw(recordId: number, raw: Buffer): StoredDocument {
    const el = rawField(raw, '_id');
    return new StoredDocument(recordId, raw, el ? decodeElement(raw, el) : undefined);
  }

  /** The decoded document; callers must not mutate it. */
  get doc(): Document {
    this.decoded ??= deserialize(this.raw, EXACT_DECODE);
    return this.decoded;
  }

  get size(): number {
    return this.raw.length;
  }

  /** The bytes wrapped for splicing into a reply. */
  toRaw(): RawBson {
    return new RawBson(this.raw);
  }
}
