import {
  Binary,
  BSON,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  MongoClient,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import type { AnyDocument } from '../../tools/documents.js';
import { RawWireClient } from '../../tools/raw_wire_client.js';

/**
 * Edge cases of the copy's batching and partitioning: a document of exactly the 16 MiB BSON limit among small
 * ones, copied with batches bounded below its size; an empty collection; a collection whose every `_id` has a
 * different BSON type, split into partitions whose bounds fall between type brackets.
 */
const DB = 'edge';
/** mongod's maximum user document size (`maxBsonObjectSize`). */
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
/**
 * 16 MiB less 1 KiB: the largest document the embedded server stores today, since it applies the user limit to its
 * oplog entries too (mongod allows those 16 KiB more). The exact limit has its own test below.
 */
const NEAR_LIMIT_SIZE = MAX_BSON_OBJECT_SIZE - 1024;

/**
 * Inserts exact document bytes with the raw wire client. The driver's bulk writes (insertMany) refuse a document
 * of exactly maxBsonObjectSize, since their check is `>=`, while mongod accepts it (jstests/core/max_doc_size.js
 * writes one and reads it back).
 */
async function insertExact(uri: string, coll: string, doc: Buffer): Promise<void> {
  const raw = await RawWireClient.connect(uri);
  try {
    const reply = await raw.command({ insert: coll, $db: DB }, { documents: [doc] });
    expect([Number(reply.ok), Number(reply.n), reply.writeErrors]).toEqual([1, 1, undefined]);
  } finally {
    raw.close();
  }
}

/** The bytes of `{_id, blob: Binary(n bytes)}` grown to exactly `size` bytes. */
function documentOfSize(id: string, size: number): Buffer {
  const overhead = BSON.serialize({ _id: id, blob: new Binary(Buffer.alloc(1)) }).length - 1;
  const payload = Buffer.alloc(size - overhead);
  for (let i = 0; i < payload.length; i += 4096) payload[i] = i % 251;
  const bytes = Buffer.from(BSON.serialize({ _id: id, blob: new Binary(payload) }));
  if (bytes.length !== size) throw new Error(`built ${bytes.length} bytes instead of ${size}`);
  return bytes;
}

/** One `_id` of each BSON type an `_id` may have, in no particular order. */
const ONE_ID_PER_TYPE: readonly unknown[] = [
  'a string',
  new MaxKey(),
  new Int32(1),
  { an: 'object', n: 1 },
  Long.fromNumber(2),
  new ObjectId('650000000000000000000001'),
  new Double(3.5),
  Decimal128.fromString('4.25'),
  null,
  new Binary(Buffer.from('bin'), 0),
  true,
  new Date(Date.UTC(2024, 1, 29)),
  new Timestamp({ t: 1700000000, i: 7 }),
  new BSONSymbol('a symbol'),
  new Code('function () { return 1; }'),
  new MinKey(),
];

async function rawDocuments(client: MongoClient, coll: string): Promise<Buffer[]> {
  const docs = await client.db(DB).collection(coll).find({}, { raw: true, sort: { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array));
}

describe('sync start --once on large documents, empty collections and one _id per BSON type', () => {
  let source: TestDeployment;
  let destination: TestDeployment;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;
  let run: CliRun;

  beforeAll(async () => {
    source = await sourceDeployment();
    destination = await destinationDeployment();
    sourceClient = await MongoClient.connect(source.uri);
    destinationClient = await MongoClient.connect(destination.uri);
    const db = sourceClient.db(DB);
    const small = (id: string) => ({ _id: id, qty: new Int32(id.length), note: `small ${id}` });
    await db.collection<AnyDocument>('large').insertMany([small('a'), small('b'), small('x'), small('z')]);
    await insertExact(source.uri, 'large', documentOfSize('m-big', NEAR_LIMIT_SIZE));
    await db.createCollection('empty');
    // About 300 KB each, so that 1 MiB partitions split the collection between type brackets.
    await db.collection<AnyDocument>('types').insertMany(
      ONE_ID_PER_TYPE.map((id, i) => ({ _id: id as AnyDocument['_id'], i: new Int32(i), pad: 'p'.repeat(300_000) })),
    );
    const config = await writeSyncConfig(
      source.uri,
      destination.uri,
      'copy:\n  batchSizeBytes: 1MiB\n  partitionSizeBytes: 1MiB\n  parallelism: 2\nlogging:\n  level: warn\n',
    );
    run = await runSync(['start', '--config', config, '--once', '--json']);
  }, 120_000);

  afterAll(async () => {
    await sourceClient?.close();
    await destinationClient?.close();
    await source?.stop();
    await destination?.stop();
  });

  it('exits 0 having copied every document', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ phase: 'copied', documentsCopied: 5 + ONE_ID_PER_TYPE.length });
  });

  it('copies a document of nearly 16 MiB, 16 times a batch, byte for byte among small ones', async () => {
    const sourceDocs = await rawDocuments(sourceClient, 'large');
    expect(sourceDocs.map((d) => d.length)).toContain(NEAR_LIMIT_SIZE);
    const copied = await rawDocuments(destinationClient, 'large');
    expect(copied.map((d) => d.length)).toEqual(sourceDocs.map((d) => d.length));
    // Compared as buffers: a 16 MiB hex string in a failure message helps nobody.
    expect(copied.every((d, i) => d.equals(sourceDocs[i]!))).toBe(true);
  });

  it('creates the empty collection, empty', async () => {
    const names = (await destinationClient.db(DB).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('empty');
    expect(await destinationClient.db(DB).collection('empty').countDocuments()).toBe(0);
  });

  it('copies a collection whose every _id has a different BSON type, in several partitions', async () => {
    const sourceDocs = await rawDocuments(sourceClient, 'types');
    expect(sourceDocs).toHaveLength(ONE_ID_PER_TYPE.length);
    const copied = await rawDocuments(destinationClient, 'types');
    expect(copied.map((d) => d.toString('hex'))).toEqual(sourceDocs.map((d) => d.toString('hex')));
    const partitions = await destinationClient.db('__c2c_sync_internal').collection('partitions').find({ coll: 'types' }).toArray();
    expect(partitions.length).toBeGreaterThan(2);
    expect(partitions.every((p) => p.status === 'done')).toBe(true);
  });
  /*
   * Exactly at the limit: the server's oplog entry around it needs mongod's internal 16 MiB + 16 KiB limit, and the
   * copy writes it with insertOne, since insertMany's client-side check refuses a document of exactly
   * maxBsonObjectSize.
   */
  it('copies a document of exactly 16,777,216 bytes byte for byte', async () => {
    const limitSource = await sourceDeployment();
    const limitDestination = await destinationDeployment();
    try {
      const doc = documentOfSize('at-limit', MAX_BSON_OBJECT_SIZE);
      await insertExact(limitSource.uri, 'limit', doc);
      const config = await writeSyncConfig(limitSource.uri, limitDestination.uri, 'id: limit\ncopy:\n  batchSizeBytes: 1MiB\nlogging:\n  level: error\n');
      const limitRun = await runSync(['start', '--config', config, '--once']);
      expect({ code: limitRun.code, stderr: limitRun.stderr }).toEqual({ code: 0, stderr: '' });
      const client = await MongoClient.connect(limitDestination.uri);
      try {
        const copied = await rawDocuments(client, 'limit');
        expect(copied).toHaveLength(1);
        expect(copied[0]!.equals(doc)).toBe(true);
      } finally {
        await client.close();
      }
    } finally {
      await limitSource.stop();
      await limitDestination.stop();
    }
  }, 120_000);
});
