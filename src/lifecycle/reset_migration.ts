/**
 * `sync reset`: forgets a migration. Its documents leave every collection of the destination's internal database;
 * with `dropDestinationData`, the namespaces it created on the destination (as recorded in its stored catalog) are
 * dropped too, and nothing else. User write blocks the migration set are lifted. The command holds the migration's
 * lease throughout, so a `sync start` (or a cron run) cannot drive the migration while it disappears.
 *
 * Every step is idempotent and the migration document goes last: a reset that stops half-way (crash, Ctrl-C, an
 * unreachable side) leaves the migration visible, and running it again finishes the job.
 */
import { MongoServerError, type Document, type MongoClient } from 'mongodb';
import type { SyncConfig, UserWriteBlocking } from '../config/schema.js';
import { ERROR_CODES, InterruptedError, StateError } from '../errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { errorField, nsField, countField } from '../log/fields.js';
import { isNeverSyncedNamespace, NEVER_SYNCED_DATABASES } from '../catalog/namespace_filter.js';
import { formatNamespace, namespace, parseNamespace, type Namespace } from '../catalog/namespace.js';
import { createClusterClients } from '../topology/clients.js';
import { connectSide, type ClusterSide } from '../topology/connect_side.js';
import { setUserWriteBlocking } from '../topology/write_blocking.js';
import { INTERNAL_COLLECTIONS, internalCollection, type InternalCollectionName } from '../state/internal_db.js';
import { MigrationStore, type MigrationDocument, type MigrationState } from '../state/migration_store.js';
import { CatalogStore } from '../state/catalog_store.js';
import { PartitionStore } from '../state/partition_store.js';
import { ResyncStore } from '../state/resync_store.js';
import { acquireMigrationLease, isHeldLease } from './migration_lease.js';

/** What a reset will do, shown to the operator before anything changes. */
export interface ResetPlan {
  readonly migrationId: string;
  /** The migration's state; null when its document is gone but other state of it remains. */
  readonly state: MigrationState | null;
  /** The hosts of the destination, as the migration recorded them (empty for leftovers). */
  readonly destinationIdentity: string;
  /** Documents of this migration per internal collection (the lease, held by this command, is not counted). */
  readonly documents: Readonly<Record<string, number>>;
  /**
   * Namespaces to drop (`db.coll`): those the migration created that still exist. Empty without
   * `dropDestinationData`, and when the migration document is gone (its state, so whether the data is live, is
   * unknown).
   */
  readonly namespacesToDrop: readonly string[];
  /**
   * Namespaces the migration created that stay on the destination (once reset, the tool no longer knows that it
   * created them).
   */
  readonly namespacesKept: readonly string[];
  /** Sides whose user write block the migration set and the reset lifts. */
  readonly writeBlocksToLift: readonly ClusterSide[];
}

/** What a reset did. */
export interface ResetResult {
  readonly cancelled: false;
  readonly migrationId: string;
  /** The state the migration was in; null when its document was gone but other state of it remained. */
  readonly previousState: MigrationState | null;
  /** Documents deleted per internal collection (the command's own lease, released at the end, not counted). */
  readonly removed: Readonly<Record<string, number>>;
  /** Namespaces dropped on the destination (`db.coll`). */
  readonly droppedNamespaces: readonly string[];
  /** Sides whose user write block was lifted. */
  readonly liftedWriteBlocks: readonly ClusterSide[];
  /** What could not be done and what to do about it (a write block that could not be lifted). */
  readonly warnings: readonly string[];
  /**
   * User databases still on the destination after the reset: while any remains, `sync start` refuses the
   * destination as not empty (PREFLIGHT-2005).
   */
  readonly remainingUserDatabases: readonly string[];
}

/** The operator declined the confirmation: nothing was changed. */
export interface ResetCancelled {
  readonly cancelled: true;
  readonly plan: ResetPlan;
}

export interface ResetOptions {
  readonly config: SyncConfig;
  readonly logger: Logger;
  /** Aborted on SIGINT/SIGTERM: the reset stops between steps (run it again to finish). */
  readonly signal: AbortSignal;
  /** Also drop the namespaces the migration created on the destination. */
  readonly dropDestinationData: boolean;
  /** Asked once the plan is known and the lease held, before the first change; false cancels the reset. */
  readonly confirm: (plan: ResetPlan) => Promise<boolean>;
  readonly now?: () => Date;
}

