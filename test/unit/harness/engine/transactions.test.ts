import { Long, Timestamp, type Document } from 'bson';
import {
  DocumentLocks, Transaction, assertAllowedInTransaction, errorLabelsFor, isTransientTransactionError, nullOpTime, packApplyOps,
  type ErrorLabelInput,
} from '../../../harness/engine/transactions.js';
import { Collection } from '../../../harness/engine/collection.js';
import { CommandError } from '../../../harness/errors.js';

const lsid = { id: 'session' };
const input = (overrides: Partial<ErrorLabelInput>): ErrorLabelInput => ({
  commandName: 'insert', hasTxnNumber: false, hasAutocommit: false, noWritesPerformed: false, ...overrides,
});

describe('errorLabelsFor (mongod error_labels.cpp)', () => {
  it.each<[string, Partial<ErrorLabelInput>, string[]]>([
    ['WriteConflict in a transaction', { code: 112, hasTxnNumber: true, hasAutocommit: true }, ['TransientTransactionError']],
    ['NoSuchTransaction on a statement', { code: 251, hasTxnNumber: true, hasAutocommit: true }, ['TransientTransactionError']],
    ['NoSuchTransaction on commit', { commandName: 'commitTransaction', code: 251, hasTxnNumber: true, hasAutocommit: true }, ['TransientTransactionError']],
    ['NoSuchTransaction on commit with a writeConcernError', { commandName: 'commitTransaction', code: 251, wcCode: 64, hasTxnNumber: true, hasAutocommit: true }, []],
    ['a retriable error on commit', { commandName: 'commitTransaction', code: 91, hasTxnNumber: true, hasAutocommit: true }, ['RetryableWriteError']],
    ['a retriable error of a retryable write', { code: 10107, hasTxnNumber: true }, ['RetryableWriteError']],
    ['a retriable error with no write done', { code: 189, hasTxnNumber: true, noWritesPerformed: true }, ['RetryableWriteError', 'NoWritesPerformed']],
    ['a retriable writeConcernError of a retryable write', { wcCode: 91, hasTxnNumber: true }, ['RetryableWriteError']],
    ['a retriable error without txnNumber', { code: 91 }, []],
    ['DuplicateKey of a retryable write', { code: 11000, hasTxnNumber: true }, []],
    ['TransactionCommitted', { code: 256, hasTxnNumber: true, hasAutocommit: true }, []],
  ])('%s', (_name, overrides, expected) => {
    expect(errorLabelsFor(input(overrides))).toEqual(expected);
  });

  it('never labels InternalTransactionNotSupported as transient', () => {
    expect(isTransientTransactionError(358, false, false)).toBe(false);
  });
});

describe('packApplyOps', () => {
  const op = (i: number, bytes = 10): Document => ({ op: 'i', ns: 'db.c', o: { _id: i, pad: 'x'.repeat(bytes) } });

  it('writes nothing for an empty transaction', () => {
    expect(packApplyOps([])).toEqual([]);
  });

  it('packs a small transaction into one applyOps without partialTxn or count', () => {
    expect(packApplyOps([op(1), op(2)])).toEqual([{ applyOps: [op(1), op(2)] }]);
  });

  it('splits past the size limit into partialTxn entries and a last entry with the total count', () => {
    const ops = [op(1, 100), op(2, 100), op(3, 100)];
    const packed = packApplyOps(ops, 250);
    expect(packed.map((o) => o.applyOps.length)).toEqual([1, 1, 1]);
    expect(packed.slice(0, -1).every((o) => o.partialTxn === true)).toBe(true);
    expect(packed[2]).toEqual({ applyOps: [ops[2]], count: Long.fromNumber(3) });
  });
});

