/**
 * Collections copied again during the change application (resyncs, see changes/event_translation.ts) and when each
 * copy ended: a rename at or before that time may have hidden documents from the copy, so the change application
 * must know it after a restart too.
 */
import type { MongoClient, Timestamp } from 'mongodb';
import { internalCollection } from './internal_db.js';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';

/** One collection's latest resync. */
export interface ResyncDocument {
  /** `<migrationId>/<db>.<coll>`. */
  _id: string;
  migrationId: string;
  db: string;
  coll: string;
  /** The from-side's cluster time when the copy had read everything it copied (taken after its last read). */
  copiedUntil: Timestamp;
  /** When the resync was recorded. */
  at: Date;
}

/** Reads and writes resync records. */
export class ResyncStore {
  constructor(private readonly stateClient: MongoClient) {}

  private get collection() {
    return internalCollection<ResyncDocument>(this.stateClient, 'resyncs');
  }

  /** Records a finished resync; a later one of the same collection replaces it (its copy ended later). */
  async save(migrationId: string, ns: { readonly db: string; readonly coll: string }, copiedUntil: Timestamp, at: Date): Promise<void> {
    const doc: ResyncDocument = { _id: `${migrationId}/${ns.db}.${ns.coll}`, migrationId, db: ns.db, coll: ns.coll, copiedUntil, at };
    await this.collection.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  list(migrationId: string): Promise<ResyncDocument[]> {
    return this.collection.find({ migrationId }, { ...EXACT_BSON_OPTIONS }).toArray();
  }
}
