import { Binary, UUID, type Document } from 'bson';
import { BTree } from './btree.js';
import { compareValues } from './bson_order.js';
import { StoredDocument } from './stored_document.js';
import { duplicateKeyError } from './duplicate_key.js';
import { CommandError } from '../errors.js';
import { MAX_BSON_OBJECT_SIZE } from '../wire/constants.js';

/**
 * The enforcement side of a secondary index (unique constraint, key lookups). The catalog entry of the index is
 * its `spec`; index kinds that the server only records (text, 2dsphere, ...) have a maintainer that does nothing.
 */
export interface IndexMaintainer {
  readonly spec: Document;
  /** Throws DuplicateKey when `doc` would violate the index; `replacing` is the version it replaces, if any. */
  checkInsert(doc: StoredDocument, replacing?: StoredDocument): void;
  add(doc: StoredDocument): void;
  remove(doc: StoredDocument): void;
}

/** Creates a maintainer for an index spec; installed by the index module so that this file stays storage only. */
export type IndexMaintainerFactory = (collection: Collection, spec: Document) => IndexMaintainer;

/** What a collection was created with, as listCollections reports it under `options`. */
export type CollectionOptions = Document;

/**
 * A collection's documents in natural order (by RecordId), its `_id` index, its secondary indexes and its
 * options. Knows nothing of the oplog, sessions or the wire: the write path (write_path.ts) wraps these calls.
 */
export class Collection {
  /** Documents by RecordId: iteration order is natural order. */
  readonly records: BTree<number, StoredDocument> = new BTree<number, StoredDocument>(undefined, (a, b) => a - b);
  /** `_id` value -> RecordId, ordered by MongoDB's BSON order. */
  readonly idIndex: BTree<unknown, number> = new BTree<unknown, number>(undefined, compareValues);
  /** Secondary indexes by name, in creation order (the `_id_` index is implicit and listed first). */
  readonly indexes = new Map<string, IndexMaintainer>();
  private nextRecordId = 1;
  private totalBytes = 0;

