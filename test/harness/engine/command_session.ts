import { Long, type Document } from 'bson';
import type { CommandContext, CommandReply } from '../command_context.js';
import { CommandError } from '../errors.js';
import { makeLogicalSessionId, txnNumberOf, userDigest, type LogicalSession } from './sessions.js';
import {
  RETRYABLE_WRITE_COMMANDS,
  Transaction,
  assertAllowedInTransaction,
  isTransientTransactionError,
  nullOpTime,
  transactionLifetimeLimitMs,
} from './transactions.js';
import { codeNameOf } from '../errors.js';

/** The session fields of a command (mongod's OperationSessionInfoFromClient). */
export interface SessionOptions {
  lsid?: Document;
  txnNumber?: bigint;
  /** Present (and false) on every command of a multi-document transaction. */
  autocommit?: false;
  startTransaction?: true;
}

/**
 * Reads and checks `lsid`, `txnNumber`, `autocommit` and `startTransaction` as mongod's
 * initializeOperationSessionInfo does. `uid` is the session owner's digest, added to the lsid.
 */
export function parseSessionOptions(body: Document, uid: ReturnType<typeof userDigest>): SessionOptions {
  const options: SessionOptions = {};
  if (body.lsid !== undefined) options.lsid = makeLogicalSessionId(body.lsid, uid);
  if (body.txnNumber !== undefined) {
    if (!options.lsid) throw new CommandError('InvalidOptions', 'Transaction number requires a session ID to also be specified');
    options.txnNumber = txnNumberOf(body.txnNumber);
    if (options.txnNumber < 0n) throw new CommandError('BadValue', 'Transaction number cannot be negative');
  }
  if (body.autocommit !== undefined) {
    if (body.autocommit !== false) throw new CommandError('InvalidOptions', 'Specifying autocommit=true is not allowed.');
    if (options.txnNumber === undefined) {
      throw new CommandError('InvalidOptions', "'autocommit' field requires a transaction number to also be specified");
    }
    options.autocommit = false;
  }
  if (body.startTransaction !== undefined) {
    if (body.startTransaction !== true) throw new CommandError('InvalidOptions', 'Specifying startTransaction=false is not allowed.');
    if (options.autocommit === undefined) {
      throw new CommandError('InvalidOptions', "'startTransaction' field requires 'autocommit' field to also be specified");
    }
    options.startTransaction = true;
  }
  return options;
}

/** How the router finishes a command that ran with session fields. */
export interface CommandSession {
  readonly options: SessionOptions;
  readonly session: LogicalSession | undefined;
  /** A retried retryable write: the first execution's reply, returned without running the command again. */
  readonly cachedReply: CommandReply | undefined;
  /**
   * Records the command's reply (retryable write results, cursors of the session, transaction aborts) and returns
   * the reply to send, which differs only for a transient write error inside a transaction.
   */
  onReply(reply: CommandReply): CommandReply;
  /** A statement of a transaction failed: mongod aborts the transaction. */
  onError(): void;
}

const NO_SESSION: CommandSession = Object.freeze({
  options: {},
  session: undefined,
  cachedReply: undefined,
  onReply: (reply: CommandReply) => reply,
  onError: () => {},
});

/**
 * Checks out the command's session and puts it in transaction or retryable-write mode, filling `ctx.op`:
 * - `autocommit: false` (with `startTransaction` on the first command) runs the command in the session's
 *   transaction: its writes are collected for one applyOps entry and undone if the transaction aborts;
 * - `txnNumber` alone is a retryable write: a retry of an executed txnNumber gets the first reply back;
 * - `lsid` alone only marks the session as used.
 * Throws mongod's errors for stale or unknown transaction numbers and for commands not allowed in transactions.
 */
export function beginCommandSession(ctx: CommandContext): CommandSession {
  const { server } = ctx;
  const owner = server.authEnabled ? ctx.conn.users[0] : undefined;
  const options = parseSessionOptions(ctx.body, userDigest(owner));
  if (!options.lsid) return NO_SESSION;
  const session = server.sessions.checkOut(options.lsid);
  if (options.txnNumber === undefined) return plainSession(ctx, options, session);
  if (options.autocommit === false) return transactionSession(ctx, options, session);
  return retryableWriteSession(ctx, options, session);
}

function plainSession(ctx: CommandContext, options: SessionOptions, session: LogicalSession): CommandSession {
  return {
    options,
    session,
    cachedReply: undefined,
    onReply: (reply) => {
      rememberCursor(session, reply);
      return reply;
    },
    onError: () => {},
  };
}

