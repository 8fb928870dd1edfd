/**
 * The writer pool's queue is bounded by the bytes of the change events it holds as well as by their count, so that
 * a backlog of large documents cannot grow the process's memory past the bound (issue 4: "a backlog of any size
 * does not grow RSS past 300 MB").
 */
import { MongoClient } from 'mongodb';
import { ChangeApplier } from '../../../src/changes/applier.js';
import { destinationDeployment, type TestDeployment } from '../../tools/deployments.js';

describe('ChangeApplier queue bounds', () => {
  let destination: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    destination = await destinationDeployment();
    client = await MongoClient.connect(destination.uri);
  });

  afterAll(async () => {
    await client?.close();
    await destination?.stop();
  });

  const write = (coll: string, id: number, bytes: number) => ({
    ns: { db: 'bounds', coll }, writer: id % 2, exactKey: String(id), segment: 0, bytes,
    write: { kind: 'replace' as const, filter: { _id: id }, replacement: { _id: id, pad: 'x'.repeat(100) } },
  });

  it('never holds more event bytes than maxQueuedBytes, and applies every write', async () => {
    const applier = new ChangeApplier(client, { writers: 2, maxQueuedWrites: 1_000, maxBatchWrites: 2, maxQueuedBytes: 3_000 }, () => {});
    let mostQueued = 0;
    for (let id = 0; id < 40; id++) {
      await applier.enqueue(write('sized', id, 1_000));
      mostQueued = Math.max(mostQueued, applier.queuedWrites);
    }
    await applier.close();
    expect(mostQueued).toBeLessThanOrEqual(3);
    expect(await client.db('bounds').collection('sized').countDocuments()).toBe(40);
  });

  it('lets a single event larger than the bound through alone', async () => {
    const applier = new ChangeApplier(client, { writers: 2, maxQueuedWrites: 1_000, maxBatchWrites: 2, maxQueuedBytes: 500 }, () => {});
    let mostQueued = 0;
    for (let id = 0; id < 6; id++) {
      await applier.enqueue(write('huge', id, 10_000));
      mostQueued = Math.max(mostQueued, applier.queuedWrites);
    }
    await applier.close();
    expect(mostQueued).toBe(1);
    expect(await client.db('bounds').collection('huge').countDocuments()).toBe(6);
  });
});
