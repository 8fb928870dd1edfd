import { Decimal128, Double, Int32, Long, MaxKey, MinKey, MongoClient, ObjectId, type Document } from 'mongodb';
import { rawDocuments, startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig } from '../../tools/run_cli.js';
import { randomFor, randomInt } from '../../tools/random.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Index specs by name, without the `v` field. */
async function indexesByName(client: MongoClient, db: string, coll: string): Promise<Record<string, Document>> {
  const specs = await client.db(db).collection(coll).listIndexes().toArray();
  return Object.fromEntries(specs.map(({ v: _v, ...spec }) => [spec.name, spec]));
}

describe('sync start --once (initial copy)', () => {
  let pair: MigrationPair;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;
  let configFile: string;

  beforeAll(async () => {
    pair = await startMigrationPair();
    ({ sourceClient, destinationClient } = pair);
    const shop = sourceClient.db('shop');
    // Mixed _id types: the partitions must cover every type bracket.
    const mixed: Document[] = [
      { _id: new MinKey(), k: 'min' }, { _id: null, k: 'null' }, { _id: new Int32(-3) }, { _id: Long.fromString('9007199254740993') },
      { _id: new Double(2.5) }, { _id: Decimal128.fromString('1.10') }, { _id: new Double(-0) }, { _id: 'a' }, { _id: 'b' },
      { _id: { x: 1, y: 2 } }, { _id: { y: 2, x: 1 } }, { _id: new ObjectId() }, { _id: false }, { _id: new Date(5) },
      { _id: new MaxKey(), k: 'max' },
      // Integer-like keys must keep their order ("2" before "10"), which a JS object would change.
      { _id: 'ordered', years: { '2024': 1, '10': 2, b: 3, '2': 4 } },
    ];
    await shop.collection('mixed').insertMany(mixed);
    // Enough bytes for several partitions of 1 MiB.
    const orders: Document[] = [];
    for (let i = 0; i < 4000; i++) {
      const random = randomFor(i);
      orders.push({ _id: i, sku: `sku-${randomInt(random, 500)}`, qty: new Int32(randomInt(random, 10)), price: new Double(random() * 100), note: 'x'.repeat(300 + randomInt(random, 400)) });
    }
    await shop.collection('orders').insertMany(orders);
    await shop.collection('orders').createIndex({ sku: 1 }, { unique: false, name: 'sku_1' });
    await shop.collection<AnyDocument>('users').insertMany([{ _id: 1, email: 'a@x', seen: new Date() }, { _id: 2, email: 'b@x', seen: new Date() }]);
    await shop.collection('users').createIndex({ email: 1 }, { unique: true });
    await shop.collection('users').createIndex({ seen: 1 }, { expireAfterSeconds: 3600 });
    await shop.collection('users').createIndex({ email: 1, seen: -1 }, { hidden: true });
    await shop.createCollection('events', { capped: true, size: 4096 * 4 });
    await shop.collection<AnyDocument>('events').insertMany([{ _id: 3, e: 'c' }, { _id: 1, e: 'a' }, { _id: 2, e: 'b' }]);
    await shop.createCollection('empty');
    await shop.createCollection('big_orders', { viewOn: 'orders', pipeline: [{ $match: { qty: { $gte: 5 } } }] });
    await sourceClient.db('crm').collection<AnyDocument>('contacts').insertOne({ _id: 1, name: 'Ada' });
    configFile = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'copy:\n  partitionSizeBytes: 1MiB\n  parallelism: 3\nlogging:\n  level: warn\n');
  });

  afterAll(() => pair?.stop());

  it('copies every namespace byte for byte and exits 0', async () => {
    const run = await runSync(['start', '--config', configFile, '--once', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ phase: 'copied', resumed: false, documentsCopied: 4000 + 16 + 2 + 3 + 1 });
    for (const [db, coll] of [['shop', 'mixed'], ['shop', 'orders'], ['shop', 'users'], ['shop', 'empty'], ['crm', 'contacts']]) {
      expect(await rawDocuments(destinationClient, db, coll)).toEqual(await rawDocuments(sourceClient, db, coll));
    }
    expect(await rawDocuments(destinationClient, 'shop', 'events', 'natural')).toEqual(await rawDocuments(sourceClient, 'shop', 'events', 'natural'));
  });

  it('split the large collection into several partitions', async () => {
    const partitions = await destinationClient.db('__c2c_sync_internal').collection('partitions').find({ coll: 'orders' }).toArray();
    expect(partitions.length).toBeGreaterThan(1);
    expect(partitions.every((p) => p.status === 'done')).toBe(true);
  });

  it('creates indexes with the temporary rewrites and keeps the originals', async () => {
    const users = await indexesByName(destinationClient, 'shop', 'users');
    expect(users.email_1.unique).toBeUndefined();
    expect(users.seen_1.expireAfterSeconds).toBe(2147483647);
    expect(users['email_1_seen_-1'].hidden).toBeUndefined();
    const stored = await destinationClient.db('__c2c_sync_internal').collection('catalog').findOne({ coll: 'users' });
    expect(stored?.indexes.find((i: Document) => i.name === 'email_1').unique).toBe(true);
  });

  it('creates the capped collection at the sync size and the view with its pipeline', async () => {
    const infos = await destinationClient.db('shop').listCollections().toArray();
    const events = infos.find((i) => i.name === 'events') as Document;
    expect(events.options.capped).toBe(true);
    expect(events.options.size).toBeGreaterThan(4096 * 4);
    const view = infos.find((i) => i.name === 'big_orders') as Document;
    expect(view.type).toBe('view');
    expect(view.options).toMatchObject({ viewOn: 'orders', pipeline: [{ $match: { qty: { $gte: 5 } } }] });
  });

  it('is idempotent: a second run resumes and copies nothing again', async () => {
    const run = await runSync(['start', '--config', configFile, '--once', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ resumed: true, documentsCopied: 0 });
  });

  it('refuses a destination holding another migration', async () => {
    const other = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'id: other\n');
    const run = await runSync(['start', '--config', other, '--once']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('PREFLIGHT-2006');
  });
});
