/**
 * `sync start`: preflight, the lease, then the migration driven by its stored state until there is nothing left
 * to do (`--once`: caught up with the moment of the call, for cron) or until interrupted:
 *
 * - RUNNING: the initial sync while the copy is not finished, then the application of changes;
 * - PAUSED: nothing but waiting for `resume` (`--once` returns);
 * - COMMITTING: the commit (commit_migration.ts), continued after a crash;
 * - COMMITTED: waiting for `reverse` when the migration is reversible (`--once` returns);
 * - REVERSING: the switch of direction (reverse_migration.ts), then RUNNING the other way.
 *
 * Control requests (pause, resume, commit, reverse from `sync <action>` on any host, or from the HTTP API) are read
 * by a {@link ControlInbox}; an accepted one interrupts the current activity and the loop follows the new state.
 */
import type { SyncConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createClusterClients, type ClusterClients } from '../topology/clients.js';
import { currentClusterTime } from '../topology/deployment.js';
import { setUserWriteBlocking } from '../topology/write_blocking.js';
import { runPreflight, type PreflightResult } from './preflight.js';
import { runInitialSync, type InitialSyncResult } from './initial_sync.js';
import { ERROR_CODES, InterruptedError, StateError } from '../errors.js';
import { acquireMigrationLease, isHeldLease, type LeaseBusy } from './migration_lease.js';
import type { CopyProgressListener } from './copy_progress.js';
import { runChangeSync } from './change_sync.js';
import type { ChangeApplication, ChangeApplicationOptions } from '../changes/change_application.js';
import { lagTimeSeconds } from '../changes/lag.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { ControlInbox } from './control_requests.js';
import { CheckpointStore } from '../state/checkpoint_store.js';
import { runCommit, type CommitSummary } from './commit_migration.js';
import { runReverse } from './reverse_migration.js';
import { directionOf, syncSides } from './sync_sides.js';

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
  /** Called once the migration is driven by this process, with what a local HTTP API needs (not with `once`). */
  readonly onDriving?: (driving: DrivingProcess) => Promise<DrivingObserver>;
}

/** What observes a driving process (the HTTP API and its metrics). */
export interface DrivingObserver {
  /** Counts an error the migration met, by its code. */
  countError(code: string): void;
  close(): Promise<void>;
}

/** The code of an error for the metrics: ours (`STATE-3002`), the server's codeName, or the error's name. */
export function errorCodeOf(error: unknown): string {
  const { code, codeName, name } = (error ?? {}) as { code?: unknown; codeName?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  if (typeof codeName === 'string') return codeName;
  return typeof name === 'string' ? name : 'Error';
}

/** What the process driving a migration offers to its HTTP API. */
export interface DrivingProcess {
  readonly clients: ClusterClients;
  /** The change application's lag now, when one runs. */
  lagSeconds(): Promise<number | undefined>;
}

/** What a `sync start` run did. */
export interface StartSyncResult {
  /** The migration as this run left it. */
  readonly migration: MigrationDocument;
  /** The initial sync's work in this run (absent when the copy was already done). */
  readonly initial: InitialSyncResult | undefined;
  readonly changes: {
    /** Change events this run applied. */
    readonly eventsApplied: number;
    /** Change events the migration applied so far, earlier runs included. */
    readonly totalEventsApplied: number;
    /** With `--once`: every source change up to this cluster time is on the destination. */
    readonly caughtUpTo: MigrationDocument['t0'] | undefined;
  };
  /** The commit this run carried out, if any. */
  readonly commit: CommitSummary | undefined;
}

/** Another process holds the migration's lease: this run did nothing. */
export interface AlreadyRunning {
  readonly alreadyRunning: true;
  readonly holder: LeaseBusy['holder'];
}

/**
 * Drives the migration (see the module comment) and returns what this run did; or, when another process is
 * driving it, returns at once saying which (cron-safe: overlapping runs do not both work).
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
    let application: ChangeApplication | undefined;
    const lagSeconds = async () => {
      const migration = application === undefined ? null : await new MigrationStore(clients.destination).get(config.id);
      if (application === undefined || migration === null) return undefined;
      const { from } = syncSides(clients, directionOf(migration));
      return lagTimeSeconds(await currentClusterTime(from), application.status().applied);
    };
    const inbox = new ControlInbox(clients.destination, config, logger, now, lagSeconds);
    inbox.start();
    const observer = options.once || options.onDriving === undefined ? undefined : await options.onDriving({ clients, lagSeconds });
    try {
      return await drive({
        options, clients, preflight, inbox, now, signal: runSignal,
        onApplication: (run) => (application = run),
        onError: (error) => observer?.countError(errorCodeOf(error)),
        checkInterrupted: () => {
          if (lease.lost.aborted) throw leaseLost(config.id);
          if (signal.aborted) throw new InterruptedError('Interrupted; the migration continues from its checkpoints on the next run.');
        },
      });
    } finally {
      inbox.stop();
      await observer?.close();
      await lease.release();
    }
  } finally {
    await clients.close();
  }
}

interface DriveContext {
  readonly options: StartSyncOptions;
  readonly clients: ClusterClients;
  readonly preflight: PreflightResult;
  readonly inbox: ControlInbox;
  readonly now: () => Date;
  readonly signal: AbortSignal;
  readonly onApplication: (run: ChangeApplication) => void;
  readonly onError: (error: unknown) => void;
  /** Throws when the run was interrupted or lost its lease. */
  readonly checkInterrupted: () => void;
}

