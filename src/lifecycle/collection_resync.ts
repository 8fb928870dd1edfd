/**
 * The resync of one collection during the change application (a `resync` barrier operation, see
 * changes/event_translation.ts "Renames and copies"): the destination's collection is dropped, created again from
 * the source's catalog as it is now (options and indexes with the sync-time rewrites, originals recorded for
 * commit) and its documents copied with the partition copier, in one partition.
 *
 * The applier runs it after every writer has flushed, while the event that asked for it (a rename) is the last one
 * applied, so every read here happens after that event: each copied document is in a state the source had at or
 * after it, and the events that follow replay onto it idempotently. The end of the copy (the source's cluster time
 * after its last read) is recorded, in memory for this run's translation and in the resync store for later runs: a
 * rename of the collection at or before it may have hidden documents from this copy, and is a resync again.
 *
 * The source's collection may be gone when the resync reads it (dropped, or renamed again, after the event): then
 * there is nothing to copy, and the drop or rename events that follow settle the destination.
 */
import { MongoServerError, Timestamp, type Binary, type Document, type MongoClient } from 'mongodb';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import { createIndexes, createNamespace, isCapped } from '../catalog/catalog_writer.js';
import type { CollectionKind } from '../catalog/collection_rules.js';
import { formatNamespace, type Namespace } from '../catalog/namespace.js';
import type { CatalogEntry } from '../catalog/source_catalog.js';
import { DDL_ERROR_CODES, type NamespaceResync } from '../changes/barrier_runner.js';
import type { CopiedNamespaces } from '../changes/event_translation.js';
import type { SyncConfig } from '../config/schema.js';
import { PartitionCopier, type PartitionCheckpoints } from '../copy/partition_copier.js';
import { countField, elapsedField, nsField } from '../log/fields.js';
import { childLogger, type Logger } from '../log/logger.js';
import { CatalogStore } from '../state/catalog_store.js';
import type { PartitionDocument } from '../state/partition_store.js';
import { ResyncStore } from '../state/resync_store.js';
import { currentClusterTime } from '../topology/deployment.js';

/** A cursor killed because its collection was dropped or renamed (jstests/core/getmore_invalidated_cursors.js). */
const QUERY_PLAN_KILLED = 175;

/**
 * A resync's copy keeps no checkpoints: a resync cut short is not recorded as done, so its barrier is applied again
 * from the start (drop, create, copy) by the next run.
 */
const NO_CHECKPOINTS: PartitionCheckpoints = Object.freeze({
  checkpoint: async () => undefined,
  markDone: async () => undefined,
});

export interface CollectionResyncDeps {
  /** The side changes are read from. */
  readonly source: MongoClient;
  /** The side changes are written to. */
  readonly destination: MongoClient;
  /** Where the migration's state lives (default: `destination`). */
  readonly stateClient?: MongoClient;
  readonly config: SyncConfig;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** What a change application needs for resyncs: the implementation and the copies its translation knows of. */
export interface CollectionResyncWiring {
  readonly resync: CollectionResync;
  readonly initialCopy: CopiedNamespaces;
}

/**
 * The resync of a change-sync run and the copies its translation must know about: the initial copy's (undefined
 * when the migration recorded none) and the resyncs of earlier runs, read from the resync store. Pass both to
 * `startChangeApplication`; build them anew for each run, so that they reflect what is stored.
 */
export async function prepareCollectionResync(
  deps: CollectionResyncDeps,
  initialCopy: { readonly namespaces: ReadonlySet<string>; readonly endedAt: Timestamp } | undefined,
): Promise<CollectionResyncWiring> {
  const stored = await new ResyncStore(deps.stateClient ?? deps.destination).list(deps.config.id);
  const resynced = new Map(stored.map((r) => [`${r.db}.${r.coll}`, r.copiedUntil]));
  const resync = new CollectionResync(deps, resynced);
  return {
    resync,
    initialCopy: {
      namespaces: initialCopy?.namespaces ?? new Set(),
      // No initial copy: `namespaces` is empty, so this time is never used.
      endedAt: initialCopy?.endedAt ?? new Timestamp({ t: 0, i: 0 }),
      resynced,
    },
  };
}

/** Copies collections again from the source (see the module comment). */
export class CollectionResync implements NamespaceResync {
  private readonly logger: Logger;
  private readonly stateClient: MongoClient;

  /** `resynced`: the map the run's translation reads (CopiedNamespaces.resynced); each resync updates it. */
  constructor(private readonly deps: CollectionResyncDeps, private readonly resynced: Map<string, Timestamp>) {
    this.logger = childLogger(deps.logger, 'resync');
    this.stateClient = deps.stateClient ?? deps.destination;
  }

