/**
 * The source's oplog window: the cluster times of the oldest and newest entries of `local.oplog.rs`. A change stream
 * can resume only from a position inside it, so a sync whose applied position falls behind the oldest entry has
 * lost history (ChangeStreamHistoryLost).
 *
 * Read with two finds in natural order, forwards and backwards, limit 1, projecting `ts` only: the oplog is a capped
 * collection in insertion order, so both ends are read without a scan (mongod's own `rs.printReplicationInfo()`
 * does the same).
 */
import type { MongoClient, Timestamp } from 'mongodb';

/** Both ends of the oplog. */
export interface OplogWindow {
  readonly oldest: Timestamp;
  readonly newest: Timestamp;
}

/**
 * The source's oplog window, or undefined when the oplog is empty or cannot be read (a mongos has no
 * `local.oplog.rs`; a user without read access to `local`).
 */
export async function readOplogWindow(source: MongoClient): Promise<OplogWindow | undefined> {
  const oplog = source.db('local').collection<{ ts: Timestamp }>('oplog.rs');
  const end = async (direction: 1 | -1) => {
    const [entry] = await oplog.find({}, { sort: { $natural: direction }, limit: 1, projection: { _id: 0, ts: 1 } }).toArray();
    return entry?.ts;
  };
  try {
    const [oldest, newest] = await Promise.all([end(1), end(-1)]);
    return oldest === undefined || newest === undefined ? undefined : { oldest, newest };
  } catch {
    return undefined;
  }
}

/** The window's length in seconds (newest minus oldest entry). */
export function oplogWindowSeconds(window: OplogWindow): number {
  return Math.max(0, (window.newest.high >>> 0) - (window.oldest.high >>> 0));
}