async function drive(ctx: DriveContext): Promise<StartSyncResult> {
  const { options, clients, inbox, now } = ctx;
  const { config, logger, once } = options;
  const migrations = new MigrationStore(clients.destination);
  let initial: InitialSyncResult | undefined;
  const appliedBefore = (await new CheckpointStore(clients.destination).load(config.id))?.eventsApplied ?? 0;
  let changes: StartSyncResult['changes'] = { eventsApplied: 0, totalEventsApplied: appliedBefore, caughtUpTo: undefined };
  let commit: CommitSummary | undefined;
  let blockedTo = false;
  for (;;) {
    ctx.checkInterrupted();
    const migration = await migrations.get(config.id);
    if (migration?.state === 'FAILED') {
      throw new StateError(ERROR_CODES.STATE_MIGRATION_FAILED, `Migration "${config.id}" has FAILED: ${migration.failure?.message ?? 'no reason recorded'}`);
    }
    const sides = syncSides(clients, migration === null ? 'forward' : directionOf(migration));
    const state = migration?.state ?? 'RUNNING';
    if (!blockedTo && config.enableUserWriteBlocking !== 'none' && (state === 'RUNNING' || state === 'PAUSED')) {
      // Applications must not write where the migration writes, from the start until commit.
      await setUserWriteBlocking(sides.to, true);
      blockedTo = true;
    }
    switch (state) {
      case 'RUNNING': {
        if (migration === null || migration.phase !== 'copied') {
          initial = await inbox.run((stop) => runInitialSync({
            source: clients.source, destination: clients.destination, config, logger, signal: AbortSignal.any([ctx.signal, stop]), now,
            sourceDescription: ctx.preflight.source, destinationDescription: ctx.preflight.destination, onProgress: options.onProgress,
          }, migration));
          continue;
        }
        const result = await inbox.run((stop) => runChangeSync({
          source: sides.from, destination: sides.to, stateClient: sides.state, config, migration, logger,
          signal: AbortSignal.any([ctx.signal, stop]), now, options: options.changeOptions, onApplication: ctx.onApplication,
          onError: ctx.onError,
        }, once ? 'now' : 'continuous'));
        changes = { eventsApplied: result.eventsApplied - appliedBefore, totalEventsApplied: result.eventsApplied, caughtUpTo: result.caughtUpTo };
        if (once && result.caughtUpTo !== undefined) return { migration, initial, changes, commit };
        continue;
      }
      case 'COMMITTING':
        commit = await runCommit({ clients, config, logger, signal: ctx.signal, now, changeOptions: options.changeOptions });
        continue;
      case 'REVERSING':
        await runReverse({ clients, config, logger, now });
        blockedTo = false;
        continue;
      case 'PAUSED':
      case 'COMMITTED':
        if (once || (state === 'COMMITTED' && !config.reversible)) return { migration: migration!, initial, changes, commit };
        logger.info(`migration ${state}; waiting for ${state === 'PAUSED' ? 'resume' : 'reverse'}`);
        await inbox.waitForTransition(ctx.signal);
        continue;
      case 'INITIALIZING':
      case 'IDLE':
        throw new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, `Migration "${config.id}" is ${state}, which this tool never records.`);
    }
  }
}

function leaseLost(migrationId: string): StateError {
  return new StateError(ERROR_CODES.STATE_LEASE_LOST, `Another process took over migration "${migrationId}" while this one was stalled.`, {
    hint: 'Let the other process finish; run `sync status` to see which host drives the migration.',
  });
}