/** States in which the destination is (or may already be) written by applications: its data is live. */
const LIVE_DESTINATION_STATES: ReadonlySet<MigrationState> = new Set(['COMMITTING', 'COMMITTED', 'REVERSING']);

/**
 * Why the destination's data must not be dropped, or undefined when it may be: once a commit has opened (or may
 * have opened) the destination to applications, or a reverse sync runs from it, its namespaces hold the users'
 * live data, not a copy this tool can throw away.
 */
export function liveDestinationReason(migration: Pick<MigrationDocument, 'state' | 'direction' | 'commit'>): string | undefined {
  if (migration.direction === 'reverse') {
    return 'the migration has been reversed: the destination is the live database the reverse sync reads from';
  }
  if (migration.commit?.canWrite === true) {
    return `its commit let applications write to the destination (state ${migration.state})`;
  }
  if (LIVE_DESTINATION_STATES.has(migration.state)) {
    return migration.state === 'COMMITTING'
      ? 'a commit is in progress or was interrupted: applications may already write to the destination'
      : `it is ${migration.state}: applications write to the destination now`;
  }
  return undefined;
}

/**
 * The sides whose user write block this migration set and has not lifted itself, from its state (pure).
 *
 * - The side written to (the destination, or the source during a reverse sync) is blocked from the start of its
 *   direction until its commit completes; a commit that completed lifted it.
 * - The side read from is blocked at commit when `enableUserWriteBlocking` is `sourceAndDestination`, and stays
 *   blocked afterwards (COMMITTED, REVERSING); a reverse sync reads from the destination, which is open.
 *
 * Lifting a block that is not set is harmless, so unsure cases (a FAILED migration that had started a commit) lift;
 * a side that a completed commit opened is left alone, since a block there was set by someone else.
 */
export function writeBlocksToLift(
  migration: Pick<MigrationDocument, 'state' | 'direction' | 'commit'>,
  mode: UserWriteBlocking,
): ClusterSide[] {
  if (mode === 'none') return [];
  const { state } = migration;
  const reverse = migration.direction === 'reverse';
  // Forward, a completed commit opened the destination; reversed, it is the side read from, blocked only by the
  // reverse direction's own commit.
  const destinationOpen = reverse
    ? state !== 'COMMITTING' && state !== 'COMMITTED' && state !== 'FAILED'
    : state === 'COMMITTED' || state === 'REVERSING';
  const sides: ClusterSide[] = [];
  if (mode === 'sourceAndDestination') {
    const sourceOpen = reverse && state === 'COMMITTED';
    const sourceMayBeBlocked = reverse || LIVE_DESTINATION_STATES.has(state) || migration.commit?.fromBlocked === true;
    if (sourceMayBeBlocked && !sourceOpen) sides.push('source');
  }
  if (!destinationOpen) sides.push('destination');
  return sides;
}

/**
 * The filter of one migration's documents in any internal collection: stores key them by `_id: migrationId`
 * (migrations, leases, changeCheckpoints) or by a `migrationId` field (partitions, catalog, controlRequests, whose
 * `_id`s are compound strings or ObjectIds and so never equal a migration id).
 */
export function migrationDocumentsFilter(migrationId: string): Document {
  return { $or: [{ _id: migrationId }, { migrationId }] };
}

/** Internal collections whose documents the reset deletes itself: all but the lease (released last) and the migration (deleted last). */
function stateCollections(): InternalCollectionName[] {
  return (Object.keys(INTERNAL_COLLECTIONS) as InternalCollectionName[]).filter((name) => name !== 'leases' && name !== 'migrations');
}

/** Server codes for "this deployment cannot lift a write block": no such command (before 6.0), or no privilege. */
const WRITE_BLOCK_UNAVAILABLE_CODES: ReadonlySet<number> = new Set([59 /* CommandNotFound */, 13 /* Unauthorized */]);

/** A standalone server refuses setUserWriteBlockMode (IllegalOperation): it cannot be blocked, so there is nothing to lift. */
const ILLEGAL_OPERATION = 20;

