import { MongoClient, type Db, type Document } from 'mongodb';
import { itEmbedded, sourceDeployment, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * The TTL monitor: documents whose indexed date (or earliest date of an array) plus expireAfterSeconds has passed
 * are deleted through the write path, so the deletes reach the oplog. Only on the embedded server: a real mongod's
 * monitor runs every 60 s, this one every `ttlMonitorIntervalMs`.
 */
describe('embedded server TTL monitor', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    deployment = await sourceDeployment({ ttlMonitorIntervalMs: 25 });
    client = new MongoClient(deployment.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });

  beforeEach(async () => {
    db = client.db(`ttl_${expect.getState().currentTestName?.replace(/[^a-z0-9]/gi, '').slice(0, 40)}`);
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  /** Polls until `count()` reaches `expected` (the monitor runs on its own timer); fails after 10 s. */
  async function waitForCount(count: () => Promise<number>, expected: number): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if ((await count()) === expected) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await count()).toBe(expected);
  }

  const past = new Date(Date.now() - 3600_000);
  const future = new Date(Date.now() + 3600_000);

  itEmbedded('deletes expired documents (dates and arrays of dates), keeping the others', async () => {
    const coll = db.collection<AnyDocument>('sessions');
    await coll.insertMany([
      { _id: 'old', at: past },
      { _id: 'new', at: future },
      { _id: 'mixed', at: [future, past] },
      { _id: 'notDate', at: 'yesterday' },
      { _id: 'missing' },
    ]);
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await waitForCount(() => coll.countDocuments(), 3);
    expect((await coll.find().toArray()).map((d) => d._id)).toEqual(['new', 'notDate', 'missing']);
  });

  itEmbedded('writes the deletes to the oplog', async () => {
    const coll = db.collection<AnyDocument>('logged');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    await coll.insertOne({ _id: 1, at: past });
    await waitForCount(() => coll.countDocuments(), 0);
    const deletes = await client.db('local').collection('oplog.rs').find({ op: 'd', ns: `${db.databaseName}.logged` }).toArray();
    expect(deletes.map((e: Document) => e.o)).toEqual([{ _id: 1 }]);
  });

  itEmbedded('honours a partial filter and a changed expireAfterSeconds', async () => {
    const coll = db.collection<AnyDocument>('partial');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 7200, partialFilterExpression: { kind: 'temp' } });
    await coll.insertMany([{ _id: 1, at: past, kind: 'temp' }, { _id: 2, at: past, kind: 'keep' }]);
    await db.command({ collMod: 'partial', index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    await waitForCount(() => coll.countDocuments(), 1);
    expect(await coll.find().toArray()).toEqual([{ _id: 2, at: past, kind: 'keep' }]);
  });

  itEmbedded('expires a clustered collection by its _id date', async () => {
    await db.createCollection('clustered', { clusteredIndex: { key: { _id: 1 }, unique: true }, expireAfterSeconds: 10 });
    const coll = db.collection<AnyDocument>('clustered');
    await coll.insertMany([{ _id: past as never }, { _id: future as never }]);
    await waitForCount(() => coll.countDocuments(), 1);
  });
});
