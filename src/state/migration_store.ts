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
  createdAt: Date;
  updatedAt: Date;
  /** Why the migration failed; absent unless state is FAILED. */
  failure?: { code: string; message: string; at: Date };
}

/** Reads and writes migration documents. */
export class MigrationStore {
  constructor(private readonly destination: MongoClient) {}

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
}
