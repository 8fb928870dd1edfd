import { Int32, Long, MongoClient, MongoServerError, ObjectId, type Document } from 'mongodb';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { createLogger } from '../../../src/log/logger.js';
import { PartitionCopier, type PartitionCheckpoints, type WriteMode } from '../../../src/copy/partition_copier.js';
import type { PartitionDocument } from '../../../src/state/partition_store.js';
import { Writable } from 'node:stream';

/**
 * The copier's two ways of handing documents to the driver (raw bytes, the default; decoded documents, the fallback
 * for drivers that cannot send raw bytes) copy the same bytes, treat documents already on the destination as copied
 * (unordered, and ordered for capped collections, whose insert stops at the first duplicate), checkpoint every batch
 * and refuse a real write error.
 */
const DB = 'modes';
const logger = createLogger({ level: 'warn', format: 'json', stream: new Writable({ write: (_c, _e, done) => done() }) });

/** Documents of varied shapes: integer-like keys (which a JS object would reorder), nested ones, mixed `_id` types. */
function documents(count: number): Map<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const id = i % 3 === 0 ? new Int32(i) : i % 3 === 1 ? Long.fromNumber(i) : ObjectId.createFromTime(i);
    return new Map<string, unknown>([
      ['_id', id],
      ['b', i],
      ['10', 'ten'],
      ['2', new Map<string, unknown>([['z', 1], ['1', [i, new Map<string, unknown>([['9', 9], ['a', 'x'.repeat(i % 50)]])]]])],
    ]);
  });
}

class RecordingCheckpoints implements PartitionCheckpoints {
  readonly batches: { lastKey: Document; docs: number }[] = [];
  done = false;
  async checkpoint(_id: string, lastKey: Document, docs: number): Promise<void> {
    this.batches.push({ lastKey, docs });
  }
  async markDone(): Promise<void> {
    this.done = true;
  }
}

function partition(coll: string, natural: boolean): PartitionDocument {
  return { _id: `t/${DB}.${coll}/0`, migrationId: 't', db: DB, coll, index: 0, natural, status: 'pending', docsCopied: 0, bytesCopied: 0 };
}

async function rawDocs(client: MongoClient, coll: string, natural: boolean): Promise<string[]> {
  const docs = await client.db(DB).collection(coll).find({}, { raw: true, sort: natural ? { $natural: 1 } : { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}

describe.each<WriteMode>(['raw', 'decoded'])('PartitionCopier writing %s documents', (mode) => {
  let source: TestDeployment;
  let destination: TestDeployment;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;

  beforeAll(async () => {
    source = await sourceDeployment();
    destination = await destinationDeployment();
    sourceClient = await MongoClient.connect(source.uri);
    destinationClient = await MongoClient.connect(destination.uri);
  });

  afterAll(async () => {
    await sourceClient?.close();
    await destinationClient?.close();
    await source?.stop();
    await destination?.stop();
  });

  beforeEach(async () => {
    await sourceClient.db(DB).dropDatabase();
    await destinationClient.db(DB).dropDatabase();
  });

  const copier = (checkpoints: PartitionCheckpoints) =>
    new PartitionCopier(sourceClient, destinationClient, checkpoints, logger, { batchSizeBytes: 4096, writeMode: mode });

  it('uses the mode asked for', async () => {
    expect(await copier(new RecordingCheckpoints()).effectiveWriteMode()).toBe(mode);
  });

  it('copies every byte, skips the documents already there, and checkpoints each batch in order', async () => {
    const docs = documents(600);
    await sourceClient.db(DB).collection('plain').insertMany(docs as unknown as Document[]);
    // A retried batch finds some of its documents already written.
    await destinationClient.db(DB).collection('plain').insertMany(docs.filter((_, i) => i % 7 === 0) as unknown as Document[]);
    const checkpoints = new RecordingCheckpoints();

    const result = await copier(checkpoints).copy(partition('plain', false), new AbortController().signal);

    expect(await rawDocs(destinationClient, 'plain', false)).toEqual(await rawDocs(sourceClient, 'plain', false));
    expect(result.docs).toBe(600);
    expect(checkpoints.batches.length).toBeGreaterThan(10);
    expect(checkpoints.batches.reduce((sum, b) => sum + b.docs, 0)).toBe(600);
    const lastSourceId = (await sourceClient.db(DB).collection('plain').find({}, { sort: { _id: -1 }, limit: 1, promoteValues: false }).toArray())[0]._id;
    expect(checkpoints.batches.at(-1)!.lastKey).toEqual({ _id: lastSourceId });
    expect(checkpoints.done).toBe(true);
  });

  it('copies a capped collection in natural order past the documents a retried batch already wrote', async () => {
    const docs = documents(300);
    for (const client of [sourceClient, destinationClient]) await client.db(DB).createCollection('ring', { capped: true, size: 10_000_000 });
    await sourceClient.db(DB).collection('ring').insertMany(docs as unknown as Document[]);
    await destinationClient.db(DB).collection('ring').insertMany(docs.slice(0, 5) as unknown as Document[]);

    await copier(new RecordingCheckpoints()).copy(partition('ring', true), new AbortController().signal);

    expect(await rawDocs(destinationClient, 'ring', true)).toEqual(await rawDocs(sourceClient, 'ring', true));
  });

  it('fails on a write error that is not a duplicate _id', async () => {
    await sourceClient.db(DB).collection<{ _id: number; u: number }>('unique').insertMany([{ _id: 1, u: 1 }, { _id: 2, u: 1 }]);
    await destinationClient.db(DB).collection('unique').createIndex({ u: 1 }, { unique: true });
    const checkpoints = new RecordingCheckpoints();

    const copy = copier(checkpoints).copy(partition('unique', false), new AbortController().signal);

    await expect(copy).rejects.toBeInstanceOf(MongoServerError);
    await expect(copy).rejects.toMatchObject({ code: 11000 });
    expect(checkpoints.batches).toEqual([]);
    expect(checkpoints.done).toBe(false);
  });
});
