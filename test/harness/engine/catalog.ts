import type { Binary } from 'bson';
import { Collection, type CollectionOptions } from './collection.js';

/**
 * The databases and their collections (views included: a view is a Collection entry whose options hold
 * `viewOn` and `pipeline` and which never holds documents). A database exists while it has a collection.
 */
export class Catalog {
  readonly databases = new Map<string, Map<string, Collection>>();

  getCollection(db: string, coll: string): Collection | undefined {
    return this.databases.get(db)?.get(coll);
  }

  /** Collections of one database in creation order (empty when the database does not exist). */
  listCollections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  findByUuid(uuid: Binary): Collection | undefined {
    for (const colls of this.databases.values()) {
      for (const c of colls.values()) if (Buffer.compare(c.uuid.buffer, uuid.buffer) === 0) return c;
    }
    return undefined;
  }

  /** Adds a new collection entry; the caller has checked that the name is free. */
  add(collection: Collection): Collection {
    let colls = this.databases.get(collection.db);
    if (!colls) {
      colls = new Map();
      this.databases.set(collection.db, colls);
    }
    colls.set(collection.name, collection);
    return collection;
  }

  create(db: string, coll: string, options: CollectionOptions = {}): Collection {
    return this.add(new Collection(db, coll, options));
  }

  /** Removes a collection entry; drops the database when it was its last collection. */
  remove(db: string, coll: string): Collection | undefined {
    const colls = this.databases.get(db);
    const c = colls?.get(coll);
    if (!colls || !c) return undefined;
    colls.delete(coll);
    if (colls.size === 0) this.databases.delete(db);
    return c;
  }

  /** Moves a collection entry to a new namespace, keeping its UUID, documents and indexes. */
  rename(from: Collection, toDb: string, toColl: string): Collection {
    this.remove(from.db, from.name);
    from.db = toDb;
    from.name = toColl;
    return this.add(from);
  }
}
