import { serialize } from 'bson';
import { MongoClient, type Db, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * Capped collections as mongod 7.0 keeps them: the oldest documents go first once `max` or `size` is exceeded,
 * natural order is insertion order, deletes are allowed (since 5.0), tailable cursors wait at the end.
 */
describe('embedded server capped collections', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    db = client.db('capped_test');
  });

  beforeEach(async () => {
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  it('evicts the oldest documents past max, keeping natural order', async () => {
    await db.createCollection('logs', { capped: true, size: 100000, max: 3 });
    for (let i = 1; i <= 5; i++) await db.collection<AnyDocument>('logs').insertOne({ _id: i });
    expect(await db.collection<AnyDocument>('logs').find().toArray()).toEqual([{ _id: 3 }, { _id: 4 }, { _id: 5 }]);
    expect(await db.collection<AnyDocument>('logs').find().sort({ $natural: -1 }).toArray()).toEqual([{ _id: 5 }, { _id: 4 }, { _id: 3 }]);
  });

  it('evicts the oldest documents past size', async () => {
    await db.createCollection('sized', { capped: true, size: 4096 });
    const filler = 'x'.repeat(1000);
    for (let i = 1; i <= 10; i++) await db.collection<AnyDocument>('sized').insertOne({ _id: i, filler });
    const ids = (await db.collection<AnyDocument>('sized').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    // Each document takes 1027 bytes: four would exceed 4096, so the three newest remain.
    expect(ids).toEqual([8, 9, 10]);
    const stats = await db.command({ collStats: 'sized' });
    expect(stats).toMatchObject({ capped: true, maxSize: 4096, count: 3, size: 3081 });
    expect(stats.size).toBeLessThanOrEqual(4096);
  });

  it('refuses a document larger than the capped size', async () => {
    await db.createCollection('tiny', { capped: true, size: 4096 });
    await expect(db.collection<AnyDocument>('tiny').insertOne({ big: 'x'.repeat(5000) })).rejects.toMatchObject({ code: 2 });
  });

  it('allows deletes on a capped collection (mongod 5.0+)', async () => {
    await db.createCollection('del', { capped: true, size: 4096 });
    await db.collection<AnyDocument>('del').insertMany([{ _id: 1 }, { _id: 2 }]);
    expect(await db.collection<AnyDocument>('del').deleteOne({ _id: 1 })).toMatchObject({ deletedCount: 1 });
    expect(await db.collection<AnyDocument>('del').find().toArray()).toEqual([{ _id: 2 }]);
  });

  it('reports max in collStats and resizes with collMod cappedSize/cappedMax', async () => {
    await db.createCollection('resize', { capped: true, size: 8192, max: 10 });
    expect(await db.command({ collStats: 'resize' })).toMatchObject({ capped: true, max: 10, maxSize: 8192 });
    await db.command({ collMod: 'resize', cappedSize: 5000, cappedMax: 2 });
    const [info] = await db.listCollections({ name: 'resize' }).toArray();
    expect((info as Document).options).toEqual({ capped: true, size: 5120, max: 2 });
    for (let i = 1; i <= 3; i++) await db.collection<AnyDocument>('resize').insertOne({ _id: i });
    expect(await db.collection<AnyDocument>('resize').countDocuments()).toBe(2);
    await expect(db.command({ collMod: 'notcapped', cappedSize: 5000 })).rejects.toMatchObject({ code: 26 });
  });

  it('serves a tailable awaitData cursor that sees later inserts', async () => {
    await db.createCollection('tail', { capped: true, size: 100000 });
    await db.collection<AnyDocument>('tail').insertOne({ _id: 1 });
    const cursor = db.collection<AnyDocument>('tail').find({}, { tailable: true, awaitData: true, maxAwaitTimeMS: 200 });
    expect(await cursor.next()).toEqual({ _id: 1 });
    await db.collection<AnyDocument>('tail').insertOne({ _id: 2 });
    expect(await cursor.next()).toEqual({ _id: 2 });
    await cursor.close();
  });

  itEmbedded('refuses a document over 16 MiB with BSONObjectTooLarge (10334)', async () => {
    const raw = await RawWireClient.connect(deployment.uri);
    try {
      const big = Buffer.from(serialize({ _id: 1, s: 'x'.repeat(16 * 1024 * 1024) }));
      const reply = await raw.command({ insert: 'big', $db: 'capped_test' }, { documents: [big] });
      expect(Number((reply.writeErrors?.[0] ?? reply).code)).toBe(10334);
    } finally {
      raw.close();
    }
  });
});
