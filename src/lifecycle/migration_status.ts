/**
 * `sync status`: what a migration is doing, read from the destination's internal database (so it works from any
 * host, whether a `sync start` process runs or not) and from the source's current cluster time (for the lag).
 * The progress document uses mongosync's field names so that its users' automation keeps working.
 */
import type { MongoClient, Timestamp } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import { ERROR_CODES, StateError } from '../errors.js';
import { createClusterClients, type ClusterClients } from '../topology/clients.js';
import type { SyncDirection } from '../state/migration_store.js';
import { transitionFacts } from './control_requests.js';
import { canCommit } from './transitions.js';
import { directionOf, syncSides } from './sync_sides.js';
import { connectSide } from '../topology/connect_side.js';
import { currentClusterTime } from '../topology/deployment.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { PartitionStore, type PartitionDocument } from '../state/partition_store.js';
import { CheckpointStore } from '../state/checkpoint_store.js';
import { LeaseStore, type LeaseDocument } from '../state/lease_store.js';

/** Copy progress of one namespace. */
export interface NamespaceCopyStatus {
  readonly ns: string;
  readonly partitions: number;
  readonly partitionsDone: number;
  readonly documentsCopied: number;
  readonly bytesCopied: number;
}

/** The progress document (mongosync's `/api/v1/progress` field names, plus ours after `migrationId`). */
export interface MigrationProgress {
  readonly state: MigrationDocument['state'];
  /** A commit request would be accepted now: a process applies changes and the lag is under 30 s. */
  readonly canCommit: boolean;
  /** Applications may write to the side the data now flows to: once commit restored unique indexes (prepareUnique). */
  readonly canWrite: boolean;
  /** What the migration does now, in words. */
  readonly info: string;
  /** Seconds between the source's cluster time and the last applied change; null before change application. */
  readonly lagTimeSeconds: number | null;
  readonly totalEventsApplied: number;
  readonly collectionCopy: { readonly estimatedCopiedBytes: number; readonly documentsCopied: number };
  readonly directionMapping: { readonly Source: string; readonly Destination: string };
  readonly warnings: readonly string[];
  readonly migrationId: string;
  /** `forward` (source -> destination) or `reverse` (after `sync reverse`). */
  readonly direction: SyncDirection;
  readonly phase: MigrationDocument['phase'];
  /** Why the migration failed; null unless FAILED. */
  readonly failure: { readonly code: string; readonly message: string; readonly at: Date } | null;
  /** The process driving the migration now; null when none holds an unexpired lease. */
  readonly runningOn: { readonly host: string; readonly pid: number; readonly until: Date } | null;
  readonly namespaces: readonly NamespaceCopyStatus[];
}

/** The pure assembly of the progress document from what the stores hold. */
export function buildProgress(input: {
  migration: MigrationDocument;
  config: Pick<SyncConfig, 'reversible' | 'enableUserWriteBlocking'>;
  partitions: readonly PartitionDocument[];
  eventsApplied: number;
  appliedClusterTime: Timestamp | undefined;
  sourceClusterTime: Timestamp | undefined;
  lease: LeaseDocument | null;
  now: Date;
}): MigrationProgress {
  const { migration, partitions, lease, now } = input;
  const byNs = new Map<string, NamespaceCopyStatus>();
  for (const p of partitions) {
    const ns = `${p.db}.${p.coll}`;
    const current = byNs.get(ns) ?? { ns, partitions: 0, partitionsDone: 0, documentsCopied: 0, bytesCopied: 0 };
    byNs.set(ns, {
      ns,
      partitions: current.partitions + 1,
      partitionsDone: current.partitionsDone + (p.status === 'done' ? 1 : 0),
      documentsCopied: current.documentsCopied + p.docsCopied,
      bytesCopied: current.bytesCopied + p.bytesCopied,
    });
  }
  const namespaces = [...byNs.values()].sort((a, b) => a.ns.localeCompare(b.ns));
  const lagTimeSeconds = input.appliedClusterTime && input.sourceClusterTime
    ? Math.max(0, input.sourceClusterTime.high - input.appliedClusterTime.high)
    : null;
  const running = lease !== null && lease.expiresAt.getTime() > now.getTime();
  const direction = directionOf(migration);
  const facts = transitionFacts(migration, input.config, running && lagTimeSeconds !== null ? lagTimeSeconds : undefined);
  return {
    state: migration.state,
    canCommit: canCommit(facts),
    canWrite: migration.state === 'COMMITTED' || (migration.state === 'COMMITTING' && migration.commit?.canWrite === true),
    info: describeActivity(migration, input.appliedClusterTime !== undefined),
    lagTimeSeconds,
    totalEventsApplied: input.eventsApplied,
    collectionCopy: {
      estimatedCopiedBytes: namespaces.reduce((n, s) => n + s.bytesCopied, 0),
      documentsCopied: namespaces.reduce((n, s) => n + s.documentsCopied, 0),
    },
    directionMapping: direction === 'forward'
      ? { Source: migration.sourceIdentity, Destination: migration.destinationIdentity }
      : { Source: migration.destinationIdentity, Destination: migration.sourceIdentity },
    warnings: warningsOf(migration),
    migrationId: migration._id,
    direction,
    phase: migration.phase,
    failure: migration.failure ?? null,
    runningOn: running ? { host: lease!.host, pid: lease!.pid, until: lease!.expiresAt } : null,
    namespaces,
  };
}

