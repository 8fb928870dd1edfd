/**
 * `sync pause|resume|commit|reverse` from any host: when a `sync start` process drives the migration, the request
 * goes to it (control_requests.ts) and the command waits for the outcome; when none does, the command takes the
 * migration's lease and carries the request out itself (a commit run from cron needs no running process).
 */
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, InterruptedError, StateError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ChangeApplicationOptions } from '../changes/change_application.js';
import { createClusterClients, type ClusterClients } from '../topology/clients.js';
import { connectSide } from '../topology/connect_side.js';
import { sleep } from '../topology/retry.js';
import { LeaseStore } from '../state/lease_store.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { acquireMigrationLease, isHeldLease } from './migration_lease.js';
import { applyTransition, CONTROL_POLL_MS, refusalError, submitAndAwaitAnswer } from './control_requests.js';
import { runChangeSync } from './change_sync.js';
import { runCommit, type CommitSummary } from './commit_migration.js';
import { runReverse } from './reverse_migration.js';
import { directionOf, syncSides } from './sync_sides.js';
import type { ControlAction } from './migration_control.js';

export interface ControlRequestOptions {
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly action: Exclude<ControlAction, 'start'>;
  /** Wait for the outcome (COMMITTED, PAUSED, ...) rather than only for the running process to accept. */
  readonly wait: boolean;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  readonly changeOptions?: Partial<ChangeApplicationOptions>;
}

/** What became of a request. */
export interface ControlOutcome {
  /** The migration after the request (or when the running process accepted it, with `wait: false`). */
  readonly migration: MigrationDocument;
  /** Who carried the request out. */
  readonly by: 'runningProcess' | 'thisCommand';
  /** The commit this command carried out itself. */
  readonly commit?: CommitSummary;
}

/** Carries out a control request (see the module comment). */
export async function requestControl(options: ControlRequestOptions): Promise<ControlOutcome> {
  const { config, signal } = options;
  const now = options.now ?? (() => new Date());
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    await connectSide(clients.destination, 'destination');
    const migrations = new MigrationStore(clients.destination);
    if ((await migrations.get(config.id)) === null) {
      throw new StateError(ERROR_CODES.STATE_NO_MIGRATION, `The destination holds no migration "${config.id}".`, {
        hint: 'Check `id` in the configuration, or start the migration with `sync start`.',
      });
    }
    for (;;) {
      if (signal.aborted) throw new InterruptedError(`Interrupted before the ${options.action} request was carried out.`);
      const lease = await new LeaseStore(clients.destination).get(config.id);
      if (lease !== null && lease.expiresAt.getTime() > now().getTime()) {
        const before = (await migrations.get(config.id))!;
        const answer = await submitAndAwaitAnswer(clients.destination, config.id, options.action, now);
        // No answer: the process may have died; look at the lease again.
        if (answer === 'unanswered') continue;
        const migration = options.wait ? await awaitOutcome(migrations, options, before, now) : (await migrations.get(config.id))!;
        // The driving process stopped before finishing: this command continues the request (next round).
        if (migration === 'driverGone') continue;
        return { migration, by: 'runningProcess' };
      }
      const held = await acquireMigrationLease(clients.destination, config.id, options.logger, now);
      if (!isHeldLease(held)) continue;
      try {
        return await carryOut(clients, options, now, AbortSignal.any([signal, held.lost]));
      } finally {
        await held.release();
      }
    }
  } finally {
    await clients.close();
  }
}

/** Whether the migration shows the request carried out (`before`: as it was when the request was filed). */
function isOutcome(action: ControlRequestOptions['action'], migration: MigrationDocument, before: MigrationDocument): boolean {
  switch (action) {
    case 'pause': return migration.state === 'PAUSED';
    case 'resume': return migration.state !== 'PAUSED';
    case 'commit': return migration.state === 'COMMITTED';
    case 'reverse': return migration.state === 'RUNNING' && directionOf(migration) !== directionOf(before);
  }
}

/**
 * Waits until the running process has carried the accepted request out; throws what stopped it; `driverGone` when
 * the process no longer holds the lease (it crashed or was stopped midway).
 */
async function awaitOutcome(
  migrations: MigrationStore,
  options: ControlRequestOptions,
  before: MigrationDocument,
  now: () => Date,
): Promise<MigrationDocument | 'driverGone'> {
  const { config, action, signal } = options;
  const leases = new LeaseStore(migrations.client);
  for (;;) {
    const migration = (await migrations.get(config.id))!;
    if (isOutcome(action, migration, before)) return migration;
    const lease = await leases.get(config.id);
    if (lease === null || lease.expiresAt.getTime() <= now().getTime()) return 'driverGone';
    if (migration.state === 'FAILED') {
      throw new StateError(ERROR_CODES.STATE_MIGRATION_FAILED, `Migration "${config.id}" has FAILED: ${migration.failure?.message ?? 'no reason recorded'}`);
    }
    const abandoned = migration.lastCommitError;
    if (action === 'commit' && migration.state === 'RUNNING' && abandoned !== undefined && abandoned.at > before.updatedAt) {
      throw new StateError(ERROR_CODES.STATE_WRITES_DURING_COMMIT, abandoned.message, {
        hint: "Stop the applications' writes to the source, then run `sync commit` again.",
      });
    }
    if (signal.aborted) throw new InterruptedError(`Stopped waiting; the running process goes on with the ${action} (\`sync status\` shows it).`);
    await sleep(CONTROL_POLL_MS, signal);
  }
}

/** Carries the request out in this process, which holds the lease. */
async function carryOut(clients: ClusterClients, options: ControlRequestOptions, now: () => Date, signal: AbortSignal): Promise<ControlOutcome> {
  const { config, logger, action } = options;
  const migrations = new MigrationStore(clients.destination);
  let migration = (await migrations.get(config.id))!;
  const resuming = (action === 'commit' && migration.state === 'COMMITTING') || (action === 'reverse' && migration.state === 'REVERSING');
  if (!resuming) {
    if (action === 'commit' && migration.state === 'RUNNING' && migration.phase === 'copied') {
      // Catch up before blocking anything, so that the applications' writes stop for as short a time as possible.
      await connectSide(clients.source, 'source');
      const sides = syncSides(clients, directionOf(migration));
      await runChangeSync({
        source: sides.from, destination: sides.to, stateClient: sides.state, config, migration, logger, signal, now,
        options: options.changeOptions,
      }, 'now');
      if (signal.aborted) throw new InterruptedError('Interrupted while catching up before the commit; nothing was blocked.');
    }
    const decision = await applyTransition(migrations, config, action, undefined, now());
    if (!decision.allowed) throw refusalError(decision);
  }
  if (action === 'commit') {
    await connectSide(clients.source, 'source');
    const commit = await runCommit({ clients, config, logger, signal, now, changeOptions: options.changeOptions });
    return { migration: commit.migration, by: 'thisCommand', commit };
  }
  if (action === 'reverse') {
    await connectSide(clients.source, 'source');
    migration = await runReverse({ clients, config, logger, now });
    return { migration, by: 'thisCommand' };
  }
  return { migration: (await migrations.get(config.id))!, by: 'thisCommand' };
}
