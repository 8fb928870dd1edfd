/**
 * Control requests in `__c2c_sync_internal.controlRequests`: how `sync pause|resume|commit|reverse` (and the HTTP
 * API) reach the `sync start` process that drives a migration, whichever host it runs on. The requester inserts a
 * pending request; the driving process takes the oldest one, answers it (accepted or refused, with the reason), and
 * the requester reads the answer.
 */
import { ObjectId, type MongoClient } from 'mongodb';
import type { ControlAction } from '../lifecycle/migration_control.js';
import { internalCollection } from './internal_db.js';

/** Where a request stands. */
export type ControlRequestStatus = 'pending' | 'accepted' | 'refused';

/** A request as stored. */
export interface ControlRequestDocument {
  _id: ObjectId;
  migrationId: string;
  action: ControlAction;
  status: ControlRequestStatus;
  requestedAt: Date;
  /** Host and pid of the requester, for the log of the process that answers. */
  requestedBy: string;
  answeredAt?: Date;
  /** Why the request was refused: the StateError's code, message and hint. */
  refusal?: { code: string; message: string; hint?: string };
}

/** Reads and writes control requests. */
export class ControlStore {
  constructor(private readonly destination: MongoClient) {}

  private get collection() {
    return internalCollection<ControlRequestDocument>(this.destination, 'controlRequests');
  }

  /** Files a request; returns its id. */
  async submit(migrationId: string, action: ControlAction, requestedBy: string, now: Date): Promise<ObjectId> {
    const _id = new ObjectId();
    await this.collection.insertOne({ _id, migrationId, action, status: 'pending', requestedAt: now, requestedBy });
    return _id;
  }

  /** The oldest request still pending for a migration. */
  oldestPending(migrationId: string): Promise<ControlRequestDocument | null> {
    return this.collection.findOne({ migrationId, status: 'pending' }, { sort: { requestedAt: 1, _id: 1 } });
  }

  get(id: ObjectId): Promise<ControlRequestDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Answers a pending request; false when it was answered already (by another process). */
  async answer(id: ObjectId, answer: { status: 'accepted' } | { status: 'refused'; refusal: ControlRequestDocument['refusal'] }, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, status: 'pending' }, { $set: { ...answer, answeredAt: now } });
    return result.modifiedCount === 1;
  }
}
