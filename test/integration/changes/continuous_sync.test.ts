import {
  Decimal128, Double, Int32, Long, MongoClient, ObjectId, type Document, type Filter, type Timestamp,
} from 'mongodb';
import { Writable } from 'node:stream';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { randomFor, randomInt, TEST_SEED, type Random } from '../../tools/random.js';
import { createClusterClients, type ClusterClients } from '../../../src/topology/clients.js';
import { currentClusterTime } from '../../../src/topology/deployment.js';
import { createLogger } from '../../../src/log/logger.js';
import { CheckpointStore } from '../../../src/state/checkpoint_store.js';
import { startChangeApplication, type ChangeApplication } from '../../../src/changes/change_application.js';

/**
 * Continuous sync on two servers: a seeded random workload on the source (part of it before the application starts,
 * so that its updates are looked up after later deletes and renames, part while it runs), then catch-up and a byte
 * for byte comparison; then restarts from the stored checkpoint and from T0 (a full replay) compare equal again.
 */
const OPERATIONS = 1500;
const SYNCED_DBS = ['shop', 'crm'];

const silent = process.env.C2C_TEST_LOG
  ? createLogger({ level: 'debug', format: 'json' })
  : createLogger({ level: 'error', format: 'json', stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });

async function rawDocuments(client: MongoClient, db: string, coll: string): Promise<string[]> {
  const docs = await client.db(db).collection(coll).find({}, { raw: true, sort: { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}

async function snapshot(client: MongoClient): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const db of SYNCED_DBS) {
    const collections = await client.db(db).listCollections({}, { nameOnly: true }).toArray();
    for (const { name } of collections.sort((a, b) => a.name.localeCompare(b.name))) {
      const indexes = await client.db(db).collection(name).listIndexes().toArray();
      out[`${db}.${name}`] = {
        documents: await rawDocuments(client, db, name),
        indexes: indexes.map((i) => `${i.name}:${JSON.stringify(i.key)}`).sort(),
      };
    }
  }
  return out;
}

function makeDocument(random: Random, id: unknown): Document {
  const doc: Document = {
    _id: id,
    qty: new Int32(randomInt(random, 100)),
    price: new Double(Math.round(random() * 10000) / 100),
    big: Long.fromString(`${9007199254740993 + randomInt(random, 1000)}`),
    dec: Decimal128.fromString(`${randomInt(random, 1000)}.10`),
    tags: Array.from({ length: randomInt(random, 5) }, (_, i) => `t${i}`),
    nested: { a: new Int32(1), b: { c: 'x'.repeat(randomInt(random, 20)) } },
  };
  // Integer-like keys keep their order only when documents stay raw bytes.
  if (random() < 0.3) doc.years = new Map<string, unknown>([['2024', new Int32(1)], ['10', 2], ['b', 3]]);
  return doc;
}

/** A filter by an `_id` of any type (the driver's typings expect an ObjectId). */
function byId(id: unknown): Filter<Document> {
  return { _id: id } as Filter<Document>;
}

interface Workload {
  ids: Map<string, number>;
  counter: number;
  renames: number;
}

/** One seeded random operation on the source. */
async function operation(source: MongoClient, index: number, state: Workload): Promise<void> {
  const random = randomFor(index);
  const shop = source.db('shop');
  const colls = ['orders', 'users', 'items'];
  const coll = colls[randomInt(random, colls.length)];
  const collection = shop.collection(coll);
  const pickId = () => {
    const n = state.ids.get(coll) ?? 0;
    return n === 0 ? 0 : randomInt(random, n);
  };
  const roll = random();
  if (roll < 0.25) {
    const id = state.ids.get(coll) ?? 0;
    state.ids.set(coll, id + 1);
    await collection.insertOne(makeDocument(random, id));
  } else if (roll < 0.45) {
    const updates: Document[] = [
      { $set: { qty: new Int32(randomInt(random, 100)), 'nested.b.c': `v${index}` } },
      { $unset: { price: '' } },
      { $inc: { qty: new Int32(1), counter: Long.fromNumber(2) } },
      { $push: { tags: { $each: [`p${index}`, `q${index}`], $slice: -3 } } },
      { $pull: { tags: 't0' } },
      { $set: { [`f${randomInt(random, 5)}`]: new ObjectId() } },
    ];
    await collection.updateOne(byId(pickId()), updates[randomInt(random, updates.length)]);
  } else if (roll < 0.55) {
    await collection.replaceOne(byId(pickId()), makeDocument(random, 0), { upsert: false }).catch(() => undefined);
  } else if (roll < 0.62) {
    await collection.deleteOne(byId(pickId()));
  } else if (roll < 0.85) {
    // The hot document: many updates of one document.
    await shop.collection('hot').updateOne(
      byId('hot'),
      { $inc: { n: new Int32(1) }, $set: { [`k${randomInt(random, 8)}`]: index }, $push: { last: { $each: [index], $slice: -5 } } } as Document,
      { upsert: true },
    );
  } else if (roll < 0.88) {
    await source.db('crm').collection('contacts').updateOne(byId(randomInt(random, 20)), { $set: { seen: new Date(index) } }, { upsert: true });
  } else if (roll < 0.9) {
    // Not synced: must never reach the destination.
    await source.db('logs').collection('entries').insertOne({ index });
  } else if (roll < 0.93) {
    const name = `tmp${randomInt(random, 3)}`;
    const exists = (await shop.listCollections({ name }).toArray()).length > 0;
    if (exists) await shop.collection(name).drop();
    else {
      await shop.createCollection(name);
      await shop.collection(name).insertMany([{ _id: 1, index }, { _id: 2, index }] as Document[]);
    }
  } else if (roll < 0.96) {
    const indexes = await collection.listIndexes().toArray();
    if (indexes.some((i) => i.name === 'qty_1')) await collection.dropIndex('qty_1');
    else await collection.createIndex({ qty: 1 }, { name: 'qty_1' });
  } else if (roll < 0.97 && state.renames < 3) {
    // A collection filled, updated, then renamed: its update events are read after the rename.
    const name = `staged${state.renames++}`;
    await shop.collection(name).insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 1, arr: [1, 2, 3, 4] }] as Document[]);
    await shop.collection(name).updateOne(byId(1), { $set: { v: 2 }, $unset: { missing: '' } });
    await shop.collection(name).updateOne(byId(2), { $push: { arr: { $each: [], $slice: 2 } }, $inc: { v: new Int32(5) } } as Document);
    await shop.collection(name).rename(`renamed${state.renames}`);
  } else {
    await shop.collection('items').updateMany({ qty: { $lt: new Int32(10) } }, { $set: { low: true } });
  }
}

