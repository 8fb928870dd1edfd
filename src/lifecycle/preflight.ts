/**
 * Checks made before a migration writes anything: both clusters reachable and of a supported kind and version,
 * not the same deployment, users with the privileges the migration needs, and a destination that is empty or
 * already owned by this migration. Every refusal is a PreflightError (exit code 3) that says what to do.
 */
import type { MongoClient } from 'mongodb';
import { ERROR_CODES, PreflightError } from '../errors.js';
import type { UserWriteBlocking } from '../config/schema.js';
import { describeDeployment, type DeploymentDescription } from '../topology/deployment.js';
import { connectSide, type ClusterSide } from '../topology/connect_side.js';
import {
  missingActions,
  readConnectionPrivileges,
  type ConnectionPrivileges,
  type PrivilegeScope,
  type RequiredAction,
} from '../topology/privileges.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { NEVER_SYNCED_DATABASES } from '../catalog/namespace_filter.js';
import type { CatalogEntry } from '../catalog/source_catalog.js';

/** Supported server versions: [min, max) as major versions. */
export const SUPPORTED_MAJOR_VERSIONS = Object.freeze({ min: 6, maxExclusive: 9 });

/** What preflight needs to know about the migration. */
export interface PreflightOptions {
  /** The migration's `id`: its state on the destination is the only data the destination may already hold. */
  readonly migrationId: string;
  /** `enableUserWriteBlocking`: which sides the migration write-blocks, and so needs the privileges for. */
  readonly userWriteBlocking: UserWriteBlocking;
  /** `reversible`: a reverse sync writes into the write-blocked source. */
  readonly reversible: boolean;
}

/** What preflight learned. */
export interface PreflightResult {
  readonly source: DeploymentDescription;
  readonly destination: DeploymentDescription;
  /** This migration's document when the destination already holds it (a rerun resumes it). */
  readonly existing: MigrationDocument | null;
}

const cluster = (action: string): RequiredAction => ({ scope: 'cluster', action });
const anyNormal = (action: string): RequiredAction => ({ scope: 'anyNormal', action });

/*
 * The privileges follow mongosync's documented minimum privileges for self-managed clusters
 * (https://www.mongodb.com/docs/mongosync/current/reference/permissions/, "Minimum Privileges"; the source user's
 * roles there are backup, clusterMonitor and readAnyDatabase, the destination user's clusterManager,
 * clusterMonitor, readWriteAnyDatabase and restore). The manual lists setUserWriteBlockMode and
 * bypassWriteBlockingMode among collection actions, but mongod checks both on the cluster resource (the
 * setUserWriteBlockMode command and the write-blocking bypass), which is where the built-in roles grant them.
 */

/** What the source user needs: reading every collection and its catalog, and change streams. */
const SOURCE_ACTIONS: readonly RequiredAction[] = Object.freeze([
  // The cluster actions mongosync's source user holds.
  ...['appendOplogNote', 'getDefaultRWConcern', 'getShardMap', 'hostInfo', 'listDatabases', 'listShards',
    'replSetGetConfig', 'replSetGetStatus', 'serverStatus'].map(cluster),
  ...['find', 'listCollections', 'listIndexes', 'collStats', 'changeStream'].map(anyNormal),
]);

/** What the destination user needs: creating the catalog, writing documents, changing options at commit. */
const DESTINATION_ACTIONS: readonly RequiredAction[] = Object.freeze([
  cluster('listDatabases'),
  ...['find', 'listCollections', 'listIndexes', 'insert', 'update', 'remove', 'createCollection', 'createIndex',
    'dropCollection', 'collMod', 'bypassDocumentValidation'].map(anyNormal),
]);

/** Blocking user writes, and writing past one's own block. */
const WRITE_BLOCKING_ACTIONS: readonly RequiredAction[] = Object.freeze(
  ['setUserWriteBlockMode', 'bypassWriteBlockingMode'].map(cluster),
);

