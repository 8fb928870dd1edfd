/**
 * `sync start`: preflight, the lease, the initial sync (resumed when the destination already holds this migration),
 * then the application of the source's changes: until caught up with the moment of the call (`--once`, for cron)
 * or until interrupted.
 */
import type { SyncConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createClusterClients } from '../topology/clients.js';
import { runPreflight } from './preflight.js';
import { runInitialSync, type InitialSyncResult } from './initial_sync.js';
import { ERROR_CODES, InterruptedError, StateError } from '../errors.js';
import { acquireMigrationLease, isHeldLease, type LeaseBusy } from './migration_lease.js';
import type { CopyProgressListener } from './copy_progress.js';
import { runChangeSync, type ChangeSyncResult } from './change_sync.js';
import type { ChangeApplicationOptions } from '../changes/change_application.js';

export interface StartSyncOptions {
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  readonly onProgress?: CopyProgressListener;
  /** Stop once caught up with the source's cluster time at the moment the change application starts. */
  readonly once: boolean;
  /** Tuning of the change application (tests shorten its waits). */
  readonly changeOptions?: Partial<ChangeApplicationOptions>;
}

/** What a `sync start` run did. */
export interface StartSyncResult {
  readonly initial: InitialSyncResult;
  readonly changes: ChangeSyncResult;
}

/** Another process holds the migration's lease: this run did nothing. */
export interface AlreadyRunning {
  readonly alreadyRunning: true;
  readonly holder: LeaseBusy['holder'];
}

/**
 * Runs the initial sync to completion (or until interrupted) and returns what it did; or, when another process is
 * driving the migration, returns at once saying which (cron-safe: overlapping runs do not both work).
 */
export async function startSync(options: StartSyncOptions): Promise<StartSyncResult | AlreadyRunning> {
  const { config, logger, signal } = options;
  const now = options.now ?? (() => new Date());
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    const preflight = await runPreflight(clients.source, clients.destination, {
      migrationId: config.id,
      userWriteBlocking: config.enableUserWriteBlocking,
      reversible: config.reversible,
    });
    logger.info('preflight passed', {
      sourceVersion: preflight.source.version,
      destinationVersion: preflight.destination.version,
      sourceTopology: preflight.source.kind,
    });
    const lease = await acquireMigrationLease(clients.destination, config.id, logger, now);
    if (!isHeldLease(lease)) return { alreadyRunning: true, holder: lease.holder };
    const runSignal = AbortSignal.any([signal, lease.lost]);
    try {
      const failure = preflight.existing?.state === 'FAILED' ? preflight.existing.failure : undefined;
      if (preflight.existing?.state === 'FAILED') {
        throw new StateError(ERROR_CODES.STATE_MIGRATION_FAILED, `Migration "${config.id}" has FAILED: ${failure?.message ?? 'no reason recorded'}`);
      }
      const result = await runInitialSync(
        {
          source: clients.source,
          destination: clients.destination,
          config,
          logger,
          signal: runSignal,
          now,
          sourceDescription: preflight.source,
          destinationDescription: preflight.destination,
          onProgress: options.onProgress,
        },
        preflight.existing,
      );
      if (lease.lost.aborted) throw leaseLost(config.id);
      if (signal.aborted) throw new InterruptedError('Interrupted; the copy resumes from its checkpoints on the next run.');
      const changes = await runChangeSync(
        { source: clients.source, destination: clients.destination, config, migration: result.migration, logger, signal: runSignal, now, options: options.changeOptions },
        options.once,
      );
      if (lease.lost.aborted) throw leaseLost(config.id);
      if (signal.aborted) throw new InterruptedError('Interrupted; changes are applied from the last checkpoint on the next run.');
      return { initial: result, changes };
    } finally {
      await lease.release();
    }
  } finally {
    await clients.close();
  }
}

function leaseLost(migrationId: string): StateError {
  return new StateError(ERROR_CODES.STATE_LEASE_LOST, `Another process took over migration "${migrationId}" while this one was stalled.`, {
    hint: 'Let the other process finish; run `sync status` to see which host drives the migration.',
  });
}
