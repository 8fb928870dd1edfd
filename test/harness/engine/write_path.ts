import { Int32, ObjectId, serialize, type Document, type Long } from 'bson';
import type { Collection, CollectionOptions } from './collection.js';
import { StoredDocument } from './stored_document.js';
import type { ServerState } from './server_state.js';
import type { Transaction } from './transactions.js';
import { leadingIdElement, RawBson, rawElements, type RawElement } from '../bson/raw_bson.js';
import { CommandError } from '../errors.js';
import { TERM } from './oplog.js';
import { validateDocument } from './validation.js';
import { oplogDiff } from './oplog_diff.js';
import { recordPreImage } from './change_streams/pre_images.js';

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
  /**
   * The multi-document transaction the write belongs to: each write claims its document for the transaction
   * (WriteConflict when another open transaction holds it) and records how to undo itself in `undoLog`.
   */
  transaction?: Transaction;
  /**
   * Set for a retryable write (lsid + txnNumber without autocommit): its insert/update/delete oplog entries carry
   * lsid, txnNumber, stmtId and the prevOpTime chain, as mongod logs them.
   */
  retryableWrite?: RetryableWriteOplogInfo;
}

/** Session fields of a retryable write's oplog entries. */
export interface RetryableWriteOplogInfo {
  lsid: Document;
  txnNumber: Long;
  /**
   * stmtId of the next logged write. Counts logged writes by default; a handler that knows the statement index
   * (mongod: the position in the batch) may set it before each write.
   */
  nextStmtId: number;
  /** Optime `{ts, t}` of the previous entry of this retryable write (the null optime before the first). */
  prevOpTime: Document;
}

/** Reverses one write of a transaction that aborts. */
export type UndoAction = () => void;

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
    const txn = op.transaction;
    if (txn) {
      txn.createdCollections.add(created);
      txn.undoLog.push(() => {
        if (this.state.catalog.getCollection(db, coll) === created) this.state.catalog.remove(db, coll);
      });
    }
    this.log({ op: 'c', ns: `${db}.$cmd`, ui: created.uuid, o: { create: coll, ...options, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } } }, op, db);
    return created;
  }

  /** Inserts a document, giving it an `_id` first when it has none (mongod puts `_id` first). */
  insert(coll: Collection, raw: Buffer, op: OperationContext): StoredDocument {
    this.assertWritable(coll.db, op);
    const withId = coll.hasIdIndex ? ensureId(raw) : raw;
    validateDocument(coll, withId, undefined, op);
    let inserted: StoredDocument;
    if (coll.hasIdIndex) {
      // Read once, for the claim and the `_id` index both.
      const id = StoredDocument.idOf(withId);
      this.claim(coll, id, op);
      inserted = coll.insert(withId, id).inserted;
    } else {
      inserted = coll.insert(withId).inserted;
    }
    op.transaction?.undoLog.push(() => {
      const current = coll.records.get(inserted.recordId);
      if (current) coll.remove(current);
    });
    this.log({ op: 'i', ns: coll.ns, ui: coll.uuid, o: new RawBson(inserted.raw), o2: { _id: inserted.id } }, op, coll.db);
    return inserted;
  }

  /**
   * Replaces a document with its new version. A `replacement` is logged as the whole new document; an update by
   * `operators` is logged as a `$v: 2` diff of the two versions, as mongod 7.0 logs it.
   */
  update(
    coll: Collection, old: StoredDocument, raw: Buffer, op: OperationContext, kind: 'replacement' | 'operators',
    /** The field paths an update by operators modified: logs them as mongod's v2 log builder does (see oplogDiff). */
    updatedPaths?: readonly string[],
  ): StoredDocument {
    this.assertWritable(coll.db, op);
    validateDocument(coll, raw, old, op);
    this.claimExisting(coll, old, op);
    const updated = coll.replace(old, raw);
    op.transaction?.undoLog.push(() => {
      const current = coll.records.get(updated.recordId);
      if (current) coll.replace(current, old.raw);
    });
    const o = kind === 'replacement' ? new RawBson(updated.raw) : oplogDiff(old.doc, updated.doc, updatedPaths);
    this.log({ op: 'u', ns: coll.ns, ui: coll.uuid, o, o2: { _id: old.id } }, op, coll.db);
    recordPreImage(this.state, coll, old.raw, op);
    return updated;
  }

  delete(coll: Collection, doc: StoredDocument, op: OperationContext): void {
    this.assertWritable(coll.db, op);
    this.claimExisting(coll, doc, op);
    coll.remove(doc);
    op.transaction?.undoLog.push(() => coll.restore(doc));
    this.log({ op: 'd', ns: coll.ns, ui: coll.uuid, o: { _id: doc.id } }, op, coll.db);
    recordPreImage(this.state, coll, doc.raw, op);
  }

  /** Logs a DDL command entry (`op: 'c'` on `db.$cmd`); the caller has already changed the catalog. */
  command(db: string, o: Document, op: OperationContext, ui?: unknown, o2?: Document): void {
    const entry: Document = { op: 'c', ns: `${db}.$cmd`, ui, o };
    // mongod's o2 of DDL entries: {numRecords} of drop/rename, the dropped index spec, collMod's old values.
    if (o2 !== undefined) entry.o2 = o2;
    this.log(entry, op, db);
  }

  /** Appends a no-op entry (appendOplogNote, the idle writer) so that cluster time advances. */
  noop(msg: Document): void {
    this.state.oplog.append({ op: 'n', ns: '', o: msg });
    this.state.notifier.notify('');
  }

  /** Claims a document for the writer's transaction; see DocumentLocks for the conflict rules. */
  private claim(coll: Collection, id: unknown, op: OperationContext): boolean {
    if (op.transaction && coll.isCapped) {
      throw new CommandError(
        'OperationNotSupportedInTransaction',
        `Collection '${coll.ns}' is a capped collection. Writes in transactions are not allowed on capped collections.`,
      );
    }
    return this.state.documentLocks.claim(coll, id, op.transaction);
  }

  /**
   * Claims an existing document. When a non-transactional write had to abort the transaction holding it and the
   * abort changed the document, the caller's version is stale: the write fails with WriteConflict rather than
   * apply a change computed from the aborted transaction's data.
   */
  private claimExisting(coll: Collection, doc: StoredDocument, op: OperationContext): void {
    if (!coll.hasIdIndex) return;
    if (this.claim(coll, doc.id, op) && coll.records.get(doc.recordId) !== doc) {
      throw new CommandError('WriteConflict', 'Write conflict with a transaction that was aborted; please retry your operation');
    }
  }

  private log(entry: Document, op: OperationContext, db: string): void {
    if (db === 'local') return; // local is never replicated
    if (entry.ui === undefined) delete entry.ui;
    if (op.transactionOps) {
      op.transactionOps.push(entry);
      return;
    }
    const rw = op.retryableWrite;
    // Only the statement's own entries carry the session: an implicit create beside it is logged on its own.
    if (rw && entry.op !== 'c') {
      Object.assign(entry, { lsid: rw.lsid, txnNumber: rw.txnNumber, stmtId: new Int32(rw.nextStmtId++), prevOpTime: rw.prevOpTime });
    }
    this.state.oplog.append(entry);
    // append() took the next cluster time; reading it back avoids decoding the whole stored entry.
    if (rw && entry.op !== 'c') rw.prevOpTime = { ts: this.state.clock.current(), t: TERM };
    this.state.notifier.notify(entry.ns);
  }
}