describe('continuous change application', () => {
  let source: TestDeployment;
  let destination: TestDeployment;
  let clients: ClusterClients;
  let t0: Timestamp;
  const migrationId = 'changes-it';

  const start = (checkpoint?: Awaited<ReturnType<CheckpointStore['load']>>): ChangeApplication =>
    startChangeApplication({
      source: clients.source,
      destination: clients.destination,
      migrationId,
      filter: { excludeNamespaces: [{ database: 'logs' }] },
      buildIndexes: 'afterDataCopy',
      t0,
      checkpoint,
      checkpoints: new CheckpointStore(clients.destination),
      logger: silent,
      now: () => new Date(),
      options: { writers: 4, maxQueuedWrites: 300, maxBatchWrites: 40, readBatchSize: 200, maxAwaitTimeMs: 100, checkpointIntervalMs: 200 },
    });

  beforeAll(async () => {
    source = await sourceDeployment();
    destination = await destinationDeployment();
    clients = createClusterClients(source.uri, destination.uri);
    await clients.source.connect();
    await clients.destination.connect();
    for (const client of [clients.source, clients.destination]) {
      for (const name of ['orders', 'users', 'items', 'hot']) await client.db('shop').createCollection(name);
      await client.db('crm').createCollection('contacts');
    }
    t0 = await currentClusterTime(clients.source);
  }, 60_000);

  afterAll(async () => {
    await clients?.close();
    await source?.stop();
    await destination?.stop();
  });

  it('applies a random workload and leaves the destination equal byte for byte', async () => {
    const state: Workload = { ids: new Map(), counter: 0, renames: 0 };
    try {
      // A backlog written before the application starts: every update is looked up after the whole backlog.
      for (let i = 0; i < OPERATIONS / 3; i++) await operation(clients.source, i, state);
      const run = start();
      for (let i = Math.floor(OPERATIONS / 3); i < OPERATIONS; i++) await operation(clients.source, i, state);
      await run.caughtUpTo(await currentClusterTime(clients.source));
      expect(await snapshot(clients.destination)).toEqual(await snapshot(clients.source));
      expect(await clients.destination.db('logs').listCollections().toArray()).toEqual([]);
      expect(run.status().eventsApplied).toBeGreaterThan(OPERATIONS / 2);
      await run.stop();
    } catch (error) {
      throw new Error(`seed ${TEST_SEED}: ${(error as Error).message}`, { cause: error });
    }
  }, 120_000);

  it('keeps the destination equal when restarted from the stored checkpoint', async () => {
    const stored = await new CheckpointStore(clients.destination).load(migrationId);
    expect(stored).toBeDefined();
    const run = start(stored);
    await clients.source.db('shop').collection('hot').updateOne(byId('hot'), { $inc: { n: new Int32(1) } });
    await run.caughtUpTo(await currentClusterTime(clients.source));
    expect(await snapshot(clients.destination)).toEqual(await snapshot(clients.source));
    await run.stop();
  }, 60_000);

  it('replays the whole stream from T0 onto the synced destination without changing it', async () => {
    const before = await snapshot(clients.source);
    const run = start(undefined);
    await run.caughtUpTo(await currentClusterTime(clients.source));
    expect(await snapshot(clients.destination)).toEqual(before);
    await run.stop();
  }, 120_000);
});
