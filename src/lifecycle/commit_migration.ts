/**
 * The commit (state COMMITTING -> COMMITTED): stop the writes on the from-side, apply every change up to that
 * moment, give the to-side its original indexes and options back, and open it for writes. Each step is recorded
 * in the migration's `commit` record once done, so a commit interrupted by a crash continues where it stopped.
 *
 * 1. `sourceAndDestination`: block user writes on the from-side.
 * 2. Commit point: the from-side's cluster time now; drain the change stream up to it.
 * 3. Without a from-side block, writes the applications did not stop would be lost: drain once more up to the
 *    from-side's time now and, if that brought any event, abandon the commit (RUNNING again, STATE-3005).
 * 4. prepareUnique on every originally unique index (duplicates refused from now on: `canWrite`), note the to-side's
 *    cluster time (`openedAt`: where a reverse sync starts, so that nothing this tool wrote travels back), lift the
 *    to-side's write block.
 * 5. unique, TTL values, hidden flags and capped sizes restored; COMMITTED.
 */
import type { Document, MongoClient } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, InterruptedError, StateError } from '../errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { clusterTimeField } from '../log/fields.js';
import { readSourceCatalog, type CatalogEntry } from '../catalog/source_catalog.js';
import { restorePlan, type CollectionDefinitions } from '../catalog/restore_rules.js';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import { MigrationStore, type CommitRecord, type MigrationDocument } from '../state/migration_store.js';
import type { ChangeApplicationOptions } from '../changes/change_application.js';
import { currentClusterTime } from '../topology/deployment.js';
import { setUserWriteBlocking } from '../topology/write_blocking.js';
import type { ClusterClients } from '../topology/clients.js';
import { runChangeSync } from './change_sync.js';
import { directionOf, syncSides, type SyncSides } from './sync_sides.js';

export interface CommitDeps {
  readonly clients: Pick<ClusterClients, 'source' | 'destination'>;
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly changeOptions?: Partial<ChangeApplicationOptions>;
}

/** What a commit did. */
export interface CommitSummary {
  readonly migration: MigrationDocument;
  /** collMod commands run to restore the original definitions. */
  readonly restoreCommands: number;
  readonly eventsApplied: number;
}

/** Carries out (or continues) the commit of a migration in state COMMITTING. */
export async function runCommit(deps: CommitDeps): Promise<CommitSummary> {
  const { config, now, signal } = deps;
  const logger = childLogger(deps.logger, 'commit');
  const store = new MigrationStore(deps.clients.destination);
  let migration = await loadCommitting(store, config.id);
  const sides = syncSides(deps.clients, directionOf(migration));
  const record = async (step: Partial<CommitRecord>) => {
    await store.recordCommitStep(config.id, step, now());
    migration = { ...migration, commit: { ...migration.commit!, ...step } };
  };
  const blocking = config.enableUserWriteBlocking;
  logger.info('commit started', { direction: sides.direction, userWriteBlocking: blocking });

  if (blocking === 'sourceAndDestination' && !migration.commit!.fromBlocked) {
    await setUserWriteBlocking(sides.from, true);
    await record({ fromBlocked: true });
    logger.info(`user writes blocked on the ${sides.fromSide}`);
  }
  let eventsApplied = 0;
  if (!migration.commit!.drained) {
    const commitPoint = migration.commit!.commitPoint ?? await currentClusterTime(sides.from);
    if (migration.commit!.commitPoint === undefined) await record({ commitPoint });
    eventsApplied = await drainTo(deps, sides, migration, commitPoint);
    if (!migration.commit!.fromBlocked) {
      const before = eventsApplied;
      eventsApplied = await drainTo(deps, sides, migration, await currentClusterTime(sides.from));
      if (eventsApplied > before) await abandon(store, deps, sides, eventsApplied - before);
    }
    await record({ drained: true });
    logger.info('changes drained up to the commit point', { eventsApplied, ...clusterTimeField(commitPoint) });
  }

  const plans = await restorePlans(sides, config);
  let restoreCommands = 0;
  const runAll = async (commands: (p: typeof plans[number]) => readonly Document[]) => {
    for (const plan of plans) {
      for (const command of commands(plan)) {
        if (signal.aborted) throw new InterruptedError('Interrupted during commit; `sync commit` continues it.');
        await runRestoreCommand(sides.to, plan.db, command);
        restoreCommands++;
      }
    }
  };
  if (!migration.commit!.canWrite) {
    await runAll((p) => p.prepare);
    await record({ canWrite: true });
  }
  if (migration.commit!.openedAt === undefined) {
    // Before the block is lifted: every later write on the to-side is an application's (see the module comment).
    await record({ openedAt: await currentClusterTime(sides.to) });
  }
  if (blocking !== 'none') await setUserWriteBlocking(sides.to, false);
  logger.info(`the ${sides.toSide} accepts writes`);
  await runAll((p) => p.finish);
  await record({ restored: true, completedAt: now() });
  await store.update(config.id, { state: 'COMMITTED' }, now());
  migration = { ...migration, state: 'COMMITTED' };
  logger.info('commit complete', { restoreCommands, direction: sides.direction });
  return { migration, restoreCommands, eventsApplied };
}

