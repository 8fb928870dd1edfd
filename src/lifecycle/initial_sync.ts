/**
 * The initial sync of `sync start`: catalog, partitioning, copy, indexes. Each phase is recorded in the migration
 * document and every step is idempotent, so a rerun after a crash (or kill -9) continues where the last run was:
 * finished partitions are skipped and unfinished ones resume from their checkpoint.
 */
import type { Document, MongoClient } from 'mongodb';
import type { SyncConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { childLogger } from '../log/logger.js';
import { readSourceCatalog, type CatalogEntry } from '../catalog/source_catalog.js';
import { createIndexes, createNamespace, isCapped } from '../catalog/catalog_writer.js';
import { formatNamespace } from '../catalog/namespace.js';
import { CatalogStore } from '../state/catalog_store.js';
import { MigrationStore, COPY_PHASES, type CopyPhase, type MigrationDocument } from '../state/migration_store.js';
import { PartitionStore, type PartitionDocument } from '../state/partition_store.js';
import { currentClusterTime, type DeploymentDescription } from '../topology/deployment.js';
import { collectionSize } from '../copy/collection_size.js';
import { documentsPerPartition, pickBoundaries, rangesFromBoundaries } from '../copy/partition_planner.js';
import { exactIdOf } from '../bson/exact_document.js';
import { PartitionCopier } from '../copy/partition_copier.js';
import { runCopy, type CopyRunResult } from '../copy/copy_runner.js';
import { CopyProgress, type CopyProgressListener, type NamespaceTotals } from './copy_progress.js';
import { checkCatalog } from './preflight.js';

/** What one run of the initial sync did. */
export interface InitialSyncResult {
  readonly migration: MigrationDocument;
  /** True when the run continued a migration that an earlier run had started. */
  readonly resumed: boolean;
  readonly namespaces: number;
  readonly copy: CopyRunResult;
}

export interface InitialSyncDeps {
  readonly source: MongoClient;
  readonly destination: MongoClient;
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly sourceDescription: DeploymentDescription;
  readonly destinationDescription: DeploymentDescription;
  /** Receives copy progress about every second and once at the end of the copy. */
  readonly onProgress?: CopyProgressListener;
}

/** How often progress snapshots are taken during the copy. */
export const PROGRESS_INTERVAL_MS = 1000;

function identity(d: DeploymentDescription): string {
  return d.setName ? `${d.setName}/${d.hosts.join(',')}` : d.hosts.join(',');
}

function reached(migration: MigrationDocument, phase: CopyPhase): boolean {
  return COPY_PHASES.indexOf(migration.phase) >= COPY_PHASES.indexOf(phase);
}

/** Runs (or resumes) the initial sync of the configured migration. */
export async function runInitialSync(deps: InitialSyncDeps, existing: MigrationDocument | null): Promise<InitialSyncResult> {
  const { source, destination, config, signal, now } = deps;
  const logger = childLogger(deps.logger, 'initial-sync');
  const migrations = new MigrationStore(destination);
  const catalog = await readSourceCatalog(source, config);
  checkCatalog(catalog);

  let migration = existing;
  if (!migration) {
    // T0 is taken before the first document is read: the change stream replays every write from here.
    const t0 = await currentClusterTime(source);
    migration = {
      _id: config.id,
      state: 'RUNNING',
      phase: 'catalog',
      t0,
      sourceIdentity: identity(deps.sourceDescription),
      destinationIdentity: identity(deps.destinationDescription),
      createdAt: now(),
      updatedAt: now(),
    };
    await migrations.create(migration);
    logger.info('migration created', { migrationId: config.id, clusterTime: t0.toString() });
  } else {
    logger.info('migration resumed', { migrationId: config.id, phase: migration.phase });
  }
  const advance = async (phase: CopyPhase) => {
    migration = { ...migration!, phase };
    await migrations.update(config.id, { phase }, now());
  };

  const collections = catalog.filter((e) => e.kind === 'collection');
  if (!reached(migration, 'partitioning')) {
    await createCatalog(deps, catalog, logger);
    await advance('partitioning');
  }
  const partitions = new PartitionStore(destination);
  if (!reached(migration, 'copying')) {
    for (const entry of collections) await planCollection(deps, partitions, entry);
    await advance('copying');
  }
  let copy: CopyRunResult = { partitions: 0, docs: 0, bytes: 0 };
  if (!reached(migration, 'indexes')) {
    const all = await partitions.list(config.id);
    const progress = new CopyProgress(all, await measureCollections(source, collections), () => now().getTime());
    const report = (done: boolean) => deps.onProgress?.(progress.snapshot(done));
    const copier = new PartitionCopier(source, destination, partitions, logger, {
      batchSizeBytes: config.copy.batchSizeBytes,
      onBatch: (ns, docs, bytes) => progress.record(ns, docs, bytes),
    });
    const ticker = setInterval(() => report(false), PROGRESS_INTERVAL_MS);
    try {
      copy = await runCopy(copier, all, config.copy.parallelism, signal);
    } finally {
      clearInterval(ticker);
    }
    if (signal.aborted) return { migration, resumed: existing !== null, namespaces: catalog.length, copy };
    report(true);
    // Renames of copied collections before this time may have hidden documents from the copy (event_translation.ts).
    const copyEndedAt = await currentClusterTime(source);
    migration = { ...migration, copyEndedAt };
    await migrations.update(config.id, { copyEndedAt }, now());
    await advance('indexes');
  }
  if (!reached(migration, 'copied')) {
    if (config.buildIndexes === 'afterDataCopy') {
      for (const entry of collections) await buildIndexes(deps, entry, logger);
    }
    await advance('copied');
  }
  return { migration, resumed: existing !== null, namespaces: catalog.length, copy };
}

async function createCatalog(deps: InitialSyncDeps, catalog: readonly CatalogEntry[], logger: Logger): Promise<void> {
  const store = new CatalogStore(deps.destination);
  for (const entry of catalog) {
    const ns = formatNamespace(entry.ns);
    await store.save({
      _id: `${deps.config.id}/${ns}`,
      migrationId: deps.config.id,
      db: entry.ns.db,
      coll: entry.ns.coll,
      kind: entry.kind,
      options: entry.options,
      indexes: [...entry.indexes],
    });
    if (await createNamespace(deps.destination, entry)) logger.info('namespace created', { ns, kind: entry.kind });
    if (entry.kind === 'collection' && deps.config.buildIndexes === 'beforeDataCopy') await buildIndexes(deps, entry, logger);
  }
}

async function buildIndexes(deps: InitialSyncDeps, entry: CatalogEntry, logger: Logger): Promise<void> {
  if (deps.config.buildIndexes === 'never') return;
  const warnings = await createIndexes(deps.destination, entry);
  for (const warning of warnings) logger.warn('index rewritten', { ns: formatNamespace(entry.ns), warning });
}

/** Splits one collection into partitions (once: a rerun keeps the stored ones). */
async function planCollection(deps: InitialSyncDeps, store: PartitionStore, entry: CatalogEntry): Promise<void> {
  const { db, coll } = entry.ns;
  if (await store.hasPartitions(deps.config.id, db, coll)) return;
  const base = { migrationId: deps.config.id, db, coll, status: 'pending' as const, docsCopied: 0, bytesCopied: 0 };
  const id = (index: number) => `${deps.config.id}/${db}.${coll}/${index}`;
  if (isCapped(entry.options)) {
    await store.saveAll([{ ...base, _id: id(0), index: 0, natural: true }]);
    return;
  }
  const collection = deps.source.db(db).collection(coll);
  const size = await collectionSize(collection);
  let boundaries: unknown[] = [];
  if (size.totalBytes > deps.config.copy.partitionSizeBytes) {
    const perPartition = documentsPerPartition(deps.config.copy.partitionSizeBytes, size.averageDocumentBytes);
    const ids = collection.find({}, { raw: true, projection: { _id: 1 }, sort: { _id: 1 }, hint: { _id: 1 }, batchSize: 10_000 });
    boundaries = await pickBoundaries(mapIds(ids as AsyncIterable<Uint8Array>), perPartition);
  }
  const partitions: PartitionDocument[] = rangesFromBoundaries(boundaries).map((range, index) => ({
    ...base,
    _id: id(index),
    index,
    natural: false,
    ...(range.min ? { min: range.min as Document } : {}),
    ...(range.max ? { max: range.max as Document } : {}),
  }));
  await store.saveAll(partitions);
}

/** Each collection's size before the copy, for progress totals and the ETA. */
async function measureCollections(source: MongoClient, collections: readonly CatalogEntry[]): Promise<Map<string, NamespaceTotals>> {
  const totals = new Map<string, NamespaceTotals>();
  for (const entry of collections) {
    const size = await collectionSize(source.db(entry.ns.db).collection(entry.ns.coll));
    totals.set(formatNamespace(entry.ns), { docs: size.count, bytes: size.totalBytes });
  }
  return totals;
}

async function* mapIds(raw: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  for await (const doc of raw) yield exactIdOf(doc);
}
