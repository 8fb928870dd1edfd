import { Long, Timestamp, type Document } from 'bson';
import { BTree } from './btree.js';
import { compareValues } from './bson_order.js';
import { CommandError } from '../errors.js';
import { serializeWithRaw } from '../bson/raw_bson.js';
import type { Collection } from './collection.js';
import type { UndoAction } from './write_path.js';

/** mongod's transactionLifetimeLimitSeconds default: older open transactions are aborted. */
export const TRANSACTION_LIFETIME_LIMIT_MS = 60_000;

/** The transaction lifetime limit in force: setParameter's transactionLifetimeLimitSeconds, else the default. */
export function transactionLifetimeLimitMs(parameters: ReadonlyMap<string, unknown>): number {
  const seconds = Number(parameters.get('transactionLifetimeLimitSeconds') ?? TRANSACTION_LIFETIME_LIMIT_MS / 1000);
  return Number.isFinite(seconds) && seconds >= 1 ? seconds * 1000 : TRANSACTION_LIFETIME_LIMIT_MS;
}

/** The null optime that starts a transaction's or retryable write's `prevOpTime` chain. */
export function nullOpTime(): Document {
  return { ts: new Timestamp({ t: 0, i: 0 }), t: Long.fromNumber(-1) };
}

export const TXN_STATES = Object.freeze({ inProgress: 'inProgress', committed: 'committed', aborted: 'aborted' } as const);
export type TxnState = (typeof TXN_STATES)[keyof typeof TXN_STATES];

/**
 * One multi-document transaction. This server applies a transaction's writes immediately (other readers see them
 * before commit: no snapshot isolation) and collects their oplog entries in `operations`; commit writes those as
 * applyOps entries, abort runs the undo log newest first. Documents written by an open transaction are claimed in
 * {@link DocumentLocks}, so a second transaction writing one of them gets WriteConflict.
 */
export class Transaction {
  state: TxnState = TXN_STATES.inProgress;
  /** Oplog entries of the transaction's writes, in order (the write path's `transactionOps`). */
  readonly operations: Document[] = [];
  /** How to reverse each write, in the order they happened. */
  readonly undoLog: UndoAction[] = [];
  /** Collections created inside the transaction (implicitly or by create): createIndexes may only target these. */
  readonly createdCollections = new Set<Collection>();
  readonly startedAtMs: number;
  /** Called once the transaction is committed or aborted (releases its document claims). */
  onEnd: (() => void) | undefined;

  constructor(readonly lsid: Document, readonly txnNumber: bigint, nowMs: number, private readonly log: (message: string) => void = () => {}) {
    this.startedAtMs = nowMs;
  }

  get isOpen(): boolean {
    return this.state === TXN_STATES.inProgress;
  }

  /** Reverses the transaction's writes (newest first) and ends it. Does nothing when already ended. */
  abort(): void {
    if (!this.isOpen) return;
    this.state = TXN_STATES.aborted;
    for (let i = this.undoLog.length - 1; i >= 0; i--) {
      try {
        this.undoLog[i]();
      } catch (error) {
        // A non-transactional write took a unique key that the aborted write had freed; mongod would have made that
        // write wait. The document keeps the transaction's version: logged, since it cannot be undone cleanly.
        this.log(`transaction ${this.txnNumber} abort could not undo a write: ${(error as Error).message}`);
      }
    }
    this.undoLog.length = 0;
    this.operations.length = 0;
    this.onEnd?.();
  }

  /** Marks the transaction committed; the caller has written its oplog entries. */
  markCommitted(): void {
    if (!this.isOpen) return;
    this.state = TXN_STATES.committed;
    this.undoLog.length = 0;
    this.onEnd?.();
  }
}

/**
 * Which open transaction holds each written document (by collection and `_id`). mongod detects the same conflicts
 * through its storage engine: a second transaction writing a held document fails with WriteConflict (112, labelled
 * TransientTransactionError). A non-transactional write would wait for the holder to finish on mongod; here it
 * aborts the holder instead (whose commit then fails with NoSuchTransaction, which drivers retry), so that writes
 * stay synchronous and nothing is lost.
 */