async function loadCommitting(store: MigrationStore, id: string): Promise<MigrationDocument> {
  const migration = await store.get(id);
  if (migration === null) throw new StateError(ERROR_CODES.STATE_NO_MIGRATION, `The destination holds no migration "${id}".`);
  if (migration.state !== 'COMMITTING' || migration.commit === undefined) {
    throw new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, `Migration "${id}" is ${migration.state}, not COMMITTING.`);
  }
  return migration;
}

/** Applies every change of the from-side up to `clusterTime`; returns the migration's events applied. */
async function drainTo(deps: CommitDeps, sides: SyncSides, migration: MigrationDocument, clusterTime: MigrationDocument['t0']): Promise<number> {
  const result = await runChangeSync({
    source: sides.from, destination: sides.to, stateClient: sides.state, config: deps.config, migration,
    logger: deps.logger, signal: deps.signal, now: deps.now, options: deps.changeOptions,
  }, clusterTime);
  if (result.caughtUpTo === undefined) throw new InterruptedError('Interrupted while draining the last changes; `sync commit` continues the commit.');
  return result.eventsApplied;
}

/** Writes still arrive on an unblocked from-side: the commit cannot promise that nothing is lost. */
async function abandon(store: MigrationStore, deps: CommitDeps, sides: SyncSides, events: number): Promise<never> {
  const error = new StateError(
    ERROR_CODES.STATE_WRITES_DURING_COMMIT,
    `${events} change(s) arrived on the ${sides.fromSide} during the commit (enableUserWriteBlocking: ${deps.config.enableUserWriteBlocking} does not block its writes); the commit was abandoned and the migration is RUNNING.`,
    { hint: `Stop the applications' writes to the ${sides.fromSide}, then run \`sync commit\` again.` },
  );
  await store.update(deps.config.id, {
    state: 'RUNNING', lastCommitError: { code: error.code, message: error.message, at: deps.now() },
  }, deps.now());
  throw error;
}

interface NamespaceRestore {
  readonly db: string;
  readonly prepare: readonly Document[];
  readonly finish: readonly Document[];
}

/** The restore collMods of every synced collection, from the from-side's definitions (writes have stopped there). */
async function restorePlans(sides: SyncSides, config: SyncConfig): Promise<NamespaceRestore[]> {
  const catalog = await readSourceCatalog(sides.from, config);
  const plans: NamespaceRestore[] = [];
  for (const entry of catalog.filter((e) => e.kind === 'collection')) {
    const current = await definitionsOn(sides.to, entry);
    if (current === undefined) continue;
    const plan = restorePlan(entry.ns.coll, { options: entry.options, indexes: entry.indexes }, current);
    if (plan.prepare.length + plan.finish.length > 0) plans.push({ db: entry.ns.db, ...plan });
  }
  return plans;
}

/** A collection's definitions on a cluster, or undefined when it does not exist there. */
export async function definitionsOn(client: MongoClient, entry: Pick<CatalogEntry, 'ns'>): Promise<CollectionDefinitions | undefined> {
  const db = client.db(entry.ns.db);
  const [info] = await db.listCollections({ name: entry.ns.coll }, { ...EXACT_BSON_OPTIONS }).toArray() as Document[];
  if (info === undefined) return undefined;
  const indexes = await db.collection(entry.ns.coll).listIndexes({ ...EXACT_BSON_OPTIONS }).toArray();
  return { options: (info.options ?? {}) as Document, indexes };
}

async function runRestoreCommand(client: MongoClient, db: string, command: Document): Promise<void> {
  try {
    await client.db(db).command({ ...command, writeConcern: { w: 'majority' } });
  } catch (error) {
    throw new StateError(
      ERROR_CODES.STATE_COMMIT_RESTORE_FAILED,
      `Restoring ${db}.${String(command.collMod)} (${JSON.stringify(command.index ?? { cappedSize: command.cappedSize })}) failed: ${(error as Error).message}`,
      { cause: error, hint: 'Fix the cause named in the message, then run `sync commit` again: it continues where it stopped.' },
    );
  }
}