/** Namespace not found: `drop` of a missing collection before mongod 7.0 (SERVER-43894). */
const NAMESPACE_NOT_FOUND = 26;

/** Forgets the configured migration (see the module comment). */
export async function resetMigration(options: ResetOptions): Promise<ResetResult | ResetCancelled> {
  const { config, signal } = options;
  const logger = childLogger(options.logger, 'reset');
  const now = options.now ?? (() => new Date());
  const migrationId = config.id;
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    await connectSide(clients.destination, 'destination');
    const destination = clients.destination;
    // Checked before taking the lease (a refusal leaves no trace), and again once it is held (below).
    await readResettable(destination, migrationId, options.dropDestinationData);

    const lease = await acquireMigrationLease(destination, migrationId, logger, now);
    if (!isHeldLease(lease)) {
      const where = lease.holder ? `${lease.holder.host} (pid ${lease.holder.pid})` : 'another process';
      throw new StateError(
        ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED,
        `Migration "${migrationId}" is being driven by ${where}; it cannot be reset while that process runs.`,
        {
          hint: lease.holder
            ? `Stop that process first (or wait: its lease expires at ${lease.holder.expiresAt.toISOString()} unless renewed), then run \`sync reset\` again.`
            : 'Run `sync status` to see which process drives it, stop that process, then run `sync reset` again.',
          details: { migrationId, holder: lease.holder },
        },
      );
    }
    try {
      // The state may have moved between the first read and the lease (a commit that ended and let the lease go).
      const migration = await readResettable(destination, migrationId, options.dropDestinationData);
      const plan = await planReset(destination, migration, migrationId, options.dropDestinationData, config.enableUserWriteBlocking);
      if (!(await options.confirm(plan))) return { cancelled: true, plan };
      const checkpoint = (): void => {
        if (lease.lost.aborted) {
          throw new StateError(ERROR_CODES.STATE_LEASE_LOST, `Another process took over migration "${migrationId}" during its reset; the reset is incomplete.`, {
            hint: 'Let the other process finish (`sync status` shows it), then run `sync reset` again.',
          });
        }
        if (signal.aborted) throw new InterruptedError('Interrupted; the reset is incomplete: run `sync reset` again to finish it.');
      };
      return await executeReset({ clients, logger, plan, checkpoint });
    } finally {
      await lease.release();
    }
  } finally {
    await clients.close();
  }
}

/**
 * The migration to reset, or null when its document is gone but other state of it remains; throws when there is nothing
 * to reset, or when the destination's data was asked to be dropped but is live.
 */
async function readResettable(destination: MongoClient, migrationId: string, dropDestinationData: boolean): Promise<MigrationDocument | null> {
  const migration = await new MigrationStore(destination).get(migrationId);
  if (migration === null && (await countLeftovers(destination, migrationId)) === 0) {
    throw await noMigration(destination, migrationId);
  }
  if (migration !== null && dropDestinationData) refuseLiveDrop(migration);
  return migration;
}

async function countLeftovers(destination: MongoClient, migrationId: string): Promise<number> {
  let total = 0;
  for (const name of stateCollections()) {
    total += await internalCollection(destination, name).countDocuments(migrationDocumentsFilter(migrationId));
  }
  return total;
}

async function noMigration(destination: MongoClient, migrationId: string): Promise<StateError> {
  const others = (await new MigrationStore(destination).list()).map((m) => `"${m._id}"`);
  const holding = others.length > 0 ? ` (it holds migration ${others.join(', ')})` : '';
  return new StateError(ERROR_CODES.STATE_NO_MIGRATION, `The destination holds no migration "${migrationId}"${holding}; there is nothing to reset.`, {
    hint: others.length > 0 ? `Set id (or --id) to the migration to reset, e.g. ${others[0]}.` : 'Check `id` in the configuration.',
    details: { migrationId, others: others.map((id) => id.slice(1, -1)) },
  });
}

function refuseLiveDrop(migration: MigrationDocument): void {
  const reason = liveDestinationReason(migration);
  if (reason === undefined) return;
  throw new StateError(
    ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED,
    `Refusing to drop the destination's data of migration "${migration._id}": ${reason}. Dropping it would destroy the live database.`,
    {
      hint: 'Run `sync reset` without --drop-destination-data to forget the migration and keep the data; drop namespaces by hand only if you are sure nobody needs them.',
      details: { migrationId: migration._id, state: migration.state, direction: migration.direction ?? 'forward' },
    },
  );
}

