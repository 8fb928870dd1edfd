/**
 * Reads the catalog of the source: the databases, collections (with their options and kind) and indexes that
 * the migration syncs under its namespace filter.
 */
import { MongoServerError, type Document, type MongoClient } from 'mongodb';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import { namespace, type Namespace } from './namespace.js';
import { isNamespaceIncluded, NEVER_SYNCED_DATABASES, type NamespaceFilterOptions } from './namespace_filter.js';
import type { CollectionKind } from './collection_rules.js';

/** One namespace of the source as the catalog step creates it on the destination. */
export interface CatalogEntry {
  readonly ns: Namespace;
  readonly kind: CollectionKind;
  /** listCollections `options` (capped, size, validator, viewOn/pipeline, ...), decoded with exact types. */
  readonly options: Document;
  /** listIndexes specs, `_id_` included; empty for views. */
  readonly indexes: readonly Document[];
}

/** Re-reads of the catalog when DDL races the read, before giving up. */
export const CATALOG_READ_ATTEMPTS = 5;

const NAMESPACE_NOT_FOUND = 26;

/**
 * Lists every namespace the filter includes, views after collections (a view may read any of them). A collection
 * dropped or renamed between listCollections and its listIndexes makes the whole listing start again, so that the
 * result is one consistent picture (skipping the vanished name could miss the collection it was renamed to).
 */
export async function readSourceCatalog(source: MongoClient, filter: NamespaceFilterOptions): Promise<CatalogEntry[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readCatalogOnce(source, filter);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) || attempt >= CATALOG_READ_ATTEMPTS) throw error;
    }
  }
}

async function readCatalogOnce(source: MongoClient, filter: NamespaceFilterOptions): Promise<CatalogEntry[]> {
  const { databases } = await source.db('admin').command({ listDatabases: 1, nameOnly: true });
  const entries: CatalogEntry[] = [];
  for (const { name: dbName } of databases as { name: string }[]) {
    if (NEVER_SYNCED_DATABASES.has(dbName)) continue;
    const db = source.db(dbName);
    const collections = await db.listCollections({}, { ...EXACT_BSON_OPTIONS }).toArray();
    for (const info of collections as Document[]) {
      const ns = namespace(dbName, String(info.name));
      if (!isNamespaceIncluded(filter, ns)) continue;
      const kind = String(info.type ?? 'collection') as CollectionKind;
      const indexes = kind === 'view' ? [] : await db.collection(ns.coll).listIndexes({ ...EXACT_BSON_OPTIONS }).toArray();
      entries.push({ ns, kind, options: (info.options ?? {}) as Document, indexes });
    }
  }
  const rank = (e: CatalogEntry) => (e.kind === 'view' ? 1 : 0);
  return entries.sort((a, b) => rank(a) - rank(b));
}
