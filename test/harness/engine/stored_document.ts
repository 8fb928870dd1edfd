import { deserialize, type Document } from 'bson';
import { EXACT_DECODE, RawBson, rawField, decodeElement } from '../bson/raw_bson.js';

/** Marks an `_id` not read from the bytes yet. */
const UNREAD: unique symbol = Symbol('unread');

/** The document {@link StoredDocument.decode} decoded last. */
let lastDecoded: { stored: StoredDocument; doc: Document } | undefined;

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

  /** The decoded document, cached for later uses; callers must not mutate it. */
  get doc(): Document {
    this.decoded ??= deserialize(this.raw, EXACT_DECODE);
    return this.decoded;
  }

  /**
   * The decoded document without caching it (the cached one when there is one): for a scan that looks at each
   * document once, so that reading a collection does not leave a decoded copy of it on the heap.
   */
  decode(): Document {
    if (this.decoded) return this.decoded;
    // One document is often looked at several times in a row (each index's keys, then the filter): the last one
    // decoded is kept, a single slot shared by all documents.
    if (lastDecoded?.stored !== this) lastDecoded = { stored: this, doc: deserialize(this.raw, EXACT_DECODE) };
    return lastDecoded.doc;
  }

  /**
   * One top-level field's value, read from the bytes without decoding the rest (or from the decoded form when it is
   * cached): an oplog entry's `ts` or `wall`, where decoding the whole entry would decode the document inside it.
   */
  field(name: string): unknown {
    if (this.decoded) return this.decoded[name];
    const el = rawField(this.raw, name);
    return el ? decodeElement(this.raw, el) : undefined;
  }

  get size(): number {
    return this.raw.length;
  }

  /** The bytes wrapped for splicing into a reply. */
  toRaw(): RawBson {
    return new RawBson(this.raw);
  }
}
