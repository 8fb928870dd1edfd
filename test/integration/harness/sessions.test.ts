import { Long, MongoClient, UUID, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/** Logical sessions: startSession, endSessions, killSessions, killAllSessions, refreshSessions and their effects. */
describe('logical sessions', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let raw: RawWireClient;
  const dbName = 'sessions_test';

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    raw = await RawWireClient.connect(deployment.uri);
    await client.db(dbName).collection<AnyDocument>('docs').insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i })));
  });

  afterAll(async () => {
    raw.close();
    await client.db(dbName).dropDatabase().catch(() => {});
    await client.close();
    await deployment.stop();
  });

  it('reports a 30 minute session timeout in hello and startSession', async () => {
    expect((await client.db('admin').command({ hello: 1 })).logicalSessionTimeoutMinutes).toBe(30);
    const started = await client.db('admin').command({ startSession: 1 });
    expect(started.id.id).toBeInstanceOf(UUID);
    expect(started.timeoutMinutes).toBe(30);
    await client.db('admin').command({ endSessions: [started.id] });
  });

  it('accepts refreshSessions and endSessions for known and unknown sessions', async () => {
    const lsid = { id: new UUID() };
    expect(Number((await raw.command({ find: 'docs', lsid, $db: dbName })).ok)).toBe(1);
    expect(Number((await raw.command({ refreshSessions: [lsid], $db: 'admin' })).ok)).toBe(1);
    expect(Number((await raw.command({ endSessions: [lsid, { id: new UUID() }], $db: 'admin' })).ok)).toBe(1);
  });

  it('refuses an lsid without a UUID id', async () => {
    const reply = await raw.command({ find: 'docs', lsid: { id: 'not-a-uuid' }, $db: dbName });
    expect(Number(reply.ok)).toBe(0);
  });

  it('killSessions aborts the session transaction and kills its cursors', async () => {
    const lsid = { id: new UUID() };
    const start = await raw.command({
      insert: 'docs', documents: [{ _id: 'in-txn' }], lsid, txnNumber: Long.fromNumber(1), autocommit: false, startTransaction: true, $db: dbName,
    });
    expect(Number(start.ok)).toBe(1);
    const other = { id: new UUID() };
    const found = await raw.command({ find: 'docs', batchSize: 1, lsid: other, $db: dbName });
    const cursorId = found.cursor.id as Long;
    expect(cursorId.isZero()).toBe(false);

    expect(Number((await raw.command({ killSessions: [lsid, other], $db: 'admin' })).ok)).toBe(1);

    const commit = await raw.command({ commitTransaction: 1, lsid, txnNumber: Long.fromNumber(1), autocommit: false, $db: 'admin' });
    expect(Number(commit.code)).toBe(251);
    expect(await client.db(dbName).collection<AnyDocument>('docs').findOne({ _id: 'in-txn' })).toBeNull();
    const more = await raw.command({ getMore: cursorId, collection: 'docs', lsid: other, $db: dbName });
    expect(Number(more.code)).toBe(43);
  });

  it('killAllSessions with an empty list ends every session', async () => {
    expect(Number((await raw.command({ killAllSessions: [], $db: 'admin' })).ok)).toBe(1);
  });

  itEmbedded('endSessions aborts an open transaction at once (mongod waits for its session reaper)', async () => {
    const lsid = { id: new UUID() };
    await raw.command({ insert: 'docs', documents: [{ _id: 'ended' }], lsid, txnNumber: Long.fromNumber(1), autocommit: false, startTransaction: true, $db: dbName });
    expect(await client.db(dbName).collection<AnyDocument>('docs').findOne({ _id: 'ended' })).toEqual({ _id: 'ended' });
    await raw.command({ endSessions: [lsid], $db: 'admin' });
    expect(await client.db(dbName).collection<AnyDocument>('docs').findOne({ _id: 'ended' })).toBeNull();
    expect(deployment.embedded!.state.documentLocks.size).toBe(0);
  });

  itEmbedded('keeps the sessions the driver uses in the session catalog, with the no-auth uid', async () => {
    const session = client.startSession();
    try {
      await client.db(dbName).collection<AnyDocument>('docs').findOne({}, { session });
      const hex = (b: { buffer: Uint8Array }) => Buffer.from(b.buffer).toString('hex');
      const id = hex(session.id!.id as unknown as { buffer: Uint8Array });
      const known = deployment.embedded!.state.sessions.list().find((s: { lsid: Document }) => hex(s.lsid.id) === id);
      expect(known).toBeDefined();
      // SHA-256 of the empty string: mongod's uid for sessions without authentication.
      expect(Buffer.from(known!.lsid.uid.buffer).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    } finally {
      await session.endSession();
    }
  });
});
