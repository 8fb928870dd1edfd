import type { Document } from 'bson';
import { BTree } from '../btree.js';
import type { Collection, IndexMaintainer } from '../collection.js';
import type { StoredDocument } from '../stored_document.js';
import { duplicateKeyError } from '../duplicate_key.js';
import { compileFilter, type DocumentPredicate } from '../query/filter.js';
import { compareIndexKeys, extractIndexKeys, keyValueOf, lacksAllKeyFields, type IndexKey } from './index_keys.js';

/**
 * A btree index that enforces uniqueness (`unique: true`, or `prepareUnique: true` which refuses new duplicate
 * keys while tolerating old ones). It holds key -> RecordIds for the documents it covers: all of them, or only those
 * with a key field (sparse) or matching the partialFilterExpression. Keys compare in BSON order, so 1, 1.0 and
 * NumberLong(1) collide, and null collides with a missing field. String comparisons are binary whatever the index
 * collation (collations are kept in the catalog only).
 */
export class UniqueIndex implements IndexMaintainer {
  private readonly entries = new BTree<IndexKey, Set<number>>(undefined, compareIndexKeys);
  private readonly keyPattern: Document;
  private readonly covers: DocumentPredicate;

  constructor(readonly spec: Document, private readonly ns: string) {
    this.keyPattern = spec.key as Document;
    const partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression as Document) : undefined;
    const sparse = spec.sparse === true;
    this.covers = (doc) => (!sparse || !lacksAllKeyFields(doc, this.keyPattern)) && (!partial || partial(doc));
  }

  private get enforcing(): boolean {
    return this.spec.unique === true || this.spec.prepareUnique === true;
  }

  private keysOf(doc: StoredDocument): IndexKey[] {
    const decoded = doc.decode();
    return this.covers(decoded) ? extractIndexKeys(decoded, this.keyPattern) : [];
  }

  checkInsert(doc: StoredDocument, replacing?: StoredDocument): void {
    const keys = this.keysOf(doc);
    if (!this.enforcing) return;
    const old = replacing ? this.keysOf(replacing) : [];
    for (const key of keys) {
      // Only keys the new version adds are inserted into the index (mongod's multikey diff on update).
      if (old.some((k) => compareIndexKeys(k, key) === 0)) continue;
      const holders = this.entries.get(key);
      if (holders && [...holders].some((r) => r !== replacing?.recordId)) {
        throw duplicateKeyError(this.ns, String(this.spec.name), this.keyPattern, keyValueOf(this.keyPattern, key));
      }
    }
  }

  add(doc: StoredDocument): void {
    for (const key of this.keysOf(doc)) {
      const holders = this.entries.get(key);
      if (holders) holders.add(doc.recordId);
      else this.entries.set(key, new Set([doc.recordId]));
    }
  }

  remove(doc: StoredDocument): void {
    for (const key of this.keysOf(doc)) {
      const holders = this.entries.get(key);
      if (!holders) continue;
      holders.delete(doc.recordId);
      if (holders.size === 0) this.entries.delete(key);
    }
  }

  /** Groups of RecordIds sharing a key (what converting the index to unique would violate). */
  duplicates(): { key: IndexKey; recordIds: number[] }[] {
    const out: { key: IndexKey; recordIds: number[] }[] = [];
    for (const [key, holders] of this.entries.entries()) if (holders.size > 1) out.push({ key, recordIds: [...holders] });
    return out;
  }

  /** Fills the index from the collection's documents; with `unique`, throws DuplicateKey at the first collision. */
  build(collection: Collection): void {
    for (const doc of collection.naturalOrder()) {
      if (this.spec.unique === true) this.checkInsert(doc);
      this.add(doc);
    }
  }
}

/**
 * An index kept as a catalog entry only: non-unique btree indexes (no query uses them: the planner scans) and
 * text, 2dsphere, 2d, hashed and wildcard indexes, whose key generation the server does not implement.
 */
export class CatalogOnlyIndex implements IndexMaintainer {
  constructor(readonly spec: Document, private readonly checksKeys = false) {}

  /** A btree index still refuses documents it could not index (parallel arrays of a compound key). */
  checkInsert(doc: StoredDocument): void {
    if (this.checksKeys) extractIndexKeys(doc.decode(), this.spec.key as Document);
  }

  add(): void {}
  remove(): void {}
}