describe('Transaction', () => {
  it('runs the undo log newest first on abort and only once', () => {
    const order: number[] = [];
    const txn = new Transaction(lsid, 1n, 0);
    txn.undoLog.push(() => order.push(1), () => order.push(2));
    txn.operations.push({ op: 'i' });
    txn.abort();
    txn.abort();
    expect(order).toEqual([2, 1]);
    expect(txn.state).toBe('aborted');
    expect(txn.operations).toEqual([]);
  });

  it('keeps going when one undo action fails', () => {
    const done: string[] = [];
    const txn = new Transaction(lsid, 1n, 0);
    txn.undoLog.push(() => done.push('first'), () => {
      throw new Error('unique key taken');
    });
    txn.abort();
    expect(done).toEqual(['first']);
  });
});

describe('DocumentLocks', () => {
  const coll = new Collection('db', 'c');

  it('gives WriteConflict to a second open transaction and frees the document when the holder ends', () => {
    let now = 0;
    const locks = new DocumentLocks(() => now);
    const t1 = new Transaction(lsid, 1n, now);
    const t2 = new Transaction(lsid, 2n, now);
    t1.onEnd = () => locks.release(t1);
    locks.claim(coll, 1, t1);
    locks.claim(coll, 1, t1);
    expect(() => locks.claim(coll, 1, t2)).toThrow(expect.objectContaining({ code: 112 }));
    t1.markCommitted();
    expect(locks.size).toBe(0);
    expect(locks.claim(coll, 1, t2)).toBe(false);
  });

  it('treats equal numeric _ids of different types as one document', () => {
    const locks = new DocumentLocks(() => 0);
    const t1 = new Transaction(lsid, 1n, 0);
    const t2 = new Transaction(lsid, 2n, 0);
    locks.claim(coll, 1, t1);
    expect(() => locks.claim(coll, Long.fromNumber(1), t2)).toThrow(CommandError);
  });

  it('aborts the holder for a non-transactional write, and an expired holder for anyone', () => {
    let now = 0;
    const locks = new DocumentLocks(() => now);
    const holder = new Transaction(lsid, 1n, 0);
    holder.onEnd = () => locks.release(holder);
    locks.claim(coll, 'x', holder);
    expect(locks.claim(coll, 'x', undefined)).toBe(true);
    expect(holder.state).toBe('aborted');

    const old = new Transaction(lsid, 2n, 0);
    old.onEnd = () => locks.release(old);
    locks.claim(coll, 'y', old);
    now = 61_000;
    const fresh = new Transaction(lsid, 3n, now);
    expect(locks.claim(coll, 'y', fresh)).toBe(false);
    expect(old.state).toBe('aborted');
  });
});

describe('assertAllowedInTransaction', () => {
  it.each([
    ['find', 'db', false],
    ['insert', 'db', true],
    ['commitTransaction', 'admin', false],
    ['create', 'db', false],
  ])('allows %s on %s', (name, db, start) => {
    expect(() => assertAllowedInTransaction(name, db, start)).not.toThrow();
  });

  it.each([
    ['count', 'db', false, "Cannot run 'count' in a multi-document transaction"],
    ['drop', 'db', false, "Cannot run 'drop' in a multi-document transaction."],
    ['find', 'local', false, "Cannot run command against the 'local' database in a transaction."],
    ['insert', 'config', false, "Cannot run command against the 'config' database in a transaction."],
    ['commitTransaction', 'admin', true, 'Cannot start a transaction with a commit'],
    ['killCursors', 'db', true, 'Cannot run killCursors as the first operation in a multi-document transaction.'],
  ])('refuses %s on %s', (name, db, start, message) => {
    expect(() => assertAllowedInTransaction(name, db, start)).toThrow(expect.objectContaining({ code: 263, message: expect.stringContaining(message) }));
  });
});

it('nullOpTime (the start of a prevOpTime chain) is Timestamp(0, 0) with term -1', () => {
  expect(nullOpTime()).toEqual({ ts: new Timestamp({ t: 0, i: 0 }), t: Long.fromNumber(-1) });
});
