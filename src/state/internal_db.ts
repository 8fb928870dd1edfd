/**
 * The internal database on the destination: never synced, never verified as user data. Its collections hold one
 * migration's state, so that any host can see and steer it and a rerun resumes where the last one stopped.
 */
import type { Collection, Db, Document, MongoClient } from 'mongodb';

/** Name of the internal database. */
export const INTERNAL_DB = '__c2c_sync_internal';

/** Collections of the internal database. */
export const INTERNAL_COLLECTIONS = Object.freeze({
  /** One document per migration id: state, phase, T0, failure. */
  migrations: 'migrations',
  /** One document per copy partition: range, status, last `_id` copied, counts. */
  partitions: 'partitions',
  /** The source's original collection and index definitions, restored at commit. */
  catalog: 'catalog',
  /** One lease per migration id: which process drives it, until when. */
  leases: 'leases',
  /** One change stream checkpoint per migration id: the applied resume token and the events applied. */
  changeCheckpoints: 'changeCheckpoints',
  /** Requests (pause, resume, commit, reverse) for the process that drives a migration, from any host. */
  controlRequests: 'controlRequests',
  /** One document per collection copied again during the change application (a resync): when that copy ended. */
  resyncs: 'resyncs',
} as const);

export type InternalCollectionName = keyof typeof INTERNAL_COLLECTIONS;

/** The internal database of a destination client. */
export function internalDb(destination: MongoClient): Db {
  return destination.db(INTERNAL_DB);
}

/** One internal collection, typed by its document. */
export function internalCollection<T extends Document>(destination: MongoClient, name: InternalCollectionName): Collection<T> {
  return internalDb(destination).collection<T>(INTERNAL_COLLECTIONS[name]);
}
