import { MongoClient } from 'mongodb';
import { sourceDeployment, usingRealDeployments, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * RunningServer.dropConnections(forMs): every connection is dropped and new ones are refused for a while, as
 * clients see an outage or a failover. The driver reports errors during the outage and recovers after it, with
 * the data intact.
 */
const describeEmbedded = usingRealDeployments ? describe.skip : describe;

describeEmbedded('outage (dropConnections)', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    deployment = await sourceDeployment();
    // Shorter than the 2 s outage below (so an operation fails during it), long enough for a loaded CI machine.
    client = new MongoClient(deployment.uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000, heartbeatFrequencyMS: 500 });
    await client.connect();
  });

  afterAll(() => disconnect(client, deployment));

  async function untilAvailable<T>(op: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await op();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  it('fails operations while connections are refused and recovers afterwards with the data intact', async () => {
    const coll = client.db('outage_test').collection<AnyDocument>('c');
    await coll.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, v: `doc-${i}` })));
    const server = deployment.embedded!;
    const refusedBefore = server.state.stats.connections.totalCreated;

    server.dropConnections(2_000);
    const error = await coll.findOne({ _id: 1 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toMatch(/MongoServerSelectionError|MongoNetworkError|MongoPoolClearedError|MongoTopologyClosedError/);

    const back = await untilAvailable(() => coll.countDocuments());
    expect(back).toBe(50);
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual(Array.from({ length: 50 }, (_, i) => ({ _id: i, v: `doc-${i}` })));
    await coll.insertOne({ _id: 50, v: 'after' });
    expect(await coll.countDocuments()).toBe(51);
    expect(server.state.stats.connections.totalCreated).toBeGreaterThan(refusedBefore);
  });
});