/**
 * The namespaces the migration created on the destination: its stored catalog (the initial sync records each entry
 * before creating it), the collections it copied again under a new name (resyncs), and its partitions' for good
 * measure; never a system one.
 */
async function createdNamespaces(destination: MongoClient, migrationId: string): Promise<Namespace[]> {
  const [catalog, partitions, resyncs] = await Promise.all([
    new CatalogStore(destination).list(migrationId),
    new PartitionStore(destination).list(migrationId),
    new ResyncStore(destination).list(migrationId),
  ]);
  const byName = new Map<string, Namespace>();
  for (const { db, coll } of [...catalog, ...partitions, ...resyncs]) {
    const ns = namespace(db, coll);
    // A damaged catalog must never make the reset drop the server's or this tool's own collections.
    if (!isNeverSyncedNamespace(ns)) byName.set(formatNamespace(ns), ns);
  }
  return [...byName.values()].sort((a, b) => formatNamespace(a).localeCompare(formatNamespace(b)));
}

async function namespaceExists(destination: MongoClient, ns: Namespace): Promise<boolean> {
  const found = await destination.db(ns.db).listCollections({ name: ns.coll }, { nameOnly: true }).toArray();
  return found.length > 0;
}

async function planReset(
  destination: MongoClient,
  migration: MigrationDocument | null,
  migrationId: string,
  dropDestinationData: boolean,
  mode: UserWriteBlocking,
): Promise<ResetPlan> {
  const documents: Record<string, number> = {};
  for (const name of [...stateCollections(), 'migrations' as const]) {
    documents[INTERNAL_COLLECTIONS[name]] = await internalCollection(destination, name).countDocuments(migrationDocumentsFilter(migrationId));
  }
  const existing: string[] = [];
  for (const ns of await createdNamespaces(destination, migrationId)) {
    if (await namespaceExists(destination, ns)) existing.push(formatNamespace(ns));
  }
  // Without the migration document its state is unknown (the destination may be live): nothing is dropped then.
  const drop = dropDestinationData && migration !== null;
  return {
    migrationId,
    state: migration?.state ?? null,
    destinationIdentity: migration?.destinationIdentity ?? '',
    documents,
    namespacesToDrop: drop ? existing : [],
    namespacesKept: drop ? [] : existing,
    // Without the migration document, an interrupted reset already lifted the blocks (it does that first).
    writeBlocksToLift: migration ? writeBlocksToLift(migration, mode) : [],
  };
}

interface ExecuteDeps {
  readonly clients: { readonly source: MongoClient; readonly destination: MongoClient };
  readonly logger: Logger;
  readonly plan: ResetPlan;
  /** Throws when the lease was lost or the command interrupted. */
  readonly checkpoint: () => void;
}

/**
 * The changes, in an order that keeps a half-done reset resumable: write blocks first (lifting is idempotent and the
 * one effect users notice), then the data (the catalog still says what to drop), then the state with the
 * migration document last.
 */
async function executeReset(deps: ExecuteDeps): Promise<ResetResult> {
  const { clients, logger, plan, checkpoint } = deps;
  const { destination } = clients;
  const warnings: string[] = [];
  const lifted: ClusterSide[] = [];
  for (const side of plan.writeBlocksToLift) {
    checkpoint();
    const outcome = await liftWriteBlock(clients[side], side, logger);
    if (outcome.kind === 'lifted') lifted.push(side);
    else if (outcome.kind === 'failed') warnings.push(outcome.warning);
  }

  const dropped: string[] = [];
  for (const name of plan.namespacesToDrop) {
    checkpoint();
    const ns = parseNamespace(name)!;
    if (await dropNamespace(destination, ns)) {
      dropped.push(name);
      logger.info('namespace dropped', nsField(ns));
    }
  }
  for (const db of new Set(dropped.map((name) => parseNamespace(name)!.db))) {
    checkpoint();
    const warning = await dropEmptyViewCatalog(destination, db, logger);
    if (warning === true) dropped.push(`${db}.system.views`);
    else if (warning !== false) warnings.push(warning);
  }

  const removed: Record<string, number> = {};
  for (const name of [...stateCollections(), 'migrations' as const]) {
    checkpoint();
    const result = await internalCollection(destination, name).deleteMany(migrationDocumentsFilter(plan.migrationId));
    removed[INTERNAL_COLLECTIONS[name]] = result.deletedCount;
  }
  logger.info('migration reset', { migrationId: plan.migrationId, previousState: plan.state, removed, ...countField(dropped.length) });
  return {
    cancelled: false,
    migrationId: plan.migrationId,
    previousState: plan.state,
    removed,
    droppedNamespaces: dropped,
    liftedWriteBlocks: lifted,
    warnings,
    remainingUserDatabases: await userDatabases(destination),
  };
}

