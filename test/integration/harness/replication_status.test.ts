import { Binary, Long, MongoClient, Timestamp, type Db, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import { startServer } from '../../harness/server.js';

/**
 * Where a client reads the last optime of a replica set, as mongod 7.0/8.0 reports it (what a migration's commit
 * may use to know that it has applied every write):
 * - every reply: `$clusterTime: {clusterTime: Timestamp, signature: {hash: BinData(20 bytes), keyId: long}}` and
 *   `operationTime: Timestamp` (the optime of the client's last write, else the last applied optime);
 * - replSetGetStatus `optimes: {lastCommittedOpTime, readConcernMajorityOpTime, appliedOpTime, durableOpTime: {ts,
 *   t: long}, lastCommittedWallTime, lastAppliedWallTime, lastDurableWallTime: Date}`;
 * - hello and serverStatus.repl `lastWrite: {opTime: {ts, t}, lastWriteDate, majorityOpTime: {ts, t},
 *   majorityWriteDate}`;
 * - appendOplogNote {data} (oplog_note.cpp): a no-op oplog entry `{op: 'n', ns: '', o: data}` whose ts is the
 *   reply's operationTime; with maxClusterTime it writes only while the last applied optime is below it, else
 *   StaleClusterTime (209); it takes a writeConcern; a standalone answers NoReplicationEnabled (76).
 */
describe('replication status and optimes', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment, client } = await connectedDeployment());
    db = client.db('replication_status_test');
    await db.dropDatabase();
  });

  afterAll(async () => {
    await db?.dropDatabase().catch(() => {});
    await disconnect(client, deployment);
  });

  const admin = () => client.db('admin');

  /** The oplog entry of the document inserted with `_id` into replication_status_test.c. */
  async function insertEntry(id: string): Promise<Document> {
    const [entry] = await client.db('local').collection('oplog.rs').find({ ns: `${db.databaseName}.c`, 'o._id': id }).toArray();
    return entry;
  }

  function expectOpTime(opTime: Document): void {
    expect(Object.keys(opTime)).toEqual(['ts', 't']);
    expect(opTime.ts).toBeInstanceOf(Timestamp);
    expect(opTime.t).toBeInstanceOf(Long);
  }

  it('puts $clusterTime and operationTime on every reply', async () => {
    for (const reply of [await admin().command({ ping: 1 }, { promoteLongs: false }), await db.command({ find: 'c' }, { promoteLongs: false })]) {
      expect(reply.$clusterTime.clusterTime).toBeInstanceOf(Timestamp);
      expect(Object.keys(reply.$clusterTime)).toEqual(['clusterTime', 'signature']);
      expect(Object.keys(reply.$clusterTime.signature)).toEqual(['hash', 'keyId']);
      expect(reply.$clusterTime.signature.hash).toBeInstanceOf(Binary);
      expect((reply.$clusterTime.signature.hash as Binary).length()).toBe(20);
      expect(reply.$clusterTime.signature.keyId).toBeInstanceOf(Long);
      expect(reply.operationTime).toBeInstanceOf(Timestamp);
      expect((reply.operationTime as Timestamp).lessThanOrEqual(reply.$clusterTime.clusterTime)).toBe(true);
    }
  });

  it("answers a write with its oplog entry's optime as operationTime, and reads at least that late", async () => {
    const write = await db.command({ insert: 'c', documents: [{ _id: 'w1' }] });
    const entry = await insertEntry('w1');
    expect((write.operationTime as Timestamp).equals(entry.ts)).toBe(true);
    expect((write.$clusterTime.clusterTime as Timestamp).greaterThanOrEqual(entry.ts)).toBe(true);
    const read = await db.command({ find: 'c', filter: {} });
    expect((read.operationTime as Timestamp).greaterThanOrEqual(entry.ts)).toBe(true);
  });

  it('reports the applied, durable and majority-committed optimes in replSetGetStatus', async () => {
    await db.collection<{ _id: string }>('c').insertOne({ _id: 'w2' }, { writeConcern: { w: 'majority' } });
    const entry = await insertEntry('w2');
    const status = await admin().command({ replSetGetStatus: 1 }, { promoteLongs: false });
    expect(status.ok).toBe(1);
    for (const name of ['lastCommittedOpTime', 'readConcernMajorityOpTime', 'appliedOpTime', 'durableOpTime']) {
      expectOpTime(status.optimes[name]);
      // Acknowledged by a majority, so committed everywhere it is reported.
      expect((status.optimes[name].ts as Timestamp).greaterThanOrEqual(entry.ts)).toBe(true);
    }
    for (const name of ['lastCommittedWallTime', 'lastAppliedWallTime', 'lastDurableWallTime']) {
      expect(status.optimes[name]).toBeInstanceOf(Date);
    }
    expect(status.myState).toBe(1);
    expect(status.members.find((m: Document) => m.self)).toMatchObject({ stateStr: 'PRIMARY' });
  });

  it('reports the last write in hello and serverStatus.repl', async () => {
    await db.command({ insert: 'c', documents: [{ _id: 'w3' }] });
    const entry = await insertEntry('w3');
    const hello = await admin().command({ hello: 1 }, { promoteLongs: false });
    const repl = (await admin().command({ serverStatus: 1 }, { promoteLongs: false })).repl;
    for (const lastWrite of [hello.lastWrite, repl.lastWrite]) {
      expect(Object.keys(lastWrite)).toEqual(['opTime', 'lastWriteDate', 'majorityOpTime', 'majorityWriteDate']);
      expectOpTime(lastWrite.opTime);
      expectOpTime(lastWrite.majorityOpTime);
      expect((lastWrite.opTime.ts as Timestamp).greaterThanOrEqual(entry.ts)).toBe(true);
      expect(lastWrite.lastWriteDate).toBeInstanceOf(Date);
      expect(lastWrite.majorityWriteDate).toBeInstanceOf(Date);
    }
    expect(repl).toMatchObject({ isWritablePrimary: true, secondary: false });
    expect(typeof repl.setName).toBe('string');
    expect(repl.userWriteBlockMode).toBe(1);
  });

  it('moves the optime forward with appendOplogNote, whose operationTime is its entry', async () => {
    const before = await db.command({ insert: 'c', documents: [{ _id: 'w4' }] });
    const note = await admin().command({ appendOplogNote: 1, data: { fence: 'replication_status_test' }, writeConcern: { w: 'majority' } });
    expect(note).toMatchObject({ ok: 1 });
    expect((note.operationTime as Timestamp).greaterThan(before.operationTime)).toBe(true);
    const [entry] = await client.db('local').collection('oplog.rs').find({ op: 'n', 'o.fence': 'replication_status_test' }).sort({ $natural: -1 }).limit(1).toArray();
    expect(entry).toMatchObject({ op: 'n', ns: '', o: { fence: 'replication_status_test' } });
    expect(Object.keys(entry).slice(0, 3)).toEqual(['op', 'ns', 'o']);
    expect((entry.ts as Timestamp).equals(note.operationTime)).toBe(true);
    const status = await admin().command({ replSetGetStatus: 1 });
    expect((status.optimes.lastCommittedOpTime.ts as Timestamp).greaterThanOrEqual(note.operationTime)).toBe(true);
  });

  it('writes the note under maxClusterTime only while the last optime is below it, else StaleClusterTime', async () => {
    const last = (await db.command({ insert: 'c', documents: [{ _id: 'w5' }] })).operationTime as Timestamp;
    await expect(admin().command({ appendOplogNote: 1, data: { stale: true }, maxClusterTime: last })).rejects.toMatchObject({
      code: 209, codeName: 'StaleClusterTime',
    });
    const future = new Timestamp({ t: last.high + 3600, i: 0 });
    const written = await admin().command({ appendOplogNote: 1, data: { bounded: true }, maxClusterTime: future });
    expect((written.operationTime as Timestamp).greaterThan(last)).toBe(true);
    await expect(admin().command({ appendOplogNote: 1 })).rejects.toMatchObject({ code: 4, codeName: 'NoSuchKey' });
    await expect(admin().command({ appendOplogNote: 1, data: 'text' })).rejects.toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    await expect(db.command({ appendOplogNote: 1, data: {} })).rejects.toMatchObject({ code: 13 });
  });

  it("moves an idle change stream's resume token past the note", async () => {
    const stream = db.collection('c').watch([], { maxAwaitTimeMS: 100 });
    await stream.tryNext();
    const before = stream.resumeToken as { _data: string };
    // A new stream's start time may be where the next oplog entry lands (the embedded server starts one tick past
    // the last optime), so the first note may not move the token; the second one surely lies past it.
    await admin().command({ appendOplogNote: 1, data: { resumeTokenTest: 1 } });
    await admin().command({ appendOplogNote: 1, data: { resumeTokenTest: 2 } });
    let after = stream.resumeToken as { _data: string };
    for (let i = 0; i < 20 && after._data === before._data; i++) {
      await stream.tryNext();
      after = stream.resumeToken as { _data: string };
    }
    await stream.close();
    expect(after._data > before._data).toBe(true);
  });

  itEmbedded('answers appendOplogNote on a standalone with NoReplicationEnabled', async () => {
    const standalone = await startServer({ standalone: true });
    const direct = new MongoClient(standalone.uri, { directConnection: true, serverSelectionTimeoutMS: 5000 });
    try {
      await expect(direct.db('admin').command({ appendOplogNote: 1, data: {} })).rejects.toMatchObject({
        code: 76, codeName: 'NoReplicationEnabled', errmsg: 'Must have replication set up to run "appendOplogNote"',
      });
    } finally {
      await direct.close();
      await standalone.stop();
    }
  });
});
