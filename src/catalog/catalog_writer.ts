/**
 * Creates the source's namespaces on the destination, with the temporary rewrites of collection_rules.ts and
 * index_rules.ts. Every step is idempotent, so a rerun after a crash continues where the last one stopped.
 */
import type { Document, MongoClient } from 'mongodb';
import { collectionOptionsForSync } from './collection_rules.js';
import { indexForSync, isIdIndex } from './index_rules.js';
import type { CatalogEntry } from './source_catalog.js';

/** The calls the writer makes on the destination (the driver's MongoClient provides them). */
export type DestinationClient = Pick<MongoClient, 'db'>;

/** Creates the collection or view unless it exists already. Returns true when it created it. */
export async function createNamespace(destination: DestinationClient, entry: CatalogEntry): Promise<boolean> {
  const db = destination.db(entry.ns.db);
  const existing = await db.listCollections({ name: entry.ns.coll }, { nameOnly: true }).toArray();
  if (existing.length > 0) return false;
  const options = entry.kind === 'view' ? entry.options : collectionOptionsForSync(entry.options);
  await db.command({ create: entry.ns.coll, ...options });
  return true;
}

/** Creates the collection's secondary indexes as they are kept while syncing; returns the rewrite warnings. */
export async function createIndexes(destination: DestinationClient, entry: CatalogEntry): Promise<string[]> {
  const rewritten = entry.indexes.filter((spec) => !isIdIndex(spec)).map(indexForSync);
  if (rewritten.length === 0) return [];
  await destination.db(entry.ns.db).command({ createIndexes: entry.ns.coll, indexes: rewritten.map((r) => r.spec) });
  return rewritten.flatMap((r) => [...r.warnings]);
}

/** True when the collection is capped: copied in natural order, in one partition. */
export function isCapped(options: Document): boolean {
  return options.capped === true;
}
