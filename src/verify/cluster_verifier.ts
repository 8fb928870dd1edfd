/**
 * Compares every namespace the filter includes on the source and the destination: presence and kind, options
 * (a view's pipeline included), indexes, document counts and the order-independent hash of the documents' exact
 * bytes, with sample `_id`s when the hashes differ.
 *
 * The expected catalog is the source's as it is now, rewritten as the sync rewrites it unless the migration is
 * committed (see `spec_comparison.ts`). The internal database and the server's own databases are never compared:
 * the namespace filter leaves them out on both sides.
 *
 * What "equal" means depends on timing: while writes still flow into the source, the two sides differ by the
 * events not yet applied. Verify when the destination has caught up and writes are paused, or after commit.
 */
import type { MongoClient } from 'mongodb';
import pLimit from 'p-limit';
import { formatNamespace } from '../catalog/namespace.js';
import type { NamespaceFilterOptions } from '../catalog/namespace_filter.js';
import { readSourceCatalog, type CatalogEntry } from '../catalog/source_catalog.js';
import { InterruptedError } from '../errors.js';
import { countField, nsField } from '../log/fields.js';
import type { Logger } from '../log/logger.js';
import { MigrationStore } from '../state/migration_store.js';
import { hashCollection, type CollectionDigest } from './collection_hasher.js';
import { DEFAULT_MAX_SAMPLES, sampleDifferences } from './document_sampler.js';
import {
  compareIndexes,
  compareOptions,
  expectedCollectionOptions,
  type ComparisonMode,
  type IndexExpectation,
} from './spec_comparison.js';
import {
  isNamespaceEqual,
  type DocumentSample,
  type ModeReason,
  type NamespaceVerification,
  type VerifyReport,
} from './verify_report.js';

/** Options of {@link verifyClusters}. */
export interface VerifyClustersOptions {
  /** The migration id (`id` in sync.yaml), whose state decides the comparison mode. */
  readonly migrationId: string;
  /** Which namespaces to compare. */
  readonly filter: NamespaceFilterOptions;
  /**
   * `true`: compare with the original definitions; `false`: with their sync-time form; unset: from the
   * migration's state (COMMITTED -> original), and original when the destination holds no such migration.
   */
  readonly committed?: boolean | undefined;
  /** Which indexes the destination should have: `idOnly` when the configuration says `buildIndexes: never`. */
  readonly indexes: IndexExpectation;
  /** Namespaces compared at once (each reads both clusters at the same time). At least 1. */
  readonly concurrency: number;
  /** Differing documents reported per namespace. Unset: {@link DEFAULT_MAX_SAMPLES}. */
  readonly maxSamples?: number;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The two clients to compare (already created; the driver connects on first use). */
export interface VerifyClients {
  readonly source: MongoClient;
  readonly destination: MongoClient;
}

/** Compares the two clusters and returns the report; never throws for a difference. */
export async function verifyClusters(clients: VerifyClients, options: VerifyClustersOptions): Promise<VerifyReport> {
  const { mode, modeReason, migrationState } = await comparisonMode(clients.destination, options);
  const [sourceCatalog, destinationCatalog] = await Promise.all([
    readSourceCatalog(clients.source, options.filter),
    readSourceCatalog(clients.destination, options.filter),
  ]);
  const pairs = pairByNamespace(sourceCatalog, destinationCatalog);
  options.logger?.info('Verification started.', { mode, ...countField(pairs.length) });

  const limit = pLimit(Math.max(1, options.concurrency));
  const namespaces = await Promise.all(
    pairs.map((pair) => limit(() => verifyNamespace(clients, pair, mode, options))),
  );
  return { mode, modeReason, migrationId: options.migrationId, migrationState, namespaces };
}

interface ModeDecision {
  readonly mode: ComparisonMode;
  readonly modeReason: ModeReason;
  readonly migrationState: string | null;
}

async function comparisonMode(destination: MongoClient, options: VerifyClustersOptions): Promise<ModeDecision> {
  const migration = await new MigrationStore(destination).get(options.migrationId);
  const migrationState = migration?.state ?? null;
  if (options.committed !== undefined) {
    return { mode: options.committed ? 'committed' : 'syncing', modeReason: 'flag', migrationState };
  }
  if (migrationState === null) return { mode: 'committed', modeReason: 'noMigration', migrationState };
  return { mode: migrationState === 'COMMITTED' ? 'committed' : 'syncing', modeReason: 'migrationState', migrationState };
}

/** A namespace with its catalog entry on each side (at least one is set). */
interface NamespacePair {
  readonly ns: string;
  readonly source: CatalogEntry | undefined;
  readonly destination: CatalogEntry | undefined;
}

function pairByNamespace(source: readonly CatalogEntry[], destination: readonly CatalogEntry[]): NamespacePair[] {
  const pairs = new Map<string, { source?: CatalogEntry; destination?: CatalogEntry }>();
  for (const entry of source) pairs.set(formatNamespace(entry.ns), { source: entry });
  for (const entry of destination) {
    const name = formatNamespace(entry.ns);
    pairs.set(name, { ...pairs.get(name), destination: entry });
  }
  return [...pairs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ns, pair]) => ({ ns, source: pair.source, destination: pair.destination }));
}