  constructor(
    public db: string,
    public name: string,
    public options: CollectionOptions = {},
    readonly uuid: Binary = new UUID().toBinary(),
    /** False for collections stored without an `_id` index (the oplog). */
    readonly hasIdIndex = true,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get count(): number {
    return this.records.size;
  }

  /** Sum of the BSON sizes of the documents (collStats `size`). */
  get dataSize(): number {
    return this.totalBytes;
  }

  get isCapped(): boolean {
    return this.options.capped === true;
  }

  findById(id: unknown): StoredDocument | undefined {
    const recordId = this.idIndex.get(id);
    return recordId === undefined ? undefined : this.records.get(recordId);
  }

  /**
   * Inserts a document (whose `_id`, when the collection has an `_id` index, is already set) and returns it with
   * the capped documents it evicted. Throws DuplicateKey or BSONObjectTooLarge, leaving nothing changed. `id` is the
   * document's decoded `_id` when the caller has already read it.
   */
  insert(raw: Buffer, ...id: [] | [unknown]): { inserted: StoredDocument; evicted: StoredDocument[] } {
    // The oplog (no `_id` index) holds entries around user documents: mongod allows those 16 KiB more.
    assertSize(raw, this.hasIdIndex ? MAX_BSON_OBJECT_SIZE : MAX_INTERNAL_BSON_SIZE);
    // mongod refuses a document that alone exceeds a capped collection's size (collection_write_path.cpp); the
    // oplog (no `_id` index) is exempt.
    if (this.isCapped && this.hasIdIndex && this.options.size !== undefined && raw.length > Number(this.options.size)) {
      throw new CommandError('BadValue', 'object to insert exceeds cappedMaxSize');
    }
    // Without an `_id` index (the oplog) nothing needs the `_id` now: it is read on first use, if ever.
    const doc = !this.hasIdIndex ? new StoredDocument(this.nextRecordId, raw)
      : id.length ? new StoredDocument(this.nextRecordId, raw, id[0]) : StoredDocument.fromRaw(this.nextRecordId, raw);
    if (this.hasIdIndex && this.idIndex.has(doc.id)) {
      throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc.id });
    }
    for (const index of this.indexes.values()) index.checkInsert(doc);
    this.nextRecordId++;
    this.records.set(doc.recordId, doc);
    if (this.hasIdIndex) this.idIndex.set(doc.id, doc.recordId);
    for (const index of this.indexes.values()) index.add(doc);
    this.totalBytes += doc.size;
    return { inserted: doc, evicted: this.evictCapped() };
  }

  /** Replaces a document in place (same RecordId, same `_id`). Throws DuplicateKey leaving nothing changed. */
  replace(old: StoredDocument, raw: Buffer): StoredDocument {
    assertSize(raw);
    const doc = StoredDocument.fromRaw(old.recordId, raw);
    if (this.hasIdIndex && compareValues(doc.id, old.id) !== 0) {
      throw new CommandError('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(doc.id)}`);
    }
    for (const index of this.indexes.values()) index.checkInsert(doc, old);
    for (const index of this.indexes.values()) index.remove(old);
    this.records.set(doc.recordId, doc);
    for (const index of this.indexes.values()) index.add(doc);
    this.totalBytes += doc.size - old.size;
    return doc;
  }

  /**
   * Puts a removed document back at its RecordId (the undo of a delete when a transaction aborts), so natural order
   * is as before. Throws DuplicateKey, leaving nothing changed, when its keys were taken meanwhile.
   */
  restore(doc: StoredDocument): void {
    if (this.records.has(doc.recordId)) return;
    if (this.hasIdIndex && this.idIndex.has(doc.id)) throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc.id });
    for (const index of this.indexes.values()) index.checkInsert(doc);
    this.records.set(doc.recordId, doc);
    if (this.hasIdIndex) this.idIndex.set(doc.id, doc.recordId);
    for (const index of this.indexes.values()) index.add(doc);
    this.totalBytes += doc.size;
  }

  remove(doc: StoredDocument): void {
    if (!this.records.delete(doc.recordId)) return;
    if (this.hasIdIndex) this.idIndex.delete(doc.id);
    for (const index of this.indexes.values()) index.remove(doc);
    this.totalBytes -= doc.size;
  }

  /** Documents in natural order starting after `afterRecordId` (exclusive), or in reverse before it. */
  *naturalOrder(afterRecordId = 0, reverse = false): Generator<StoredDocument> {
    if (reverse) {
      const start = afterRecordId > 0 ? afterRecordId - 1 : undefined;
      for (const [, doc] of this.records.entriesReversed(start)) yield doc;
      return;
    }
    for (const [, doc] of this.records.entries(afterRecordId + 1)) yield doc;
  }

  /** Removes the oldest documents of a capped collection past its `size` (bytes) or `max` (count). */
  private evictCapped(): StoredDocument[] {
    if (!this.isCapped) return [];
    const maxBytes = Number(this.options.size ?? Infinity);
    const maxDocs = this.options.max ? Number(this.options.max) : Infinity;
    const evicted: StoredDocument[] = [];
    // mongod keeps at least the newest document even when it alone exceeds the size.
    while (this.records.size > 1 && (this.totalBytes > maxBytes || this.records.size > maxDocs)) {
      const oldest = this.records.minKey()!;
      const doc = this.records.get(oldest)!;
      this.remove(doc);
      evicted.push(doc);
    }
    return evicted;
  }
}

/** mongod's BSONObjMaxInternalSize: the user limit plus 16 KiB for the server's own wrappers (oplog entries). */
export const MAX_INTERNAL_BSON_SIZE = MAX_BSON_OBJECT_SIZE + 16 * 1024;

function assertSize(raw: Buffer, maxBytes = MAX_BSON_OBJECT_SIZE): void {
  if (raw.length > maxBytes) {
    throw new CommandError('BSONObjectTooLarge', `object to insert too large. size in bytes: ${raw.length}, max size: ${maxBytes}`);
  }
}
