/**
 * The change stream checkpoint: one document per migration in `__c2c_sync_internal.changeCheckpoints`, holding the
 * position up to which every source event is applied on the destination. A run restarts the stream after it, so
 * events after it are read again (and replayed idempotently), and no event before it is lost.
 */
import type { Document, MongoClient, Timestamp } from 'mongodb';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import { internalCollection } from './internal_db.js';

/**
 * A stream position as stored (the same shape as `changes/`' ResumePoint, declared here so that state/ depends on
 * nothing above it): `start` (T0, nothing applied yet), `event` (every event up to this token applied) or
 * `highWaterMark` (every event up to this cluster time applied).
 */
export interface CheckpointPosition {
  readonly kind: 'start' | 'event' | 'highWaterMark';
  readonly resumeToken?: Document;
  readonly clusterTime: Timestamp;
}

/** The persisted checkpoint. */
export interface CheckpointDocument {
  /** The migration id. */
  _id: string;
  /** What the position is: `start` (T0, nothing applied yet), `event` or `highWaterMark` (see {@link CheckpointPosition}). */
  kind: CheckpointPosition['kind'];
  /** The token to restart the stream after; absent for a `start` at a cluster time. */
  resumeToken?: Document;
  /** The source cluster time of the position. */
  clusterTime: Timestamp;
  /** Events applied by the migration so far (all runs), for status. */
  eventsApplied: number;
  /** When the checkpoint was written (destination-side clock of the writing process). */
  updatedAt: Date;
}

/** What the change application needs to persist its checkpoint (lifecycle may pass another implementation). */
export interface CheckpointWriter {
  save(migrationId: string, point: CheckpointPosition, eventsApplied: number, now: Date): Promise<void>;
}

/** Reads and writes change stream checkpoints. */
export class CheckpointStore implements CheckpointWriter {
  constructor(private readonly destination: MongoClient) {}

  private get collection() {
    return internalCollection<CheckpointDocument>(this.destination, 'changeCheckpoints');
  }

  /** The stored checkpoint of a migration, or undefined before the first one. */
  async load(migrationId: string): Promise<{ point: CheckpointPosition; eventsApplied: number } | undefined> {
    const doc = await this.collection.findOne({ _id: migrationId }, { ...EXACT_BSON_OPTIONS });
    if (doc === null) return undefined;
    const point: CheckpointPosition = doc.resumeToken === undefined
      ? { kind: doc.kind, clusterTime: doc.clusterTime }
      : { kind: doc.kind, resumeToken: doc.resumeToken, clusterTime: doc.clusterTime };
    return { point, eventsApplied: Number(doc.eventsApplied ?? 0) };
  }

  async save(migrationId: string, point: CheckpointPosition, eventsApplied: number, now: Date): Promise<void> {
    const doc: CheckpointDocument = {
      _id: migrationId,
      kind: point.kind,
      clusterTime: point.clusterTime,
      eventsApplied,
      updatedAt: now,
      ...(point.resumeToken !== undefined ? { resumeToken: point.resumeToken } : {}),
    };
    await this.collection.replaceOne({ _id: migrationId }, doc, { upsert: true });
  }
}