export class DocumentLocks {
  private readonly byCollection = new Map<Collection, BTree<unknown, Transaction>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly lifetimeLimitMs: () => number = () => TRANSACTION_LIFETIME_LIMIT_MS,
  ) {}

  /**
   * Claims `id` of `coll` for `owner` (undefined for a non-transactional write). Throws WriteConflict when another
   * open transaction holds it and `owner` is a transaction. Returns true when a holder was aborted to let a
   * non-transactional write through (the caller must re-read the document).
   */
  claim(coll: Collection, id: unknown, owner: Transaction | undefined): boolean {
    let locks = this.byCollection.get(coll);
    const holder = locks?.get(id);
    if (holder && holder !== owner) {
      if (!holder.isOpen) {
        locks!.delete(id);
      } else if (owner === undefined || this.now() - holder.startedAtMs > this.lifetimeLimitMs()) {
        holder.abort();
        if (owner === undefined) return true;
      } else {
        throw new CommandError(
          'WriteConflict',
          'Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
        );
      }
    }
    if (owner) {
      if (!locks) {
        locks = new BTree<unknown, Transaction>(undefined, compareValues);
        this.byCollection.set(coll, locks);
      }
      locks.set(id, owner);
    }
    return false;
  }

  /** Releases every claim of a transaction (on commit or abort). */
  release(owner: Transaction): void {
    for (const [coll, locks] of this.byCollection) {
      const held: unknown[] = [];
      locks.forEachPair((id, txn) => {
        if (txn === owner) held.push(id);
      });
      for (const id of held) locks.delete(id);
      if (locks.size === 0) this.byCollection.delete(coll);
    }
  }

  /** Number of claimed documents, for white-box tests. */
  get size(): number {
    let n = 0;
    for (const locks of this.byCollection.values()) n += locks.size;
    return n;
  }
}

/** Most bytes of one applyOps oplog entry's `o` before mongod starts another entry (BSONObjMaxUserSize). */
export const MAX_APPLY_OPS_BYTES = 16 * 1024 * 1024;

/**
 * The `o` documents of the oplog entries that commit an unprepared transaction, as mongod 7.0 packs them
 * (op_observer_impl.cpp, logOplogEntriesForTransaction): one `{applyOps: [...]}` when the operations fit, otherwise
 * `{applyOps, partialTxn: true}` entries followed by a last `{applyOps, count}` whose `count` is the total number of
 * operations. Empty when the transaction wrote nothing (mongod writes no entry then).
 */
export function packApplyOps(operations: readonly Document[], maxBytes = MAX_APPLY_OPS_BYTES): Document[] {
  if (operations.length === 0) return [];
  const chunks: Document[][] = [];
  let current: Document[] = [];
  let bytes = 0;
  for (const op of operations) {
    const size = serializeWithRaw(op).length + 16; // element overhead: type byte, index name, terminator
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(op);
    bytes += size;
  }
  chunks.push(current);
  return chunks.map((applyOps, i) => {
    const last = i === chunks.length - 1;
    if (!last) return { applyOps, partialTxn: true };
    return chunks.length > 1 ? { applyOps, count: Long.fromNumber(operations.length) } : { applyOps };
  });
}

/** Codes in error_codes.yml's RetriableError category, as of mongod 7.0. */
export const RETRIABLE_ERROR_CODES: ReadonlySet<number> = new Set([
  6, 7, 89, 91, 134, 189, 262, 317, 358, 384, 9001, 10107, 11600, 11602, 13435, 13436, 50915,
]);
/** SnapshotError and NeedRetargettingError categories. */
const SNAPSHOT_OR_RETARGET_CODES: ReadonlySet<number> = new Set([239, 246, 250, 272, 150, 13388]);
/** Codes that are always TransientTransactionError (error_labels.cpp, isTransientTransactionError). */
const ALWAYS_TRANSIENT_CODES: ReadonlySet<number> = new Set([112, 24, 267, 343, 249, 325, 326]);
const NO_SUCH_TRANSACTION = 251;
const COMMIT_OR_ABORT: ReadonlySet<string> = new Set(['commitTransaction', 'abortTransaction', 'coordinateCommitTransaction']);
const SHUTDOWN_CODES: ReadonlySet<number> = new Set([91, 11600]);

/** What mongod's ErrorLabelBuilder looks at. */
export interface ErrorLabelInput {
  commandName: string;
  /** Top-level error code of an `{ok: 0}` reply. */
  code?: number;
  /** Code of the reply's writeConcernError. */
  wcCode?: number;
  /** The command carried `txnNumber`. */
  hasTxnNumber: boolean;
  /** The command carried `autocommit` (so it is part of a multi-document transaction). */
  hasAutocommit: boolean;
  /** No write happened while the command ran (the last optime did not move). */
  noWritesPerformed: boolean;
}