/** The pure rule: the actions one side's user needs for a migration with these options. */
export function requiredPrivileges(side: ClusterSide, options: Omit<PreflightOptions, 'migrationId'>): RequiredAction[] {
  if (side === 'destination') {
    return [...DESTINATION_ACTIONS, ...(options.userWriteBlocking === 'none' ? [] : WRITE_BLOCKING_ACTIONS)];
  }
  const blocksSource = options.userWriteBlocking === 'sourceAndDestination';
  return [
    ...SOURCE_ACTIONS,
    ...(blocksSource ? [cluster('setUserWriteBlockMode')] : []),
    // A reverse sync writes into the source while its user writes are blocked.
    ...(blocksSource && options.reversible ? [cluster('bypassWriteBlockingMode')] : []),
  ];
}

const SCOPE_WORDS: Readonly<Record<PrivilegeScope, string>> = Object.freeze({
  cluster: 'on the cluster',
  anyNormal: 'on every database',
});

function describeMissing(missing: readonly RequiredAction[]): string {
  const parts: string[] = [];
  for (const scope of ['cluster', 'anyNormal'] as const) {
    const actions = missing.filter((m) => m.scope === scope).map((m) => m.action);
    if (actions.length > 0) parts.push(`${SCOPE_WORDS[scope]}: ${actions.join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * The pure privilege check: throws PREFLIGHT-2008 listing, per side, the actions its user lacks. A server without
 * access control passes; an unauthenticated connection to one that enforces it lacks everything.
 */
export function checkPrivileges(
  granted: Readonly<Record<ClusterSide, ConnectionPrivileges>>,
  options: Omit<PreflightOptions, 'migrationId'>,
): void {
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  for (const side of ['source', 'destination'] as const) {
    const { users, privileges, unrestricted } = granted[side];
    if (unrestricted) continue;
    const missing = missingActions(privileges, requiredPrivileges(side, options));
    if (missing.length === 0) continue;
    const who = users.length > 0 ? `user ${users.join(', ')}` : 'unauthenticated connection';
    problems.push(`the ${side} ${who} lacks ${describeMissing(missing)}`);
    details[side] = {
      users,
      cluster: missing.filter((m) => m.scope === 'cluster').map((m) => m.action),
      anyDatabase: missing.filter((m) => m.scope === 'anyNormal').map((m) => m.action),
    };
  }
  if (problems.length === 0) return;
  throw new PreflightError(ERROR_CODES.PREFLIGHT_MISSING_PRIVILEGES, `Missing privileges: ${problems.join('. And ')}.`, {
    hint:
      'Grant the missing actions (a custom role, or the built-in roles backup, clusterMonitor and readAnyDatabase on ' +
      'the source, and clusterManager, clusterMonitor, readWriteAnyDatabase and restore on the destination, all in ' +
      'the admin database), or connect as a user that has them.',
    details,
  });
}

/**
 * Whether two descriptions are one deployment: the same server process (`topologyVersion.processId`, whatever
 * host alias each URI uses), or the same replica set (same name and a member in common). Empty when not.
 */
export function sameDeploymentEvidence(source: DeploymentDescription, destination: DeploymentDescription): string {
  if (source.processId !== '' && source.processId === destination.processId) {
    return `both connections reach the same server process (${source.me || source.hosts[0] || source.processId})`;
  }
  if (source.setName !== '' && source.setName === destination.setName) {
    const members = (d: DeploymentDescription) => new Set([...d.hosts, ...(d.me ? [d.me] : [])]);
    const destinationMembers = members(destination);
    const shared = [...members(source)].filter((h) => destinationMembers.has(h));
    if (shared.length > 0) return `both are replica set "${source.setName}" with members ${shared.join(', ')}`;
  }
  return '';
}

/** The pure checks on the two deployments' descriptions. */
export function checkDeployments(source: DeploymentDescription, destination: DeploymentDescription): void {
  for (const [side, d] of [['source', source], ['destination', destination]] as const) {
    const major = d.versionArray[0] ?? 0;
    if (!Number.isInteger(major) || major < SUPPORTED_MAJOR_VERSIONS.min || major >= SUPPORTED_MAJOR_VERSIONS.maxExclusive) {
      throw new PreflightError(
        ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION,
        `The ${side} runs MongoDB ${d.version}; supported versions are 6.0 to 8.x.`,
        {
          hint: `Upgrade the ${side} to MongoDB 6.0 or later (8.x at most), then run the command again.`,
          details: { side, version: d.version },
        },
      );
    }
  }
  if (source.kind === 'standalone') {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_UNSUPPORTED_TOPOLOGY,
      'The source is a standalone server: continuous sync reads change streams, which need a replica set or a sharded cluster.',
      { hint: 'Convert the source to a one-member replica set (mongod --replSet, then rs.initiate()).', details: { side: 'source' } },
    );
  }
  const evidence = sameDeploymentEvidence(source, destination);
  if (evidence !== '') {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_SAME_DEPLOYMENT,
      `The source and the destination are the same deployment: ${evidence}.`,
      {
        hint: 'Point destination.uri at another cluster (two URIs with different host names can still reach one deployment).',
        details: { hosts: [...new Set([...source.hosts, ...destination.hosts])], setName: source.setName },
      },
    );
  }
}

/** Refuses namespaces the copy cannot handle yet, before anything is written. */
export function checkCatalog(entries: readonly CatalogEntry[]): void {
  const unsupported = entries.filter((e) => e.kind === 'timeseries');
  if (unsupported.length > 0) {
    const names = unsupported.map((e) => `${e.ns.db}.${e.ns.coll}`).join(', ');
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_UNSUPPORTED_NAMESPACE,
      `Time series collections cannot be synced yet: ${names}.`,
      {
        hint: 'Exclude them with excludeNamespaces and move them by other means (mongodump/mongorestore).',
        details: { namespaces: names },
      },
    );
  }
}

/** The destination must be empty, or hold this migration's state. */
export async function checkDestination(destination: MongoClient, migrationId: string): Promise<MigrationDocument | null> {
  const migrations = await new MigrationStore(destination).list();
  const others = migrations.filter((m) => m._id !== migrationId);
  if (others.length > 0) {
    const ids = others.map((m) => `"${m._id}"`).join(', ');
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_OTHER_MIGRATION,
      `The destination holds the state of another migration (id ${ids}), not of "${migrationId}".`,
      {
        hint: `Set id to ${ids} to resume that migration, or migrate into another destination.`,
        details: { ids: others.map((m) => m._id) },
      },
    );
  }
  const existing = migrations.find((m) => m._id === migrationId) ?? null;
  if (existing) return existing;
  const { databases } = await destination.db('admin').command({ listDatabases: 1, nameOnly: true });
  const userDatabases = (databases as { name: string }[]).map((d) => d.name).filter((n) => !NEVER_SYNCED_DATABASES.has(n));
  if (userDatabases.length > 0) {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_DESTINATION_NOT_EMPTY,
      `The destination already holds user databases (${userDatabases.join(', ')}) that this migration did not write.`,
      {
        hint: 'Migrate into an empty destination: drop the listed databases there (after checking they are not needed), or choose another destination.',
        details: { databases: userDatabases },
      },
    );
  }
  return null;
}

/**
 * Connects both sides at once, so that two unreachable clusters cost one server selection timeout, not two; a
 * source failure is reported first.
 */
async function connectBoth(source: MongoClient, destination: MongoClient): Promise<void> {
  const [sourceResult, destinationResult] = await Promise.allSettled([
    connectSide(source, 'source'),
    connectSide(destination, 'destination'),
  ]);
  for (const result of [sourceResult, destinationResult]) {
    if (result.status === 'rejected') throw result.reason;
  }
}

/**
 * Runs every preflight check, reading only; the clients must not be connected yet. The order puts the most basic
 * problem first: reachability and credentials, then versions, topology and identity, privileges, and last the
 * destination's content (which the privileges must allow reading).
 */
export async function runPreflight(source: MongoClient, destination: MongoClient, options: PreflightOptions): Promise<PreflightResult> {
  await connectBoth(source, destination);
  const [sourceDescription, destinationDescription] = await Promise.all([
    describeDeployment(source),
    describeDeployment(destination),
  ]);
  checkDeployments(sourceDescription, destinationDescription);
  const [sourcePrivileges, destinationPrivileges] = await Promise.all([
    readConnectionPrivileges(source),
    readConnectionPrivileges(destination),
  ]);
  checkPrivileges({ source: sourcePrivileges, destination: destinationPrivileges }, options);
  const existing = await checkDestination(destination, options.migrationId);
  return { source: sourceDescription, destination: destinationDescription, existing };
}
