import { Long, type Document } from 'bson';
import { Collection } from './collection.js';
import { ClusterClock } from './cluster_clock.js';
import { BsonBuilder } from '../bson/bson_builder.js';
import type { StoredDocument } from './stored_document.js';

/** The oplog namespace, readable with find like mongod's. */
export const OPLOG_DB = 'local';
export const OPLOG_COLLECTION = 'oplog.rs';

/** The term reported in optimes and oplog entries: this server is the only member and never steps down. */
export const TERM = Long.fromNumber(1);

/** The oplog entry format version (`v`) of mongod 7.0's entries. */
const VERSION = Long.fromNumber(2);
/** Fields that append() sets itself. */
const OPTIME_FIELDS: readonly string[] = ['ts', 't', 'v', 'wall'];
/** A retryable write's or transaction's session fields, written after the optime fields. */
const SESSION_FIELDS: readonly string[] = ['lsid', 'txnNumber', 'stmtId', 'prevOpTime'];

/**
 * The replication log: a capped collection `local.oplog.rs` without an `_id` index whose entries have the shape of
 * mongod's (op, ns, ui, o, o2, ts, t, v, wall, and lsid/txnNumber/stmtId/prevOpTime for transactions). Each
 * appended entry takes the next cluster time, so the log is ordered by `ts`.
 */
export class Oplog {
  readonly collection: Collection;
  private readonly builder = new BsonBuilder();

  constructor(private readonly clock: ClusterClock, sizeBytes: number) {
    this.collection = new Collection(OPLOG_DB, OPLOG_COLLECTION, { capped: true, size: sizeBytes }, undefined, false);
  }

  /**
   * Appends one entry and returns the stored entry. The entry's fields come first in their order (undefined ones
   * left out), then ts/t/v/wall (set here), then the session fields lsid, txnNumber, stmtId and prevOpTime when it
   * has an lsid (without one they are dropped).
   */
  append(entry: Document): StoredDocument {
    const ts = this.clock.tick();
    // Encoded field by field into a reused buffer: an insert's entry costs one copy of the document's bytes, where
    // building the entry object and serializing it cost more than the insert itself.
    const bytes = this.builder.begin();
    for (const key of Object.keys(entry)) {
      const value = entry[key];
      if (value !== undefined && !SESSION_FIELDS.includes(key) && !OPTIME_FIELDS.includes(key)) bytes.value(key, value);
    }
    bytes.int64('ts', ts).int64('t', TERM).int64('v', VERSION).date('wall', Date.now());
    if (entry.lsid !== undefined) {
      for (const key of SESSION_FIELDS) if (entry[key] !== undefined) bytes.value(key, entry[key]);
    }
    return this.collection.insert(bytes.finish()).inserted;
  }

  /** The oldest entry still held (the start of the oplog window), or undefined when empty. */
  first(): StoredDocument | undefined {
    const k = this.collection.records.minKey();
    return k === undefined ? undefined : this.collection.records.get(k);
  }

  last(): StoredDocument | undefined {
    const k = this.collection.records.maxKey();
    return k === undefined ? undefined : this.collection.records.get(k);
  }
}