function transactionSession(ctx: CommandContext, options: SessionOptions, session: LogicalSession): CommandSession {
  const txnNumber = options.txnNumber!;
  const name = ctx.commandName;
  if (ctx.body.writeConcern !== undefined && name !== 'commitTransaction' && name !== 'abortTransaction') {
    throw new CommandError('InvalidOptions', 'writeConcern is not allowed within a multi-statement transaction');
  }
  assertAllowedInTransaction(name, ctx.db, options.startTransaction === true);
  if (txnNumber < session.activeTxnNumber) {
    const kind = session.transaction ? 'transaction' : 'retryable write';
    throw new CommandError(
      'TransactionTooOld',
      `Cannot start transaction with { txnNumber: ${txnNumber} } on session ${describeSession(session)} because a newer ${kind} with txnNumberAndRetryCounter { txnNumber: ${session.activeTxnNumber}, txnRetryCounter: 0 } has already started on this session.`,
    );
  }
  let txn: Transaction;
  if (options.startTransaction) {
    if (txnNumber === session.activeTxnNumber) {
      throw new CommandError('ConflictingOperationInProgress', 'Only servers in a sharded cluster can start a new transaction at the active transaction number');
    }
    session.transaction?.abort();
    txn = new Transaction(session.lsid, txnNumber, Date.now(), ctx.server.options.log);
    const stats = ctx.server.stats.transactions;
    stats.totalStarted++;
    txn.onEnd = () => {
      ctx.server.documentLocks.release(txn);
      if (txn.state === 'committed') stats.totalCommitted++;
      else stats.totalAborted++;
    };
    session.activeTxnNumber = txnNumber;
    session.transaction = txn;
    session.retryableWrite = undefined;
  } else {
    const active = session.transaction;
    if (txnNumber !== session.activeTxnNumber || !active) {
      throw new CommandError(
        'NoSuchTransaction',
        `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.activeTxnNumber}`,
      );
    }
    // mongod's transaction reaper aborts transactions older than transactionLifetimeLimitSeconds.
    if (active.isOpen && Date.now() - active.startedAtMs > transactionLifetimeLimitMs(ctx.server.parameters)) active.abort();
    if (active.state === 'aborted') {
      throw new CommandError('NoSuchTransaction', `Transaction with { txnNumber: ${txnNumber} } has been aborted.`);
    }
    if (active.state === 'committed' && name !== 'commitTransaction') {
      throw new CommandError('TransactionCommitted', `Transaction with { txnNumber: ${txnNumber} } has been committed.`);
    }
    txn = active;
  }
  // commitTransaction may be retried after the commit: the handler sees the committed transaction.
  ctx.op.transaction = txn;
  if (txn.isOpen) {
    ctx.op.transactionOps = txn.operations;
    ctx.op.lsid = session.lsid;
    ctx.op.txnNumber = Long.fromBigInt(txnNumber);
  }
  const createTarget = name === 'create' || name === 'createIndexes' ? String(ctx.body[name]) : undefined;
  const existedBefore = createTarget !== undefined ? ctx.server.catalog.getCollection(ctx.db, createTarget) : undefined;
  if (name === 'createIndexes' && existedBefore && !txn.createdCollections.has(existedBefore)) {
    throw new CommandError(
      'OperationNotSupportedInTransaction',
      `Cannot create new indexes on existing collection ${existedBefore.ns} in a multi-document transaction.`,
    );
  }
  const isEnd = name === 'commitTransaction' || name === 'abortTransaction';
  return {
    options,
    session,
    cachedReply: undefined,
    onReply: (reply) => {
      rememberCursor(session, reply);
      if (createTarget !== undefined && !existedBefore) recordCreatedCollection(ctx, txn, createTarget);
      const writeErrors: Document[] = Array.isArray(reply.writeErrors) ? reply.writeErrors : [];
      if (isEnd || writeErrors.length === 0) return reply;
      txn.abort();
      // mongod's write path rethrows a transient error inside a transaction (write_ops_exec.cpp, handleError) so
      // that the reply is `{ok: 0}` with TransientTransactionError; other write errors stay writeErrors.
      const transient = writeErrors.find((e) => isTransientTransactionError(Number(e.code), false, false));
      if (!transient) return reply;
      const code = Number(transient.code);
      return { ok: 0, errmsg: transient.errmsg, code, codeName: codeNameOf(code) };
    },
    onError: () => {
      if (!isEnd) txn.abort();
    },
  };
}