/**
 * The progress document of a process that drives a migration whose document is not written yet (preflight, the
 * first catalog read): mongosync's INITIALIZING.
 */
export function initializingProgress(config: Pick<SyncConfig, 'id'>): MigrationProgress {
  return {
    state: 'INITIALIZING', canCommit: false, canWrite: false, info: 'initializing', lagTimeSeconds: null, totalEventsApplied: 0,
    collectionCopy: { estimatedCopiedBytes: 0, documentsCopied: 0 }, directionMapping: { Source: '', Destination: '' },
    warnings: [], migrationId: config.id, direction: 'forward', phase: 'catalog', failure: null, runningOn: null, namespaces: [],
  };
}

/** Reads the progress of the configured migration. Throws a StateError when the destination holds none. */
export async function readMigrationStatus(config: SyncConfig, now: () => Date = () => new Date()): Promise<MigrationProgress> {
  const clients = createClusterClients(config.source.uri, config.destination.uri);
  try {
    await connectSide(clients.destination, 'destination');
    return await readProgress(clients, config, now);
  } finally {
    await clients.close();
  }
}

/** The progress document, read through connected clients (the running process's API uses its own). */
export async function readProgress(clients: Pick<ClusterClients, 'source' | 'destination'>, config: SyncConfig, now: () => Date): Promise<MigrationProgress> {
  const migration = await new MigrationStore(clients.destination).get(config.id);
  if (!migration) {
    throw new StateError(ERROR_CODES.STATE_NO_MIGRATION, `The destination holds no migration "${config.id}".`, {
      hint: 'Check `id` in the configuration, or start the migration with `sync start`.',
    });
  }
  const [partitions, checkpoint, lease] = await Promise.all([
    new PartitionStore(clients.destination).list(config.id),
    new CheckpointStore(clients.destination).load(config.id),
    new LeaseStore(clients.destination).get(config.id),
  ]);
  // The lag is measured against the side changes come from (the destination after a reverse).
  const from = syncSides(clients, directionOf(migration)).from;
  const sourceClusterTime = checkpoint ? await clusterTimeOrUndefined(from) : undefined;
  return buildProgress({
    migration, config, partitions, lease, now: now(),
    eventsApplied: checkpoint?.eventsApplied ?? 0,
    appliedClusterTime: checkpoint?.point.clusterTime,
    sourceClusterTime,
  });
}

/** What the operator should know besides the state. */
function warningsOf(migration: MigrationDocument): string[] {
  const warnings: string[] = [];
  if (migration.state === 'RUNNING' && migration.lastCommitError !== undefined) {
    warnings.push(`the last commit was abandoned at ${migration.lastCommitError.at.toISOString()}: ${migration.lastCommitError.message}`);
  }
  return warnings;
}

/** What the migration does now, in words (mongosync's `info`). */
function describeActivity(migration: MigrationDocument, applying: boolean): string {
  switch (migration.state) {
    case 'FAILED': return 'failed';
    case 'PAUSED': return 'paused';
    case 'COMMITTING': return 'commit in progress';
    case 'COMMITTED': return 'commit completed';
    case 'REVERSING': return 'reversing the direction of the sync';
    default:
      if (migration.phase !== 'copied') return `initial sync: ${migration.phase}`;
      return applying ? 'change event application' : 'copy complete';
  }
}

/** A cluster's time, or undefined when it cannot be reached (status still reports the rest). */
async function clusterTimeOrUndefined(client: MongoClient): Promise<Timestamp | undefined> {
  try {
    return await currentClusterTime(client);
  } catch {
    return undefined;
  }
}