async function verifyNamespace(
  clients: VerifyClients,
  pair: NamespacePair,
  mode: ComparisonMode,
  options: VerifyClustersOptions,
): Promise<NamespaceVerification> {
  if (options.signal?.aborted === true) throw new InterruptedError('Verification interrupted.');
  const { source, destination } = pair;
  const bothPresent = source !== undefined && destination !== undefined;
  const optionDifferences = bothPresent
    ? compareOptions(expectedCollectionOptions(source.options, mode), destination.options)
    : [];
  const indexDifferences =
    bothPresent && (source.kind !== 'view' || destination.kind !== 'view')
      ? compareIndexes(source.indexes, destination.indexes, mode, options.indexes)
      : [];

  const digest = (client: MongoClient, entry: CatalogEntry | undefined): Promise<CollectionDigest | undefined> =>
    entry === undefined || entry.kind === 'view'
      ? Promise.resolve(undefined)
      : hashCollection(client.db(entry.ns.db).collection(entry.ns.coll), options.signal);
  const [sourceDigest, destinationDigest] = await Promise.all([
    digest(clients.source, source),
    digest(clients.destination, destination),
  ]);

  let samples: DocumentSample[] = [];
  if (
    source !== undefined &&
    destination !== undefined &&
    sourceDigest !== undefined &&
    destinationDigest !== undefined &&
    (sourceDigest.hash !== destinationDigest.hash || sourceDigest.count !== destinationDigest.count)
  ) {
    samples = await sampleDifferences(
      clients.source.db(source.ns.db).collection(source.ns.coll),
      clients.destination.db(destination.ns.db).collection(destination.ns.coll),
      {
        maxSamples: options.maxSamples ?? DEFAULT_MAX_SAMPLES,
        simpleCollation: hasNonSimpleCollation(source) || hasNonSimpleCollation(destination),
        signal: options.signal,
      },
    );
  }

  const verification: NamespaceVerification = {
    ns: pair.ns,
    sourceKind: source?.kind ?? null,
    destinationKind: destination?.kind ?? null,
    sourceCount: sourceDigest?.count ?? null,
    destinationCount: destinationDigest?.count ?? null,
    sourceHash: sourceDigest?.hash ?? null,
    destinationHash: destinationDigest?.hash ?? null,
    optionDifferences,
    indexDifferences,
    samples,
  };
  options.logger?.info('Namespace verified.', {
    ...nsField(source?.ns ?? destination?.ns ?? { db: '', coll: pair.ns }),
    ...countField(sourceDigest?.count ?? 0),
    equal: isNamespaceEqual(verification),
  });
  return verification;
}

/** True when the collection sorts strings with a collation other than the simple one by default. */
function hasNonSimpleCollation(entry: CatalogEntry): boolean {
  const collation = entry.options.collation as { locale?: unknown } | undefined;
  return collation !== undefined && collation.locale !== 'simple';
}