/** A collection that create/createIndexes made inside a transaction is dropped again if the transaction aborts. */
function recordCreatedCollection(ctx: CommandContext, txn: Transaction, name: string): void {
  const created = ctx.server.catalog.getCollection(ctx.db, name);
  if (!created || txn.createdCollections.has(created)) return;
  txn.createdCollections.add(created);
  txn.undoLog.push(() => {
    if (ctx.server.catalog.getCollection(created.db, created.name) === created) ctx.server.catalog.remove(created.db, created.name);
  });
}

function retryableWriteSession(ctx: CommandContext, options: SessionOptions, session: LogicalSession): CommandSession {
  const txnNumber = options.txnNumber!;
  const name = ctx.commandName;
  if (!RETRYABLE_WRITE_COMMANDS.has(name)) {
    throw new CommandError(
      'NotARetryableWriteCommand',
      `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
    );
  }
  if (txnNumber < session.activeTxnNumber) {
    const kind = session.transaction ? 'transaction' : 'retryable write';
    throw new CommandError(
      'TransactionTooOld',
      `Retryable write with txnNumber ${txnNumber} is prohibited on session ${describeSession(session)} because a newer ${kind} with txnNumber ${session.activeTxnNumber} has already started on this session.`,
    );
  }
  if (txnNumber === session.activeTxnNumber && session.transaction) {
    throw new CommandError('IncompleteTransactionHistory', 'Cannot retry a retryable write that has been converted into a transaction');
  }
  if (txnNumber > session.activeTxnNumber) {
    session.transaction?.abort();
    session.transaction = undefined;
    session.activeTxnNumber = txnNumber;
    session.retryableWrite = { txnNumber, replies: new Map(), prevOpTime: nullOpTime() };
  }
  const record = session.retryableWrite!;
  const first = record.replies.get(name);
  if (first) {
    ctx.server.stats.transactions.retriedCommands++;
    return { options, session, cachedReply: retriedReply(ctx, first), onReply: (r) => r, onError: () => {} };
  }
  const oplogInfo = { lsid: session.lsid, txnNumber: Long.fromBigInt(txnNumber), nextStmtId: 0, prevOpTime: record.prevOpTime };
  ctx.op.retryableWrite = oplogInfo;
  ctx.op.lsid = session.lsid;
  ctx.op.txnNumber = Long.fromBigInt(txnNumber);
  return {
    options,
    session,
    cachedReply: undefined,
    onReply: (reply) => {
      record.prevOpTime = oplogInfo.prevOpTime;
      if (reply.ok === undefined || reply.ok === 1) record.replies.set(name, { ...reply });
      return reply;
    },
    onError: () => {
      record.prevOpTime = oplogInfo.prevOpTime;
    },
  };
}

/**
 * The reply to a retried retryable write: the first reply, plus `retriedStmtIds` for insert/update/delete (the
 * statements mongod found already executed and did not run again).
 */
function retriedReply(ctx: CommandContext, first: CommandReply): CommandReply {
  const field = ({ insert: 'documents', update: 'updates', delete: 'deletes' } as Record<string, string>)[ctx.commandName];
  if (!field) return { ...first };
  const count = ctx.sequences.get(field)?.length ?? (Array.isArray(ctx.body[field]) ? ctx.body[field].length : 0);
  const failed = new Set<number>((Array.isArray(first.writeErrors) ? first.writeErrors : []).map((e: Document) => Number(e.index)));
  const ordered = ctx.body.ordered !== false;
  const firstFailure = failed.size ? Math.min(...failed) : count;
  const executed: number[] = [];
  for (let i = 0; i < count; i++) {
    if (ordered ? i < firstFailure : !failed.has(i)) executed.push(i);
  }
  return { ...first, retriedStmtIds: executed };
}

function rememberCursor(session: LogicalSession, reply: CommandReply): void {
  const id = (reply.cursor as Document | undefined)?.id;
  if (id instanceof Long && !id.isZero()) session.cursorIds.add(id.toString());
}

function describeSession(session: LogicalSession): string {
  const id = session.lsid.id as { toUUID?: () => { toHexString(): string } };
  return `${id.toUUID?.().toHexString() ?? 'unknown'} - ${Buffer.from((session.lsid.uid as { buffer: Uint8Array }).buffer).toString('base64')} -  - `;
}