  async resync(ns: Namespace, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { source, destination, config, now } = this.deps;
    const startMs = now().getTime();
    this.logger.info('collection resync started', nsField(ns));
    const entry = await readCatalogEntry(source, ns);
    await dropCollection(destination, ns);
    let docs = 0;
    if (entry === undefined) {
      this.logger.info('collection to resync is gone from the source; the events that follow settle it', nsField(ns));
    } else {
      await createNamespace(destination, entry);
      if (entry.kind !== 'view') {
        if (config.buildIndexes === 'beforeDataCopy') await this.buildIndexes(entry);
        docs = await this.copyDocuments(entry, signal);
        if (config.buildIndexes === 'afterDataCopy') await this.buildIndexes(entry);
      }
      await new CatalogStore(this.stateClient).save({
        _id: `${config.id}/${formatNamespace(ns)}`,
        migrationId: config.id,
        db: ns.db,
        coll: ns.coll,
        kind: entry.kind,
        options: entry.options,
        indexes: [...entry.indexes],
      });
    }
    signal.throwIfAborted();
    // Taken after the last read: every rename the copy may have missed happened at or before it.
    const copiedUntil = await currentClusterTime(source);
    await new ResyncStore(this.stateClient).save(config.id, ns, copiedUntil, now());
    this.resynced.set(formatNamespace(ns), copiedUntil);
    this.logger.info('collection resynced', { ...nsField(ns), ...countField(docs), ...elapsedField(startMs, now().getTime()) });
  }

  private async buildIndexes(entry: CatalogEntry): Promise<void> {
    const warnings = await createIndexes(this.deps.destination, entry);
    for (const warning of warnings) this.logger.warn('index rewritten', { ...nsField(entry.ns), warning });
  }

  /** Copies the collection's documents in one partition; returns how many. */
  private async copyDocuments(entry: ResyncEntry, signal: AbortSignal): Promise<number> {
    const { source, destination, config } = this.deps;
    const { db, coll } = entry.ns;
    const partition: PartitionDocument = {
      _id: `${config.id}/${db}.${coll}/resync`,
      migrationId: config.id,
      db,
      coll,
      index: 0,
      natural: isCapped(entry.options),
      status: 'pending',
      docsCopied: 0,
      bytesCopied: 0,
    };
    const copier = new PartitionCopier(source, destination, NO_CHECKPOINTS, this.logger, { batchSizeBytes: config.copy.batchSizeBytes });
    try {
      return (await copier.copy(partition, signal)).docs;
    } catch (error) {
      if (!(await this.isGone(error, entry))) throw error;
      this.logger.info('collection dropped or renamed during its resync; the events that follow settle it', nsField(entry.ns));
      return 0;
    }
  }

  /**
   * True when the copy failed because the collection it read is no longer under its name. A killed cursor is only
   * taken for that when the name now holds no collection or another one (another UUID): any other cause is a failure.
   */
  private async isGone(error: unknown, entry: ResyncEntry): Promise<boolean> {
    if (!(error instanceof MongoServerError)) return false;
    if (error.code === DDL_ERROR_CODES.NamespaceNotFound) return true;
    if (error.code !== QUERY_PLAN_KILLED) return false;
    const now = await readCatalogEntry(this.deps.source, entry.ns);
    return now === undefined || !sameUuid(now.uuid, entry.uuid);
  }
}

/** A catalog entry with the collection's UUID (listCollections `info.uuid`), to tell a collection from its successor. */
interface ResyncEntry extends CatalogEntry {
  readonly uuid: Binary | undefined;
}

/** The source's entry for one namespace now; undefined when there is none (or it vanishes while being read). */
async function readCatalogEntry(source: MongoClient, ns: Namespace): Promise<ResyncEntry | undefined> {
  const db = source.db(ns.db);
  const [info] = (await db.listCollections({ name: ns.coll }, { ...EXACT_BSON_OPTIONS }).toArray()) as Document[];
  if (info === undefined) return undefined;
  const kind = String(info.type ?? 'collection') as CollectionKind;
  let indexes: Document[] = [];
  try {
    if (kind !== 'view') indexes = await db.collection(ns.coll).listIndexes({ ...EXACT_BSON_OPTIONS }).toArray();
  } catch (error) {
    if (error instanceof MongoServerError && error.code === DDL_ERROR_CODES.NamespaceNotFound) return undefined;
    throw error;
  }
  return { ns, kind, options: (info.options ?? {}) as Document, indexes, uuid: (info.info as Document | undefined)?.uuid as Binary | undefined };
}

async function dropCollection(destination: MongoClient, ns: Namespace): Promise<void> {
  try {
    // Majority, like every barrier: the checkpoint that follows must not cover DDL a failover could lose.
    await destination.db(ns.db).command({ drop: ns.coll, writeConcern: { w: 'majority' } });
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === DDL_ERROR_CODES.NamespaceNotFound)) throw error;
  }
}

function sameUuid(a: Binary | undefined, b: Binary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.toString('hex') === b.toString('hex');
}
