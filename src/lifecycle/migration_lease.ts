/**
 * Holding a migration's lease for the duration of a command: acquire, renew on a heartbeat, release at the end.
 * Losing the lease (the process stalled past its expiry and another run took over) aborts the command.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { LeaseStore, type LeaseDocument } from '../state/lease_store.js';
import type { Logger } from '../log/logger.js';

/** How long a lease lasts without renewal. */
export const LEASE_TTL_MS = 30_000;
/** How often the holder renews it (three renewals fit in one TTL, so one slow write does not lose it). */
export const LEASE_HEARTBEAT_MS = 10_000;

/** A held lease. */
export interface HeldLease {
  /** Aborted when the lease is lost. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** The lease could not be taken: another process holds it. */
export interface LeaseBusy {
  readonly holder: Pick<LeaseDocument, 'host' | 'pid' | 'expiresAt'> | null;
}

/** Takes the migration's lease, or says who holds it. */
export async function acquireMigrationLease(
  destination: MongoClient,
  migrationId: string,
  logger: Logger,
  now: () => Date,
): Promise<HeldLease | LeaseBusy> {
  const store = new LeaseStore(destination);
  const identity = { _id: migrationId, host: os.hostname(), pid: process.pid, holder: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}` };
  const attempt = await store.tryAcquire(identity, now(), LEASE_TTL_MS);
  if (!attempt.acquired) return { holder: attempt.current };
  const lost = new AbortController();
  const heartbeat = setInterval(() => {
    store.renew(migrationId, identity.holder, now(), LEASE_TTL_MS).then(
      (held) => {
        if (!held) {
          logger.error('lease lost: another process now drives this migration', { migrationId });
          lost.abort();
        }
      },
      (error: Error) => logger.warn('lease renewal failed; retrying at the next heartbeat', { migrationId, error: error.message }),
    );
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  return {
    lost: lost.signal,
    release: async () => {
      clearInterval(heartbeat);
      await store.release(migrationId, identity.holder);
    },
  };
}

export function isHeldLease(lease: HeldLease | LeaseBusy): lease is HeldLease {
  return 'release' in lease;
}