/**
 * Returns the document as mongod stores it: `_id` first (moved there when it was elsewhere, as mongod's
 * fixDocumentForInsert does), or a new ObjectId `_id` prepended when it has none. Otherwise the same bytes.
 */
export function ensureId(raw: Buffer): Buffer {
  const leading = leadingIdElement(raw);
  if (leading) {
    assertValidId(raw, leading);
    return raw;
  }
  let first = true;
  for (const el of rawElements(raw)) {
    if (el.name === '_id') {
      assertValidId(raw, el);
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

/** BSON types that mongod refuses as `_id` (fixDocumentForInsert), with the type name its message uses. */
const INVALID_ID_TYPES: Readonly<Record<number, string>> = Object.freeze({ 0x04: 'an array', 0x0b: 'a regex', 0x06: 'a undefined' });

/** mongod's checks of an inserted `_id`: not an array, regex or undefined; no '$'-prefixed field inside. */
function assertValidId(raw: Buffer, id: RawElement): void {
  assertValidIdType(id.type);
  if (id.type === 0x03) assertNoDollarFields(raw, id.valueStart);
}

/** mongod's storage validation: no '$'-prefixed field anywhere inside an embedded-document `_id`. */
function assertNoDollarFields(raw: Buffer, offset: number): void {
  for (const el of rawElements(raw, offset)) {
    if (el.name.startsWith('$')) {
      throw new CommandError('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields: ${el.name} is not valid for storage.`);
    }
    if (el.type === 0x03 || el.type === 0x04) assertNoDollarFields(raw, el.valueStart);
  }
}

function assertValidIdType(type: number): void {
  const name = INVALID_ID_TYPES[type];
  if (name) throw new CommandError('BadValue', `can't use ${name} for _id`);
}
