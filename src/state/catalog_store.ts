/**
 * The source's original catalog as the migration found it: commit restores these definitions on the destination
 * (unique, TTL, hidden, capped sizes), and verify compares against them.
 */
import type { Document, MongoClient } from 'mongodb';
import { internalCollection } from './internal_db.js';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import type { CollectionKind } from '../catalog/collection_rules.js';

/** One namespace's original definitions. */
export interface CatalogDocument {
  /** `<migrationId>/<db>.<coll>`. */
  _id: string;
  migrationId: string;
  db: string;
  coll: string;
  kind: CollectionKind;
  options: Document;
  indexes: Document[];
}

/** Reads and writes the stored original catalog. */
export class CatalogStore {
  constructor(private readonly destination: MongoClient) {}

  private get collection() {
    return internalCollection<CatalogDocument>(this.destination, 'catalog');
  }

  async save(doc: CatalogDocument): Promise<void> {
    await this.collection.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  list(migrationId: string): Promise<CatalogDocument[]> {
    return this.collection.find({ migrationId }, { ...EXACT_BSON_OPTIONS }).toArray();
  }
}
