import { deserialize, type Document } from 'bson';
import { EXACT_DECODE, RawBson, rawField, decodeElement } from '../bson/raw_bson.js';

/** Marks an `_id` not read from the bytes yet. */
const UNREAD: unique symbol = Symbol('unread');

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
    /** The decoded `_id`; when omitted it is read from `raw` on first use (the oplog's entries never need it). */
    private idValue: unknown = UNREAD,
  ) {}

  static fromRaw(recordId: number, raw: Buffer): StoredDocument {
    return new StoredDocument(recordId, raw, StoredDocument.idOf(raw));
  }

  /** The decoded `_id` of a document's bytes, or undefined when it has none. */
  static idOf(raw: Buffer): unknown {
    const el = rawField(raw, '_id');
    return el ? decodeElement(raw, el) : undefined;
  }

  /** The decoded `_id` (undefined only for documents without one, such as oplog entries). */
  get id(): unknown {
    if (this.idValue === UNREAD) this.idValue = StoredDocument.idOf(this.raw);
    return this.idValue;
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
