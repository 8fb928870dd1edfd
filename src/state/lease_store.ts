/**
 * One lease per migration in `__c2c_sync_internal.leases`, so that two processes never drive one migration at
 * once (a cron job that fires while the previous run is still going). The holder renews it with a heartbeat; a
 * crashed holder's lease expires and the next run takes over.
 */
import { MongoServerError, type MongoClient } from 'mongodb';
import { internalCollection } from './internal_db.js';

/** A lease as stored. */
export interface LeaseDocument {
  /** The migration id. */
  _id: string;
  /** Unique per process run: `host:pid:random`. */
  holder: string;
  host: string;
  pid: number;
  acquiredAt: Date;
  /** The lease is free from this moment unless renewed. */
  expiresAt: Date;
}

/** The outcome of an acquisition attempt. */
export type LeaseAttempt = { acquired: true } | { acquired: false; current: LeaseDocument | null };

const DUPLICATE_KEY = 11000;

export class LeaseStore {
  constructor(private readonly destination: MongoClient) {}

  private get collection() {
    return internalCollection<LeaseDocument>(this.destination, 'leases');
  }

  /**
   * Takes the lease when it is free, expired, or already ours. The filter-plus-upsert is atomic on the server: of
   * two processes racing, one matches or inserts, the other gets a duplicate `_id` and learns who holds it.
   */
  async tryAcquire(lease: Omit<LeaseDocument, 'acquiredAt' | 'expiresAt'>, now: Date, ttlMs: number): Promise<LeaseAttempt> {
    try {
      await this.collection.updateOne(
        { _id: lease._id, $or: [{ expiresAt: { $lte: now } }, { holder: lease.holder }] },
        { $set: { holder: lease.holder, host: lease.host, pid: lease.pid, acquiredAt: now, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true },
      );
      return { acquired: true };
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        return { acquired: false, current: await this.collection.findOne({ _id: lease._id }) };
      }
      throw error;
    }
  }

  /** Extends our lease; false when it is no longer ours (it expired and another process took it). */
  async renew(id: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, holder }, { $set: { expiresAt: new Date(now.getTime() + ttlMs) } });
    return result.matchedCount === 1;
  }

  /** The current lease of a migration, if any (held or expired). */
  get(id: string): Promise<LeaseDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Gives the lease up (at the end of a run), so that the next run need not wait for it to expire. */
  async release(id: string, holder: string): Promise<void> {
    await this.collection.deleteOne({ _id: id, holder });
  }
}
