import { ObjectId, serialize, type Document, type Long } from 'bson';
import type { Collection, CollectionOptions } from './collection.js';
import type { StoredDocument } from './stored_document.js';
import type { ServerState } from './server_state.js';
import { RawBson, rawElements } from '../bson/raw_bson.js';
import { CommandError } from '../errors.js';
import { validateDocument } from './validation.js';
import { oplogDiff } from './oplog_diff.js';

/** Who is writing and how: what the write path needs to know about the operation beyond the data. */
export interface OperationContext {
  /** The client holds bypassWriteBlockingMode (root, restore, or no auth configured). */
  bypassWriteBlocking: boolean;
  /** The command asked for bypassDocumentValidation (and may). */
  bypassDocumentValidation?: boolean;
  lsid?: Document;
  txnNumber?: Long;
  /**
   * Set inside a multi-document transaction: oplog entries are collected here and written as one applyOps entry
   * at commit, as mongod does.
   */
  transactionOps?: Document[];
}

/** Databases whose writes are never blocked and never reach user-facing change streams. */
export const INTERNAL_DATABASES: ReadonlySet<string> = new Set(['admin', 'local', 'config']);

/**
 * The one way data changes: every insert, update, delete and DDL goes through here, so that write blocking, the
 * oplog and the waiting cursors are handled alike for every command.
 */
export class WritePath {
  constructor(private readonly state: ServerState) {}

  /** Refuses a user write while setUserWriteBlockMode is on, unless the client may bypass it. */
  assertWritable(db: string, op: OperationContext): void {
    if (this.state.userWritesBlocked && !op.bypassWriteBlocking && !INTERNAL_DATABASES.has(db)) {
      throw new CommandError('UserWritesBlocked', 'User writes blocked');
    }
  }

  /** Returns the collection, creating it (with an oplog `create` entry) when it does not exist yet. */
  ensureCollection(db: string, coll: string, op: OperationContext, options: CollectionOptions = {}): Collection {
    const existing = this.state.catalog.getCollection(db, coll);
    if (existing) return existing;
    this.assertWritable(db, op);
    const created = this.state.catalog.create(db, coll, options);
    this.log({ op: 'c', ns: `${db}.$cmd`, ui: created.uuid, o: { create: coll, ...options, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } } }, op, db);
    return created;
  }

  /** Inserts a document, giving it an `_id` first when it has none (mongod puts `_id` first). */
  insert(coll: Collection, raw: Buffer, op: OperationContext): StoredDocument {
    this.assertWritable(coll.db, op);
    const withId = coll.hasIdIndex ? ensureId(raw) : raw;
    validateDocument(coll, withId, undefined, op);
    const { inserted } = coll.insert(withId);
    this.log({ op: 'i', ns: coll.ns, ui: coll.uuid, o: new RawBson(inserted.raw), o2: { _id: inserted.id } }, op, coll.db);
    return inserted;
  }

  /**
   * Replaces a document with its new version. A `replacement` is logged as the whole new document; an update by
   * `operators` is logged as a `$v: 2` diff of the two versions, as mongod 7.0 logs it.
   */
  update(coll: Collection, old: StoredDocument, raw: Buffer, op: OperationContext, kind: 'replacement' | 'operators'): StoredDocument {
    this.assertWritable(coll.db, op);
    validateDocument(coll, raw, old, op);
    const updated = coll.replace(old, raw);
    const o = kind === 'replacement' ? new RawBson(updated.raw) : oplogDiff(old.doc, updated.doc);
    this.log({ op: 'u', ns: coll.ns, ui: coll.uuid, o, o2: { _id: old.id } }, op, coll.db);
    return updated;
  }

  delete(coll: Collection, doc: StoredDocument, op: OperationContext): void {
    this.assertWritable(coll.db, op);
    coll.remove(doc);
    this.log({ op: 'd', ns: coll.ns, ui: coll.uuid, o: { _id: doc.id } }, op, coll.db);
  }

  /** Logs a DDL command entry (`op: 'c'` on `db.$cmd`); the caller has already changed the catalog. */
  command(db: string, o: Document, op: OperationContext, ui?: unknown): void {
    this.log({ op: 'c', ns: `${db}.$cmd`, ui, o }, op, db);
  }

  /** Appends a no-op entry (appendOplogNote, the idle writer) so that cluster time advances. */
  noop(msg: Document): void {
    this.state.oplog.append({ op: 'n', ns: '', o: msg });
    this.state.notifier.notify('');
  }

  private log(entry: Document, op: OperationContext, db: string): void {
    if (db === 'local') return; // local is never replicated
    if (entry.ui === undefined) delete entry.ui;
    if (op.transactionOps) {
      op.transactionOps.push(entry);
      return;
    }
    this.state.oplog.append(entry);
    this.state.notifier.notify(entry.ns);
  }
}

/**
 * Returns the document as mongod stores it: `_id` first (moved there when it was elsewhere, as mongod's
 * fixDocumentForInsert does), or a new ObjectId `_id` prepended when it has none. Otherwise the same bytes.
 */
export function ensureId(raw: Buffer): Buffer {
  let first = true;
  for (const el of rawElements(raw)) {
    if (el.name === '_id') {
      if (first) return raw;
      const idBytes = raw.subarray(el.start, el.end);
      return Buffer.concat([raw.subarray(0, 4), idBytes, raw.subarray(4, el.start), raw.subarray(el.end)]);
    }
    first = false;
  }
  const idElement = Buffer.from(serialize({ _id: new ObjectId() }));
  const idBytes = idElement.subarray(4, idElement.length - 1);
  const out = Buffer.concat([raw.subarray(0, 4), idBytes, raw.subarray(4)]);
  out.writeInt32LE(out.length, 0);
  return out;
}
