import { Long, MongoClient, MongoNetworkError, UUID, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type and fields (the driver types `_id` as ObjectId and refuses $inc on unknown fields). */

/**
 * mongod's `failCommand` fail point (configureFailPoint, test commands enabled) and the retryable writes it is used
 * to test: errors with codes and labels, closed connections, writeConcernErrors after an applied write, and the
 * server's memory of executed retryable writes (config.transactions) that keeps a retry from applying twice.
 */
describe('failCommand fail point and retryable writes', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  const dbName = 'failpoint_test';

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterEach(async () => {
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase().catch(() => {});
    await client.close();
    await deployment.stop();
  });

  function failCommand(mode: unknown, data: Document): Promise<Document> {
    return client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });
  }

  it('fails the listed command with the error code until turned off, and reports how often it fired', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('basic');
    await coll.insertOne({ _id: 1 });
    await failCommand('alwaysOn', { errorCode: 2, failCommands: ['find'] });
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 2, codeName: 'BadValue', errmsg: "Failing command via 'failCommand' failpoint" });
    await expect(coll.countDocuments()).resolves.toBe(1); // an aggregate: not in failCommands
    const off = await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    expect(Number(off.count)).toBeGreaterThanOrEqual(1);
    expect(await coll.findOne({})).toEqual({ _id: 1 });
  });

  it('fires only `times` times, and lets the first `skip` passes through', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('times');
    await failCommand({ times: 2 }, { errorCode: 8, failCommands: ['distinct'] });
    await expect(coll.distinct('a')).rejects.toMatchObject({ code: 8 });
    await expect(coll.distinct('a')).rejects.toMatchObject({ code: 8 });
    await expect(coll.distinct('a')).resolves.toEqual([]);

    await failCommand({ skip: 1 }, { errorCode: 8, failCommands: ['distinct'] });
    await expect(coll.distinct('a')).resolves.toEqual([]);
    await expect(coll.distinct('a')).rejects.toMatchObject({ code: 8 });
  });

  it('fails only the connections whose handshake carried the given appName', async () => {
    const tagged = new MongoClient(deployment.uri, { appName: 'failpoint-target', serverSelectionTimeoutMS: 5000 });
    await tagged.connect();
    try {
      await failCommand('alwaysOn', { errorCode: 2, failCommands: ['distinct'], appName: 'failpoint-target' });
      await expect(tagged.db(dbName).collection<AnyDocument>('app').distinct('a')).rejects.toMatchObject({ code: 2 });
      await expect(client.db(dbName).collection<AnyDocument>('app').distinct('a')).resolves.toEqual([]);
    } finally {
      await tagged.close();
    }
  });

  it('never fails configureFailPoint itself', async () => {
    await failCommand('alwaysOn', { errorCode: 2, failCommands: ['configureFailPoint'] });
    await expect(failCommand('off', {})).resolves.toMatchObject({ ok: 1 });
  });

  it('closes the connection without a reply: the driver sees a network error', async () => {
    const noRetry = new MongoClient(deployment.uri, { retryReads: false, serverSelectionTimeoutMS: 5000 });
    await noRetry.connect();
    try {
      await failCommand({ times: 1 }, { closeConnection: true, failCommands: ['find'] });
      const error = await noRetry.db(dbName).collection<AnyDocument>('close').findOne({}).catch((e) => e);
      expect(error).toBeInstanceOf(MongoNetworkError);
      await expect(noRetry.db(dbName).collection<AnyDocument>('close').findOne({})).resolves.toBeNull();
    } finally {
      await noRetry.close();
    }
  });

  it('a retryable read is retried once after a closed connection', async () => {
    await failCommand({ times: 1 }, { closeConnection: true, failCommands: ['find'] });
    await expect(client.db(dbName).collection<AnyDocument>('close').findOne({})).resolves.toBeNull();
  });

  it('uses the errorLabels of the data: a RetryableWriteError is retried by the driver and applied once', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('labels');
    await failCommand({ times: 1 }, { errorCode: 91, errorLabels: ['RetryableWriteError'], failCommands: ['insert'] });
    await coll.insertOne({ _id: 'once' });
    expect(await coll.countDocuments({ _id: 'once' })).toBe(1);
  });

  it('labels an empty errorLabels list as no labels at all, as mongod does', async () => {
    const raw = await RawWireClient.connect(deployment.uri);
    try {
      await failCommand({ times: 1 }, { errorCode: 91, errorLabels: [], failCommands: ['insert'] });
      const reply = await raw.command({ insert: 'labels', documents: [{ x: 1 }], lsid: { id: new UUID() }, txnNumber: Long.fromNumber(1), $db: dbName });
      expect(Number(reply.code)).toBe(91);
      expect(reply.errorLabels).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it('applies the write and then answers writeConcernError; the retry returns the first result without applying it again', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('wce');
    await coll.insertOne({ _id: 1, n: 0 });
    await failCommand({ times: 1 }, { writeConcernError: { code: 91, errmsg: 'Replication is being shut down' }, failCommands: ['update'] });
    const result = await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    expect(result.modifiedCount).toBe(1);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('returns the first result of a retried findAndModify without applying it twice', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('fam');
    await coll.insertOne({ _id: 1, n: 0 });
    await failCommand({ times: 1 }, { writeConcernError: { code: 91, errmsg: 'Replication is being shut down' }, failCommands: ['findAndModify'] });
    const before = await coll.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'before' });
    expect(before).toEqual({ _id: 1, n: 0 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('labels a retryable write with a retriable writeConcernError RetryableWriteError (raw reply)', async () => {
    const raw = await RawWireClient.connect(deployment.uri);
    try {
      await failCommand({ times: 1 }, { writeConcernError: { code: 91, errmsg: 'Replication is being shut down' }, failCommands: ['insert'] });
      const reply = await raw.command({ insert: 'wce_raw', documents: [{ _id: 1 }], lsid: { id: new UUID() }, txnNumber: Long.fromNumber(1), $db: dbName });
      expect(Number(reply.ok)).toBe(1);
      expect(Number(reply.n)).toBe(1);
      expect(Number(reply.writeConcernError.code)).toBe(91);
      expect(reply.errorLabels).toEqual(['RetryableWriteError']);
    } finally {
      raw.close();
    }
  });

  itEmbedded('closeConnectionAfterCommand: the write is applied, the connection dropped, and the retry does not apply it twice', async () => {
    const coll = client.db(dbName).collection<AnyDocument>('after');
    await coll.insertOne({ _id: 1, n: 0 });
    await failCommand({ times: 1 }, { closeConnectionAfterCommand: true, failCommands: ['update'] });
    const result = await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    expect(result.matchedCount).toBe(1);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
    expect(deployment.embedded!.state.failPoints.get('failCommand')!.timesEntered).toBeGreaterThanOrEqual(1);
  });

  it('blockConnection delays the command and it then runs normally', async () => {
    await failCommand({ times: 1 }, { blockConnection: true, blockTimeMS: 50, failCommands: ['ping'] });
    await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  it('refuses an unknown fail point with FailPointSetFailed and a non-admin database with Unauthorized', async () => {
    await expect(client.db('admin').command({ configureFailPoint: 'noSuchFailPoint', mode: 'alwaysOn' })).rejects.toMatchObject({ code: 266 });
    await expect(client.db(dbName).command({ configureFailPoint: 'failCommand', mode: 'off' })).rejects.toMatchObject({ code: 13 });
  });

  describe('retryable writes (raw commands)', () => {
    let raw: RawWireClient;
    const lsid = { id: new UUID() };

    beforeAll(async () => {
      raw = await RawWireClient.connect(deployment.uri);
    });

    afterAll(async () => {
      await raw.command({ endSessions: [lsid], $db: 'admin' });
      raw.close();
    });

    it('answers a retried txnNumber with the first result and retriedStmtIds, without inserting again', async () => {
      const body = { insert: 'rw', documents: [{ _id: 'a' }, { _id: 'b' }], lsid, txnNumber: Long.fromNumber(3), $db: dbName };
      const first = await raw.command(body);
      expect(Number(first.n)).toBe(2);
      const retry = await raw.command(body);
      expect(Number(retry.n)).toBe(2);
      expect(retry.writeErrors).toBeUndefined();
      expect(retry.retriedStmtIds.map(Number)).toEqual([0, 1]);
      expect(await client.db(dbName).collection<AnyDocument>('rw').countDocuments()).toBe(2);
    });

    it('refuses an older txnNumber with TransactionTooOld and a non-write command with a txnNumber', async () => {
      const old = await raw.command({ insert: 'rw', documents: [{ _id: 'c' }], lsid, txnNumber: Long.fromNumber(2), $db: dbName });
      expect({ code: Number(old.code), codeName: old.codeName }).toEqual({ code: 225, codeName: 'TransactionTooOld' });
      const find = await raw.command({ find: 'rw', lsid, txnNumber: Long.fromNumber(4), $db: dbName });
      expect(Number(find.code)).toBe(50768);
    });

    it('logs each statement with lsid, txnNumber, stmtId and the prevOpTime chain', async () => {
      await raw.command({ insert: 'rw_oplog', documents: [{ _id: 1 }, { _id: 2 }, { _id: 3 }], lsid, txnNumber: Long.fromNumber(7), $db: dbName });
      const entries = await client.db('local').collection('oplog.rs')
        .find({ ns: `${dbName}.rw_oplog`, op: 'i' }).sort({ $natural: 1 }).toArray();
      expect(entries.map((e) => Number(e.stmtId))).toEqual([0, 1, 2]);
      expect(entries.every((e) => Number(e.txnNumber) === 7 && e.lsid.id.toHexString() === lsid.id.toHexString())).toBe(true);
      expect(Number(entries[0].prevOpTime.t)).toBe(-1);
      expect(entries[1].prevOpTime.ts).toEqual(entries[0].ts);
      expect(entries[2].prevOpTime.ts).toEqual(entries[1].ts);
    });
  });
});
