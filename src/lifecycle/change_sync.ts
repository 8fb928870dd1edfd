/**
 * Applying the source's changes after the initial copy: from T0 (or the stored checkpoint) until a given cluster
 * time (`sync start --once`) or until stopped (`sync start`). Transient failures restart the application from its
 * checkpoint with backoff; a stream that cannot resume (history lost) fails the migration with the reason.
 */
import type { MongoClient, Timestamp } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, StateError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  DEFAULT_CHANGE_APPLICATION_OPTIONS, startChangeApplication, type ChangeApplication, type ChangeApplicationOptions,
} from '../changes/change_application.js';
import { isLagPastHalfOplogWindow, lagTimeSeconds } from '../changes/lag.js';
import { clusterTimeField } from '../log/fields.js';
import { oplogWindowSeconds, readOplogWindow } from '../topology/oplog_window.js';
import { isFinalChangeStreamError } from '../changes/change_reader.js';
import { CheckpointStore } from '../state/checkpoint_store.js';
import { CatalogStore } from '../state/catalog_store.js';
import { prepareCollectionResync } from './collection_resync.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { currentClusterTime } from '../topology/deployment.js';
import { withRetry } from '../topology/retry.js';
import { isTransient } from '../topology/server_errors.js';

/** Attempts of one change-sync command before the migration fails (about 10 minutes of backoff). */
export const CHANGE_SYNC_MAX_ATTEMPTS = 25;

export interface ChangeSyncDeps {
  /** The side changes are read from (the configured destination in a reverse sync). */
  readonly source: MongoClient;
  /** The side changes are written to. */
  readonly destination: MongoClient;
  /** Where the migration's state lives: always the configured destination (default: `destination`). */
  readonly stateClient?: MongoClient;
  readonly config: SyncConfig;
  readonly migration: MigrationDocument;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly options?: Partial<ChangeApplicationOptions>;
  /** Told of every error the change application meets (retried or not), for the metrics. */
  readonly onError?: (error: unknown) => void;
  /** Told of each change application started (after a retry, a new one), so that its status can be read live. */
  readonly onApplication?: (run: ChangeApplication) => void;
}

/** What a change-sync run did. */
export interface ChangeSyncResult {
  /** Events applied by the migration so far (earlier runs included). */
  readonly eventsApplied: number;
  /** With `--once`: every source change up to this cluster time is on the destination. */
  readonly caughtUpTo: Timestamp | undefined;
}

/**
 * How far to apply: `now` (the source's cluster time at the moment of the call: `sync start --once`), a given
 * cluster time (a commit's drain), or `continuous` (until `signal` aborts).
 */
export type ChangeSyncUntil = 'now' | 'continuous' | Timestamp;

/**
 * Applies changes until `until` is covered, or until `signal` aborts. Throws a StateError (exit code 4) when the
 * stream cannot resume; the migration is FAILED then.
 */