/** How lifting one side's block went: done, impossible there (a standalone), or failed with a warning. */
type LiftOutcome = { kind: 'lifted' } | { kind: 'notBlockable' } | { kind: 'failed'; warning: string };

/** Lifts one side's user write block; returns a warning instead of failing when that side cannot do it. */
async function liftWriteBlock(client: MongoClient, side: ClusterSide, logger: Logger): Promise<LiftOutcome> {
  const manual = `if user writes are still blocked there, run db.adminCommand({setUserWriteBlockMode: 1, global: false}) on the ${side} as a user with the setUserWriteBlockMode privilege`;
  try {
    // The destination is connected already; the source only when its block must be lifted.
    if (side === 'source') await connectSide(client, 'source');
    await setUserWriteBlocking(client, false);
    logger.info('user write block lifted', { side });
    return { kind: 'lifted' };
  } catch (error) {
    if (error instanceof MongoServerError && error.code === ILLEGAL_OPERATION) return { kind: 'notBlockable' };
    const unavailable = error instanceof MongoServerError && typeof error.code === 'number' && WRITE_BLOCK_UNAVAILABLE_CODES.has(error.code);
    // The destination must be reachable (the state lives there); a source that is gone must not make the state
    // impossible to reset, so the operator gets the command to run instead.
    if (!unavailable && side === 'destination') throw error;
    logger.warn('user write block not lifted', { side, ...errorField(error) });
    return { kind: 'failed', warning: `Could not lift the user write block on the ${side} (${(error as Error).message}): ${manual}.` };
  }
}

/** Drops a collection or view; false when it no longer exists. */
async function dropNamespace(destination: MongoClient, ns: Namespace): Promise<boolean> {
  if (!(await namespaceExists(destination, ns))) return false;
  try {
    await destination.db(ns.db).command({ drop: ns.coll });
    return true;
  } catch (error) {
    if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) return false;
    throw error;
  }
}

/**
 * The views the migration created left `system.views` behind (mongod keeps it, empty, when its last view is
 * dropped), and with it the database, which `sync start` would then find not empty. Dropped when it is all that
 * remains of the database; true when dropped, false when not there to drop, else a warning.
 */
async function dropEmptyViewCatalog(destination: MongoClient, db: string, logger: Logger): Promise<boolean | string> {
  const names = (await destination.db(db).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  if (names.length !== 1 || names[0] !== 'system.views') return false;
  if ((await destination.db(db).collection('system.views').countDocuments()) > 0) return false;
  try {
    await destination.db(db).command({ drop: 'system.views' });
    logger.info('namespace dropped', nsField(namespace(db, 'system.views')));
    return true;
  } catch (error) {
    logger.warn('empty view catalog not dropped', { ...nsField(namespace(db, 'system.views')), ...errorField(error) });
    return `Could not drop the empty ${db}.system.views (${(error as Error).message}): until it is dropped ` +
      `(db.getSiblingDB("${db}").system.views.drop()), \`sync start\` finds database ${db} on the destination not empty.`;
  }
}

/** User databases on the destination, by preflight's rule (everything but admin, local, config and our own). */
async function userDatabases(destination: MongoClient): Promise<string[]> {
  const { databases } = await destination.db('admin').command({ listDatabases: 1, nameOnly: true });
  return (databases as { name: string }[]).map((d) => d.name).filter((n) => !NEVER_SYNCED_DATABASES.has(n)).sort();
}
