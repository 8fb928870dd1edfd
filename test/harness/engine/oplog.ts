import { Long, type Document } from 'bson';
import { Collection } from './collection.js';
import { ClusterClock } from './cluster_clock.js';
import { serializeWithRaw } from '../bson/raw_bson.js';
import type { StoredDocument } from './stored_document.js';

/** The oplog namespace, readable with find like mongod's. */
export const OPLOG_DB = 'local';
export const OPLOG_COLLECTION = 'oplog.rs';

/** The term reported in optimes and oplog entries: this server is the only member and never steps down. */
export const TERM = Long.fromNumber(1);

/**
 * The replication log: a capped collection `local.oplog.rs` without an `_id` index whose entries have the shape of
 * mongod's (op, ns, ui, o, o2, ts, t, v, wall, and lsid/txnNumber/stmtId/prevOpTime for transactions). Each
 * appended entry takes the next cluster time, so the log is ordered by `ts`.
 */
export class Oplog {
  readonly collection: Collection;

  constructor(private readonly clock: ClusterClock, sizeBytes: number) {
    this.collection = new Collection(OPLOG_DB, OPLOG_COLLECTION, { capped: true, size: sizeBytes }, undefined, false);
  }

  /** Appends one entry (without ts/t/v/wall, which are set here) and returns the stored entry. */
  append(entry: Document): StoredDocument {
    const ts = this.clock.tick();
    const { lsid, txnNumber, stmtId, prevOpTime, ...rest } = entry;
    const full: Document = { ...rest, ts, t: TERM, v: Long.fromNumber(2), wall: new Date() };
    if (lsid !== undefined) Object.assign(full, { lsid, txnNumber, stmtId, prevOpTime });
    for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
    return this.collection.insert(serializeWithRaw(full)).inserted;
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