export async function runChangeSync(deps: ChangeSyncDeps, until: ChangeSyncUntil): Promise<ChangeSyncResult> {
  const { source, destination, config, migration, logger, signal, now } = deps;
  const stateClient = deps.stateClient ?? destination;
  const checkpoints = new CheckpointStore(stateClient);
  const target = until === 'now' ? await currentClusterTime(source) : until === 'continuous' ? undefined : until;
  let eventsApplied = 0;
  const copied = await new CatalogStore(stateClient).list(config.id);
  // Renames hiding documents from the initial copy only concern the forward direction, which had one.
  const initialCopy = migration.copyEndedAt && (migration.direction ?? 'forward') === 'forward'
    ? { namespaces: new Set(copied.filter((c) => c.kind === 'collection').map((c) => `${c.db}.${c.coll}`)), endedAt: migration.copyEndedAt }
    : undefined;
  let current: ChangeApplication | undefined;
  const progress = reportProgress(deps, () => current);
  try {
    await withRetry(
      async () => {
        const run = startChangeApplication({
          source, destination, migrationId: config.id, filter: config, buildIndexes: config.buildIndexes,
          t0: migration.t0, checkpoint: await checkpoints.load(config.id), checkpoints, logger, now, options: deps.options,
          // `resync` and the copies the translation knows of (initial copy plus stored resyncs), fresh for each run.
          ...(await prepareCollectionResync({ source, destination, stateClient, config, logger, now }, initialCopy)),
        });
        current = run;
        deps.onApplication?.(run);
        // The run's failure, if any, is observed through `done` below; this promise only needs a handler.
        const stopOnAbort = () => void run.stop().catch(() => undefined);
        signal.addEventListener('abort', stopOnAbort, { once: true });
        try {
          if (target) {
            await Promise.race([run.caughtUpTo(target), run.done]);
            await run.stop();
          } else {
            await run.done;
          }
        } finally {
          signal.removeEventListener('abort', stopOnAbort);
          eventsApplied = run.status().eventsApplied;
        }
      },
      {
        isRetryable: (error) => isTransient(error) && !isFinalChangeStreamError(error),
        initialDelayMs: 500, maxDelayMs: 30_000, maxAttempts: CHANGE_SYNC_MAX_ATTEMPTS,
        signal, logger, what: 'change application', onError: deps.onError,
      },
    );
  } catch (error) {
    if (signal.aborted) return { eventsApplied, caughtUpTo: undefined };
    const final = isFinalChangeStreamError(error);
    const reason = final
      ? `The source's oplog no longer holds the changes since the last checkpoint (${(error as Error).message}): the migration cannot continue.`
      : isTransient(error)
        ? `Applying changes failed after ${CHANGE_SYNC_MAX_ATTEMPTS} attempts: ${(error as Error).message}.`
        : `Applying changes failed: ${(error as Error).message}.`;
    await new MigrationStore(stateClient).update(config.id, {
      state: 'FAILED', failure: { code: ERROR_CODES.STATE_MIGRATION_FAILED, message: reason, at: now() },
    }, now());
    throw new StateError(ERROR_CODES.STATE_MIGRATION_FAILED, reason, {
      cause: error,
      hint: final
        ? 'The oplog window was shorter than the time the sync was stopped or behind. Enlarge the source\'s oplog (replSetResizeOplog), then `sync reset` and start again.'
        : 'Fix the cause named in the message, then `sync reset` and start again.',
    });
  } finally {
    clearInterval(progress);
  }
  // A stop by `signal` ends the run early: the target is then not reached.
  return { eventsApplied, caughtUpTo: signal.aborted ? undefined : target };
}

/**
 * The periodic progress line of the change application (`lagTimeSeconds`: the source's latest cluster time minus
 * the applied position, in seconds; the source's oplog window), and a warning while the lag is past half of that
 * window: past all of it the stream cannot resume and the migration fails. Reading the source may fail during an
 * outage; the line is then skipped (the run's own retries report the outage).
 */
function reportProgress(deps: ChangeSyncDeps, current: () => ChangeApplication | undefined): NodeJS.Timeout {
  const { source, logger } = deps;
  const intervalMs = deps.options?.progressIntervalMs ?? DEFAULT_CHANGE_APPLICATION_OPTIONS.progressIntervalMs;
  let reading = false;
  const timer = setInterval(() => {
    const run = current();
    if (run === undefined || reading) return;
    reading = true;
    void (async () => {
      try {
        const [latest, window] = await Promise.all([currentClusterTime(source), readOplogWindow(source)]);
        const status = run.status();
        const lag = lagTimeSeconds(latest, status.applied);
        const windowSeconds = window === undefined ? undefined : oplogWindowSeconds(window);
        logger.info('change application progress', {
          eventsApplied: status.eventsApplied, lagTimeSeconds: lag, oplogWindowSeconds: windowSeconds,
          queuedWrites: status.queuedWrites, ...clusterTimeField(status.applied.clusterTime),
        });
        if (windowSeconds !== undefined && isLagPastHalfOplogWindow(lag, windowSeconds)) {
          logger.warn('change application lag passed half the source oplog window', {
            lagTimeSeconds: lag, oplogWindowSeconds: windowSeconds,
            hint: 'When the lag reaches the window the migration fails: enlarge the source oplog (replSetResizeOplog) or find why applying is slow.',
          });
        }
      } catch (error) {
        logger.debug('change application progress not read', { error: (error as Error).message });
      } finally {
        reading = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return timer;
}