/**
 * The `errorLabels` mongod 7.0 attaches to a failed reply (src/mongo/db/error_labels.cpp): TransientTransactionError
 * inside transactions for write conflicts, snapshot errors, retriable errors and NoSuchTransaction (on commit/abort
 * only without a writeConcernError); otherwise RetryableWriteError for retriable codes of retryable writes and of
 * commit/abort, plus NoWritesPerformed when nothing was written.
 */
export function errorLabelsFor(input: ErrorLabelInput): string[] {
  const { code, wcCode, commandName } = input;
  const isCommitOrAbort = COMMIT_OR_ABORT.has(commandName);
  if (code !== undefined && input.hasTxnNumber && input.hasAutocommit && isTransientTransactionError(code, wcCode !== undefined, isCommitOrAbort)) {
    return ['TransientTransactionError'];
  }
  const retryableWrite = input.hasTxnNumber && !input.hasAutocommit;
  const commitOrAbortInTxn = input.hasTxnNumber && input.hasAutocommit && isCommitOrAbort;
  if (retryableWrite || commitOrAbortInTxn) {
    const retriable = (code !== undefined && RETRIABLE_ERROR_CODES.has(code)) || (wcCode !== undefined && RETRIABLE_ERROR_CODES.has(wcCode));
    if (retriable || (code !== undefined && SHUTDOWN_CODES.has(code))) {
      return input.noWritesPerformed && retryableWrite ? ['RetryableWriteError', 'NoWritesPerformed'] : ['RetryableWriteError'];
    }
  }
  return [];
}

/** error_labels.cpp's isTransientTransactionError. */
export function isTransientTransactionError(code: number, hasWriteConcernError: boolean, isCommitOrAbort: boolean): boolean {
  if (code === 358) return false; // InternalTransactionNotSupported
  if (ALWAYS_TRANSIENT_CODES.has(code) || SNAPSHOT_OR_RETARGET_CODES.has(code)) return true;
  if (isCommitOrAbort) return code === NO_SUCH_TRANSACTION && !hasWriteConcernError;
  return RETRIABLE_ERROR_CODES.has(code) || code === NO_SUCH_TRANSACTION;
}

/**
 * Commands allowed inside a multi-document transaction on mongod 7.0 (Command::allowedInTransactions); create and
 * createIndexes only for collections that do not exist yet (or were created in the same transaction).
 */
export const COMMANDS_ALLOWED_IN_TRANSACTIONS: ReadonlySet<string> = new Set([
  'abortTransaction', 'aggregate', 'bulkWrite', 'commitTransaction', 'create', 'createIndexes', 'delete', 'distinct',
  'find', 'findAndModify', 'findandmodify', 'getMore', 'insert', 'killCursors', 'update',
]);

/** The write commands that may carry a txnNumber without autocommit (transaction_validation.cpp). */
export const RETRYABLE_WRITE_COMMANDS: ReadonlySet<string> = new Set(['delete', 'findAndModify', 'findandmodify', 'insert', 'update', 'bulkWrite']);

/**
 * Refuses a command that cannot run inside a transaction (CommandHelpers::canUseTransactions): count, commands not
 * in the allowed list, and any namespace of the local, config or admin databases (admin only for commit/abort).
 */
export function assertAllowedInTransaction(commandName: string, db: string, startTransaction: boolean): void {
  if (commandName === 'count') {
    throw new CommandError(
      'OperationNotSupportedInTransaction',
      "Cannot run 'count' in a multi-document transaction. Please see http://dochub.mongodb.org/core/transaction-count for a recommended alternative.",
    );
  }
  if (!COMMANDS_ALLOWED_IN_TRANSACTIONS.has(commandName)) {
    throw new CommandError('OperationNotSupportedInTransaction', `Cannot run '${commandName}' in a multi-document transaction.`);
  }
  if (startTransaction) {
    if (commandName === 'killCursors') throw new CommandError('OperationNotSupportedInTransaction', 'Cannot run killCursors as the first operation in a multi-document transaction.');
    if (commandName === 'commitTransaction') throw new CommandError('OperationNotSupportedInTransaction', 'Cannot start a transaction with a commit');
    if (commandName === 'abortTransaction') throw new CommandError('OperationNotSupportedInTransaction', 'Cannot start a transaction with an abort');
  }
  const isTxnCommand = COMMIT_OR_ABORT.has(commandName);
  if (db === 'local' || db === 'config' || (db === 'admin' && !isTxnCommand)) {
    throw new CommandError('OperationNotSupportedInTransaction', `Cannot run command against the '${db}' database in a transaction.`);
  }
}
