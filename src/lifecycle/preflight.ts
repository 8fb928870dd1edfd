/**
 * Checks made before a migration writes anything: both clusters reachable and of a supported kind and version,
 * not the same deployment, and a destination that is empty or already owned by this migration.
 */
import type { MongoClient } from 'mongodb';
import { ERROR_CODES, PreflightError } from '../errors.js';
import { describeDeployment, type DeploymentDescription } from '../topology/deployment.js';
import { connectSide } from '../topology/connect_side.js';
import { MigrationStore, type MigrationDocument } from '../state/migration_store.js';
import { NEVER_SYNCED_DATABASES } from '../catalog/namespace_filter.js';
import type { CatalogEntry } from '../catalog/source_catalog.js';

/** Supported server versions: [min, max) as major versions. */
export const SUPPORTED_MAJOR_VERSIONS = Object.freeze({ min: 6, maxExclusive: 9 });

/** What preflight learned. */
export interface PreflightResult {
  readonly source: DeploymentDescription;
  readonly destination: DeploymentDescription;
  /** This migration's document when the destination already holds it (a rerun resumes it). */
  readonly existing: MigrationDocument | null;
}

/** The pure checks on the two deployments' descriptions. */
export function checkDeployments(source: DeploymentDescription, destination: DeploymentDescription): void {
  for (const [side, d] of [['source', source], ['destination', destination]] as const) {
    const major = d.versionArray[0] ?? 0;
    if (major < SUPPORTED_MAJOR_VERSIONS.min || major >= SUPPORTED_MAJOR_VERSIONS.maxExclusive) {
      throw new PreflightError(
        ERROR_CODES.PREFLIGHT_UNSUPPORTED_VERSION,
        `The ${side} runs MongoDB ${d.version}; supported versions are 6.0 to 8.x.`,
        { details: { side, version: d.version } },
      );
    }
  }
  if (source.kind === 'standalone') {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_UNSUPPORTED_TOPOLOGY,
      'The source is a standalone server: continuous sync reads change streams, which need a replica set or a sharded cluster.',
      { hint: 'Convert the source to a one-member replica set (mongod --replSet, then rs.initiate()).' },
    );
  }
  const shared = source.hosts.filter((h) => destination.hosts.includes(h));
  if (shared.length > 0) {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_SAME_DEPLOYMENT,
      `The source and the destination are the same deployment (both list ${shared.join(', ')}).`,
      { details: { hosts: shared } },
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
      { details: { namespaces: names } },
    );
  }
}

/** The destination must be empty, or hold this migration's state. */
export async function checkDestination(destination: MongoClient, migrationId: string): Promise<MigrationDocument | null> {
  const migrations = await new MigrationStore(destination).list();
  const others = migrations.filter((m) => m._id !== migrationId);
  if (others.length > 0) {
    throw new PreflightError(
      ERROR_CODES.PREFLIGHT_OTHER_MIGRATION,
      `The destination holds the state of another migration (id ${others.map((m) => `"${m._id}"`).join(', ')}), not of "${migrationId}".`,
      { details: { ids: others.map((m) => m._id) } },
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
      { details: { databases: userDatabases } },
    );
  }
  return null;
}

/** Runs every preflight check; the clients must not be connected yet. */
export async function runPreflight(source: MongoClient, destination: MongoClient, migrationId: string): Promise<PreflightResult> {
  await connectSide(source, 'source');
  await connectSide(destination, 'destination');
  const [sourceDescription, destinationDescription] = await Promise.all([
    describeDeployment(source),
    describeDeployment(destination),
  ]);
  checkDeployments(sourceDescription, destinationDescription);
  const existing = await checkDestination(destination, migrationId);
  return { source: sourceDescription, destination: destinationDescription, existing };
}
