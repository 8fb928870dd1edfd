import { Binary, Decimal128, Double, Int32, Long, MongoClient, ObjectId, Timestamp, type Document } from 'mongodb';
import { sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { findBoundaries, pickBoundaries } from '../../../src/copy/partition_planner.js';
import { exactIdOf } from '../../../src/bson/exact_document.js';

/**
 * findBoundaries (the server skips from one boundary to the next) finds the very boundaries pickBoundaries picks
 * from a scan of every `_id`, across the type brackets of mixed `_id`s.
 */
function mixedId(i: number): unknown {
  switch (i % 10) {
    case 0: return new Int32(i);
    case 1: return Long.fromNumber(1_000 + i);
    case 2: return new Double(i + 0.5);
    case 3: return Decimal128.fromString(`${i}.25`);
    case 4: return `id-${i}`;
    case 5: return ObjectId.createFromTime(i);
    case 6: return new Date(Date.UTC(2020, 0, 1) + i);
    case 7: return new Binary(Buffer.from([i & 0xff, i >> 8]), 0);
    case 8: return new Map<string, unknown>([['b', i], ['a', 'doc']]);
    default: return new Timestamp({ t: i, i: 1 });
  }
}

describe('findBoundaries', () => {
  let source: TestDeployment;
  let client: MongoClient;
  const COUNT = 230;

  beforeAll(async () => {
    source = await sourceDeployment();
    client = await MongoClient.connect(source.uri);
    await client.db('bounds').dropDatabase();
    await client.db('bounds').collection('mixed').insertMany(Array.from({ length: COUNT }, (_, i) => ({ _id: mixedId(i), i }) as Document));
    await client.db('bounds').createCollection('empty');
  });

  afterAll(async () => {
    await client?.close();
    await source?.stop();
  });

  async function* scannedIds(coll: string): AsyncGenerator<unknown> {
    const cursor = client.db('bounds').collection(coll).find({}, { raw: true, projection: { _id: 1 }, sort: { _id: 1 }, hint: { _id: 1 } });
    for await (const raw of cursor) yield exactIdOf(raw as unknown as Uint8Array);
  }

  it.each([1, 3, 7, 23, 229, 230, 1000])('finds the boundaries a full scan picks, every %d documents', async (perPartition) => {
    const scanned = await pickBoundaries(scannedIds('mixed'), perPartition);
    const found = await findBoundaries(client.db('bounds').collection('mixed'), perPartition);
    expect(found).toEqual(scanned);
    expect(found).toHaveLength(Math.ceil(COUNT / perPartition) - 1);
  });

  it('finds no boundary in an empty collection', async () => {
    expect(await findBoundaries(client.db('bounds').collection('empty'), 5)).toEqual([]);
  });
});
