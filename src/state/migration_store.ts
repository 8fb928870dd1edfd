/**
 * The migration document: one per migration id in `__c2c_sync_internal.migrations`.
 */
import type { MongoClient, Timestamp } from 'mongodb';
import { internalCollection } from './internal_db.js';

/** Migration states, as mongosync names them, plus FAILED. */
export const MIGRATION_STATES = Object.freeze([
  'INITIALIZING', 'IDLE', 'RUNNING', 'PAUSED', 'COMMITTING', 'COMMITTED', 'REVERSING', 'FAILED',
] as const);
export type MigrationState = (typeof MIGRATION_STATES)[number];

/** Steps of the initial sync, in order. */
export const COPY_PHASES = Object.freeze(['catalog', 'partitioning', 'copying', 'indexes', 'copied'] as const);
export type CopyPhase = (typeof COPY_PHASES)[number];

/** Which way the data flows: `forward` from the configured source to the destination, `reverse` after `sync reverse`. */
export const SYNC_DIRECTIONS = Object.freeze(['forward', 'reverse'] as const);
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

/**
 * The progress of a commit, recorded step by step so that a commit interrupted by a crash continues where it was
 * (every step is idempotent). "From" is the side the data comes from in the current direction, "to" the other.
 */
export interface CommitRecord {
  startedAt: Date;
  /** User writes are blocked on the from-side (`enableUserWriteBlocking: sourceAndDestination`). */
  fromBlocked?: boolean;
  /** The from-side's cluster time once writes stopped there: the drain goes up to it. */
  commitPoint?: Timestamp;
  /** Every change up to `commitPoint` is applied on the to-side. */
  drained?: boolean;
  /** Unique indexes reject duplicates again (prepareUnique): applications may write to the to-side. */
  canWrite?: boolean;
  /** Every original index and collection option is restored on the to-side. */
  restored?: boolean;
  /**
   * The to-side's cluster time just before its write block was lifted: everything after it was written by
   * applications, so a reverse sync starts right after it and nothing this tool wrote travels back.
   */
  openedAt?: Timestamp;
  completedAt?: Date;
}

/** The persisted migration. */
export interface MigrationDocument {
  /** The migration id (`id` in sync.yaml). */
  _id: string;
  state: MigrationState;
  /** How far the initial sync got; `copied` once every partition and index is in place. */
  phase: CopyPhase;
  /** The source's cluster time taken before the first document was read; change streams start here. */
  t0: Timestamp;
  /** Replica set names or hosts of the source and destination when the migration started (to detect a mix-up). */
  sourceIdentity: string;
  destinationIdentity: string;
  /** The source's cluster time when the copy phase ended; absent before (and in migrations started earlier). */
  copyEndedAt?: Timestamp;
  /** Absent in migrations started before reverse existed: forward. */
  direction?: SyncDirection;
  /** The commit in progress (COMMITTING) or the last one completed (COMMITTED and after). */
  commit?: CommitRecord;
  createdAt: Date;
  updatedAt: Date;
  /** Why the last commit was abandoned (writes kept arriving on an unblocked source); the migration went on RUNNING. */
  lastCommitError?: { code: string; message: string; at: Date };
  /** Why the migration failed; absent unless state is FAILED. */
  failure?: { code: string; message: string; at: Date };
}

/** Reads and writes migration documents. */
export class MigrationStore {
  constructor(private readonly destination: MongoClient) {}

  /** The destination client the store reads and writes. */
  get client(): MongoClient {
    return this.destination;
  }

  private get collection() {
    return internalCollection<MigrationDocument>(this.destination, 'migrations');
  }

  get(id: string): Promise<MigrationDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Every migration document on the destination (normally one). */
  list(): Promise<MigrationDocument[]> {
    return this.collection.find({}).toArray();
  }

  async create(doc: MigrationDocument): Promise<void> {
    await this.collection.insertOne(doc);
  }

  async update(id: string, changes: Partial<Omit<MigrationDocument, '_id'>>, now: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { ...changes, updatedAt: now } });
  }

  /**
   * Changes the state only if it is still `from` (two commands racing for one transition: one wins); true when
   * this call made the change.
   */
  async transition(id: string, from: MigrationState, changes: Partial<Omit<MigrationDocument, '_id'>>, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, state: from }, { $set: { ...changes, updatedAt: now } });
    return result.modifiedCount === 1;
  }

  /** Starts syncing in `direction` after a reverse: RUNNING, the last commit's record cleared. */
  async beginDirection(id: string, direction: SyncDirection, now: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { direction, state: 'RUNNING', updatedAt: now }, $unset: { commit: 1 } });
  }

  /** Records one commit step (`commit.<field>`), leaving the others as they are. */
  async recordCommitStep(id: string, step: Partial<CommitRecord>, now: Date): Promise<void> {
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [field, value] of Object.entries(step)) set[`commit.${field}`] = value;
    await this.collection.updateOne({ _id: id }, { $set: set });
  }
}
