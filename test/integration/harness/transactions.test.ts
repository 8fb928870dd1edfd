import { Long, MongoClient, MongoServerError, Timestamp, UUID, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import { randomFor, randomInt } from '../../tools/random.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type and fields (the driver types `_id` as ObjectId and refuses $inc on unknown fields). */

/**
 * Multi-document transactions as mongod 7.0 runs them for the driver: commit writes one applyOps oplog entry,
 * abort undoes the writes, a second transaction on the same document gets WriteConflict, and the transaction
 * numbers follow the server's rules. The embedded server applies transaction writes at once (other readers see
 * them before commit) and undoes them on abort; the tests only rely on what mongod also guarantees.
 */
describe('multi-document transactions', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  const dbName = 'txn_test';

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase().catch(() => {});
    await client.close();
    await deployment.stop();
  });

  /** The last oplog timestamp, so that a test reads only the entries written after it. */
  async function oplogMark(): Promise<Timestamp> {
    const [last] = await client.db('local').collection('oplog.rs').find().sort({ $natural: -1 }).limit(1).toArray();
    return last.ts;
  }

  /** Transaction entries of a session written after `mark` (drivers reuse server sessions, so lsid alone is not enough). */
  async function applyOpsEntries(sessionId: UUID, mark: Timestamp): Promise<Document[]> {
    return client.db('local').collection('oplog.rs')
      .find({ ts: { $gt: mark }, 'lsid.id': sessionId, 'o.applyOps': { $exists: true } })
      .toArray();
  }

  it('commits inserts to two collections as one applyOps oplog entry with lsid, txnNumber and a null prevOpTime', async () => {
    const db = client.db(dbName);
    await db.collection<AnyDocument>('a').insertOne({ _id: 'seed' });
    await db.collection<AnyDocument>('b').insertOne({ _id: 'seed' });
    const session = client.startSession();
    const mark = await oplogMark();
    try {
      await session.withTransaction(async () => {
        await db.collection<AnyDocument>('a').insertOne({ _id: 1, v: 'a' }, { session });
        await db.collection<AnyDocument>('b').insertOne({ _id: 1, v: 'b' }, { session });
      });
      const entries = await applyOpsEntries(session.id!.id as unknown as UUID, mark);
      expect(entries).toHaveLength(1);
      const [entry] = entries;
      expect(entry).toMatchObject({ op: 'c', ns: 'admin.$cmd' });
      expect(Number(entry.txnNumber)).toBeGreaterThan(0);
      expect(entry.prevOpTime.ts).toEqual(new Timestamp({ t: 0, i: 0 }));
      expect(Number(entry.prevOpTime.t)).toBe(-1);
      expect(entry.lsid.uid).toBeDefined();
      expect(entry.o.partialTxn).toBeUndefined();
      expect(entry.o.applyOps.map((op: Document) => [op.op, op.ns, op.o._id])).toEqual([
        ['i', `${dbName}.a`, 1],
        ['i', `${dbName}.b`, 1],
      ]);
      expect(await db.collection<AnyDocument>('a').findOne({ _id: 1 })).toEqual({ _id: 1, v: 'a' });
      expect(await db.collection<AnyDocument>('b').findOne({ _id: 1 })).toEqual({ _id: 1, v: 'b' });
    } finally {
      await session.endSession();
    }
  });

  it('shows the committed writes to a change stream as events with lsid and txnNumber', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('streamed');
    await coll.insertOne({ _id: 'seed' });
    const stream = coll.watch();
    const session = client.startSession();
    try {
      await stream.tryNext(); // opens the stream before the transaction
      await session.withTransaction(async () => {
        await coll.insertOne({ _id: 1 }, { session });
        await coll.updateOne({ _id: 'seed' }, { $set: { touched: true } }, { session });
      });
      const first = await stream.next();
      const second = await stream.next();
      expect([first.operationType, second.operationType]).toEqual(['insert', 'update']);
      expect(first.txnNumber).toBeDefined();
      expect(second.txnNumber).toEqual(first.txnNumber);
      expect(first.lsid?.id).toBeDefined();
    } finally {
      await stream.close();
      await session.endSession();
    }
  });

  it('writes no oplog entry for a transaction that only read', async () => {
    const session = client.startSession();
    const mark = await oplogMark();
    try {
      await session.withTransaction(async () => {
        await client.db(dbName).collection<AnyDocument>('a').findOne({ _id: 'seed' }, { session });
      });
      expect(await applyOpsEntries(session.id!.id as unknown as UUID, mark)).toEqual([]);
    } finally {
      await session.endSession();
    }
  });

  it('undoes inserts, updates and deletes when the transaction aborts, keeping natural order and the _id index', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('undo');
    const random = randomFor(1);
    const seeded = Array.from({ length: 20 }, (_, i) => ({ _id: i, n: randomInt(random, 1000) }));
    await coll.insertMany(seeded);
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 100, n: 1 }, { session });
      await coll.updateOne({ _id: 3 }, { $set: { n: -1, extra: true } }, { session });
      await coll.updateOne({ _id: 3 }, { $inc: { n: -1 } }, { session });
      await coll.deleteOne({ _id: 7 }, { session });
      await coll.replaceOne({ _id: 12 }, { replaced: true }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.find().toArray()).toEqual(seeded);
    await coll.insertOne({ _id: 100, n: 2 });
    expect(await coll.findOne({ _id: 100 })).toEqual({ _id: 100, n: 2 });
  });

  it('keeps a unique index consistent through an aborted transaction', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('unique_undo');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ _id: 'A', email: 'a@x' });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'A' }, { $set: { email: 'b@x' } }, { session });
      await coll.insertOne({ _id: 'C', email: 'a@x' }, { session });
      await coll.deleteOne({ _id: 'A' }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.find().toArray()).toEqual([{ _id: 'A', email: 'a@x' }]);
    await expect(coll.insertOne({ _id: 'D', email: 'a@x' })).rejects.toMatchObject({ code: 11000 });
    await coll.insertOne({ _id: 'E', email: 'b@x' });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('drops a collection that the aborted transaction created implicitly', async () => {
    const db = client.db(dbName);
    const session = client.startSession();
    try {
      session.startTransaction();
      await db.collection<AnyDocument>('created_in_txn').insertOne({ _id: 1 }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).not.toContain('created_in_txn');
  });

  it('answers WriteConflict with TransientTransactionError when a second transaction writes the same document', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('conflict');
    await coll.insertOne({ _id: 1, n: 0 });
    const s1 = client.startSession();
    const s2 = client.startSession();
    try {
      s1.startTransaction();
      s2.startTransaction();
      await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s1 });
      const error = await coll.updateOne({ _id: 1 }, { $inc: { n: 10 } }, { session: s2 }).catch((e) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 112, codeName: 'WriteConflict' });
      expect(error.hasErrorLabel('TransientTransactionError')).toBe(true);
      await s2.abortTransaction().catch(() => {});
      await s1.commitTransaction();
    } finally {
      await s1.endSession();
      await s2.endSession();
    }
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('retries the whole transaction through withTransaction after a write conflict', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('retried');
    await coll.insertOne({ _id: 1, n: 0 });
    const blocker = client.startSession();
    const session = client.startSession();
    try {
      blocker.startTransaction();
      await coll.updateOne({ _id: 1 }, { $inc: { n: 100 } }, { session: blocker });
      let attempts = 0;
      await session.withTransaction(async () => {
        attempts++;
        if (attempts === 2) await blocker.abortTransaction();
        await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
      });
      expect(attempts).toBe(2);
    } finally {
      await blocker.endSession();
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('aborts the transaction when a statement fails with a write error, so commit answers NoSuchTransaction', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('dup_in_txn');
    await coll.insertOne({ _id: 1 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 2 }, { session });
      await expect(coll.insertOne({ _id: 1 }, { session })).rejects.toMatchObject({ code: 11000 });
      const error = await session.commitTransaction().catch((e) => e);
      expect(error).toMatchObject({ code: 251, codeName: 'NoSuchTransaction' });
      expect(error.hasErrorLabel('TransientTransactionError')).toBe(true);
    } finally {
      await session.endSession();
    }
    expect(await coll.find().toArray()).toEqual([{ _id: 1 }]);
  });

  it('refuses DDL other than create inside a transaction with OperationNotSupportedInTransaction', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await client.db(dbName).collection<AnyDocument>('a').findOne({}, { session });
      const error = await client.db(dbName).command({ count: 'a' }, { session }).catch((e) => e);
      expect(error).toMatchObject({ code: 263, codeName: 'OperationNotSupportedInTransaction' });
      const drop = await client.db(dbName).command({ drop: 'a' }, { session }).catch((e) => e);
      expect(drop).toMatchObject({ code: 263 });
      expect(drop.errmsg).toContain("Cannot run 'drop' in a multi-document transaction");
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
  });

  describe('transaction numbers (raw commands)', () => {
    let raw: RawWireClient;
    const lsid = { id: new UUID() };

    beforeAll(async () => {
      raw = await RawWireClient.connect(deployment.uri);
      await client.db(dbName).collection<AnyDocument>('raw').insertOne({ _id: 'x' });
    });

    afterAll(async () => {
      await raw.command({ endSessions: [lsid], $db: 'admin' });
      raw.close();
    });

    function txnCommand(body: Document, txnNumber: number, start = false): Promise<Document> {
      return raw.command({ ...body, lsid, txnNumber: Long.fromNumber(txnNumber), autocommit: false, ...(start ? { startTransaction: true } : {}) });
    }

    it('follows mongod: commit twice is ok, later statements get TransactionCommitted, older numbers TransactionTooOld', async () => {
      const first = await txnCommand({ insert: 'raw', documents: [{ _id: 'y' }], $db: dbName }, 5, true);
      expect(Number(first.ok)).toBe(1);
      expect(Number((await txnCommand({ commitTransaction: 1, $db: 'admin' }, 5)).ok)).toBe(1);
      expect(Number((await txnCommand({ commitTransaction: 1, $db: 'admin' }, 5)).ok)).toBe(1);

      const afterCommit = await txnCommand({ find: 'raw', $db: dbName }, 5);
      expect({ code: Number(afterCommit.code), codeName: afterCommit.codeName }).toEqual({ code: 256, codeName: 'TransactionCommitted' });
      const abortCommitted = await txnCommand({ abortTransaction: 1, $db: 'admin' }, 5);
      expect(Number(abortCommitted.code)).toBe(256);

      const tooOld = await txnCommand({ find: 'raw', $db: dbName }, 4, true);
      expect({ code: Number(tooOld.code), codeName: tooOld.codeName }).toEqual({ code: 225, codeName: 'TransactionTooOld' });

      const unknown = await txnCommand({ find: 'raw', $db: dbName }, 9);
      expect({ code: Number(unknown.code), codeName: unknown.codeName }).toEqual({ code: 251, codeName: 'NoSuchTransaction' });
      expect(unknown.errorLabels).toEqual(['TransientTransactionError']);
      expect(unknown.errmsg).toContain('does not match any in-progress transactions');
    });

    it('answers NoSuchTransaction after an abort, and refuses to start a transaction with commit', async () => {
      expect(Number((await txnCommand({ insert: 'raw', documents: [{ _id: 'z' }], $db: dbName }, 10, true)).ok)).toBe(1);
      expect(Number((await txnCommand({ abortTransaction: 1, $db: 'admin' }, 10)).ok)).toBe(1);
      const again = await txnCommand({ abortTransaction: 1, $db: 'admin' }, 10);
      expect(Number(again.code)).toBe(251);
      const commit = await txnCommand({ commitTransaction: 1, $db: 'admin' }, 10);
      expect(Number(commit.code)).toBe(251);
      expect(commit.errorLabels).toEqual(['TransientTransactionError']);
      expect(await client.db(dbName).collection<AnyDocument>('raw').findOne({ _id: 'z' })).toBeNull();

      const startWithCommit = await txnCommand({ commitTransaction: 1, $db: 'admin' }, 11, true);
      expect({ code: Number(startWithCommit.code), codeName: startWithCommit.codeName }).toEqual({ code: 263, codeName: 'OperationNotSupportedInTransaction' });
    });
  });

  itEmbedded('aborts a transaction older than transactionLifetimeLimitSeconds', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('expired');
    await client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 1 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 'expires' }, { session });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(coll.insertOne({ _id: 'late' }, { session })).rejects.toMatchObject({ code: 251 });
      expect(await coll.countDocuments()).toBe(0);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
      await client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 60 });
    }
  });

  itEmbedded('splits a transaction larger than 16 MB into partialTxn entries chained by prevOpTime', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('large');
    const session = client.startSession();
    const big = 'x'.repeat(4 * 1024 * 1024);
    const mark = await oplogMark();
    try {
      await session.withTransaction(async () => {
        for (let i = 0; i < 6; i++) await coll.insertOne({ _id: i, big }, { session });
      });
      const entries = await applyOpsEntries(session.id!.id as unknown as UUID, mark);
      expect(entries.length).toBeGreaterThan(1);
      const last = entries[entries.length - 1];
      // The implicit create of the collection is the transaction's first operation, then the six inserts.
      expect(Number(last.o.count)).toBe(7);
      expect(last.o.partialTxn).toBeUndefined();
      for (const e of entries.slice(0, -1)) expect(e.o.partialTxn).toBe(true);
      for (let i = 1; i < entries.length; i++) expect(entries[i].prevOpTime.ts).toEqual(entries[i - 1].ts);
      const ops = entries.flatMap((e) => e.o.applyOps);
      expect(ops[0]).toMatchObject({ op: 'c', o: { create: 'large' } });
      expect(ops.slice(1).map((op: Document) => op.o._id)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await session.endSession();
    }
  });
});
