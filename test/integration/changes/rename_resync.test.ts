import { Writable } from 'node:stream';
import { Timestamp, type Document, type MongoClient } from 'mongodb';
import { itEmbedded } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import { loadConfig } from '../../../src/config/load_config.js';
import { prepareCollectionResync } from '../../../src/lifecycle/collection_resync.js';
import { createLogger } from '../../../src/log/logger.js';
import { ResyncStore } from '../../../src/state/resync_store.js';
import { waitFor } from '../../tools/polling.js';

/**
 * Renames that a copy may have missed documents through, through the CLI: a rename of a collection while the
 * initial copy reads it, a rename into the filtered set from outside it (during the continuous change application
 * and in a `--once` backlog, chained with a second rename), a rename out of it, each followed by writes to the
 * renamed collection. Each ends with `sync verify` finding both sides equal.
 */
const INTERNAL_DB = '__c2c_sync_internal';
const QUIET = 'logging:\n  level: error\n';

function pad(i: number): string {
  return `${i}`.padStart(6, '0');
}

async function fill(client: MongoClient, db: string, coll: string, count: number, extra: Document = {}): Promise<void> {
  const docs: AnyDocument[] = [];
  for (let i = 0; i < count; i++) docs.push({ _id: i, n: i, key: `k${pad(i)}`, ...extra });
  await client.db(db).collection<AnyDocument>(coll).insertMany(docs);
}

/** Inserts, updates, replacements and deletes on one collection (of documents `fill` wrote). */
async function writeTo(client: MongoClient, db: string, coll: string, round: number): Promise<void> {
  const c = client.db(db).collection<AnyDocument>(coll);
  // Values of their own for the keys of unique indexes.
  const added = (suffix: string, k: number): AnyDocument => ({ _id: `new-${round}-${suffix}`, round, n: 1_000_000 + round * 10 + k, key: `new-${round}-${suffix}` });
  await c.insertMany([added('a', 0), added('b', 1)]);
  await c.updateOne({ _id: 1 }, { $set: { touched: round }, $inc: { hits: 1 } });
  await c.updateOne({ _id: 2 }, { $unset: { key: '' } });
  await c.replaceOne({ _id: 3 }, { replaced: round, n: 2_000_000 + round, key: `replaced-${round}` });
  await c.deleteOne({ _id: 4 });
  await c.updateOne({ _id: `new-${round}-a` }, { $push: { tags: 'x' } as AnyDocument });
}

async function expectVerifyEqual(config: string): Promise<void> {
  const verify = await runSync(['verify', '--config', config]);
  expect({ code: verify.code, stdout: verify.stdout, stderr: verify.stderr }).toMatchObject({ code: 0, stderr: '' });
}

async function startOnce(config: string): Promise<CliRun> {
  const run = await runSync(['start', '--config', config, '--once', '--json']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run;
}

async function collectionNames(client: MongoClient, db: string): Promise<string[]> {
  return (await client.db(db).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
}

describe('a rename while the initial copy reads the collection', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
    const docs: AnyDocument[] = [];
    for (let i = 0; i < 4_000; i++) docs.push({ _id: i, n: i, pad: 'p'.repeat(300) });
    await pair.sourceClient.db('shop').collection<AnyDocument>('items').insertMany(docs);
    await pair.sourceClient.db('shop').collection('items').createIndex({ n: 1 }, { unique: true });
  }, 120_000);

  afterAll(() => pair?.stop());

  itEmbedded('copies the renamed collection again, and later writes to it reach the destination', async () => {
    // Slow the copy's inserts down so that the rename surely lands while the copy is reading.
    await pair.destinationClient.db('admin').command({
      configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['insert'], blockConnection: true, blockTimeMS: 50, namespace: 'shop.items' },
    });
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri,
      `copy:\n  partitionSizeBytes: 1MiB\n  batchSizeBytes: 16KiB\n  parallelism: 1\n${QUIET}`);
    const running = runSync(['start', '--config', config, '--once', '--json']);
    try {
      const partitions = pair.destinationClient.db(INTERNAL_DB).collection<AnyDocument>('partitions');
      expect(await waitFor(async () => (await partitions.countDocuments({ docsCopied: { $gt: 0 } })) > 0, 30_000)).toBe(true);
      expect(await partitions.countDocuments({ status: { $ne: 'done' } })).toBeGreaterThan(0);
      await pair.sourceClient.db('shop').collection('items').rename('items_renamed');
      // Writes after the rename, while the copy still runs: events of the renamed collection after the rename.
      await writeTo(pair.sourceClient, 'shop', 'items_renamed', 1);
    } finally {
      await pair.destinationClient.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    }
    const run = await running;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await collectionNames(pair.destinationClient, 'shop')).toEqual(['items_renamed']);
    await expectVerifyEqual(config);

    // The resynced collection's original catalog is recorded for commit, and its resync for later runs.
    const internal = pair.destinationClient.db(INTERNAL_DB);
    const catalog = await internal.collection<AnyDocument>('catalog').findOne({ _id: 'default/shop.items_renamed' });
    expect(catalog?.indexes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'n_1', unique: true })]));
    expect(await internal.collection<AnyDocument>('resyncs').findOne({ _id: 'default/shop.items_renamed' })).toMatchObject({ db: 'shop', coll: 'items_renamed' });

    // Writes after the resync, then another run: the renamed collection keeps following the source.
    await writeTo(pair.sourceClient, 'shop', 'items_renamed', 2);
    await startOnce(config);
    await expectVerifyEqual(config);
  }, 120_000);
});

describe('a rename into the filtered set from outside it', () => {
  let pair: MigrationPair;
  let config: string;

  beforeAll(async () => {
    pair = await startMigrationPair();
    await fill(pair.sourceClient, 'shop', 'orders', 500);
    await fill(pair.sourceClient, 'shop', 'staging', 800, { batch: 1 });
    await pair.sourceClient.db('shop').collection('staging').createIndex({ key: 1 }, { unique: true });
    await pair.sourceClient.db('shop').collection('staging').createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    config = await writeSyncConfig(pair.source.uri, pair.destination.uri, `excludeNamespaces:\n  - shop.staging\n  - shop.scratch\n${QUIET}`);
    await startOnce(config);
    expect(await collectionNames(pair.destinationClient, 'shop')).toEqual(['orders']);
  }, 120_000);

  afterAll(() => pair?.stop());

  it('copies the collection during the continuous change application, then follows its writes', async () => {
    const abort = new AbortController();
    const running = runSync(['start', '--config', config], { signal: abort.signal });
    try {
      await writeTo(pair.sourceClient, 'shop', 'orders', 1);
      await pair.sourceClient.db('shop').collection('staging').rename('live');
      await writeTo(pair.sourceClient, 'shop', 'live', 1);
      const source = pair.sourceClient.db('shop').collection<AnyDocument>('live');
      const destination = pair.destinationClient.db('shop').collection<AnyDocument>('live');
      const expected = await source.countDocuments();
      expect(await waitFor(async () => (await destination.countDocuments()) === expected
        && (await destination.findOne({ _id: 1 }))?.touched === 1, 30_000)).toBe(true);
    } finally {
      abort.abort();
      await running;
    }
    await startOnce(config);
    expect(await collectionNames(pair.destinationClient, 'shop')).toEqual(['live', 'orders']);
    await expectVerifyEqual(config);
  }, 120_000);

  it('copies a collection renamed in, then renamed again before the run reads either rename (a --once backlog)', async () => {
    await fill(pair.sourceClient, 'shop', 'scratch', 600);
    await pair.sourceClient.db('shop').collection('scratch').createIndex({ key: 1 });
    await pair.sourceClient.db('shop').collection('scratch').rename('stage2');
    await writeTo(pair.sourceClient, 'shop', 'stage2', 2);
    // The resync of stage2 reads after this rename: it finds no stage2, and the rename that follows resyncs final.
    await pair.sourceClient.db('shop').collection('stage2').rename('final');
    await writeTo(pair.sourceClient, 'shop', 'final', 3);
    await startOnce(config);
    const names = await collectionNames(pair.destinationClient, 'shop');
    expect(names).toContain('final');
    expect(names).not.toContain('stage2');
    expect(await pair.destinationClient.db('shop').collection('final').countDocuments()).toBe(await pair.sourceClient.db('shop').collection('final').countDocuments());
    await expectVerifyEqual(config);
  }, 120_000);

  itEmbedded('remembers a resync across a restart of the change application (read back from the resync store)', async () => {
    await fill(pair.sourceClient, 'shop', 'scratch', 600);
    await pair.sourceClient.db('shop').collection('scratch').rename('stage3');
    await writeTo(pair.sourceClient, 'shop', 'stage3', 5);
    await pair.sourceClient.db('shop').collection('stage3').rename('final3');
    await writeTo(pair.sourceClient, 'shop', 'final3', 6);
    // The run resyncs stage3 (finding nothing: it is final3 by then), checkpoints, then fails once on the way to
    // resyncing final3; the retried run starts after the first rename with only the stored resync to go by.
    await pair.destinationClient.db('admin').command({
      configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['drop'], namespace: 'shop.final3', errorCode: 91 },
    });
    let entered: unknown;
    try {
      await startOnce(config);
    } finally {
      entered = (await pair.destinationClient.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' })).count;
    }
    expect(entered).toBe(1);
    expect(await pair.destinationClient.db('shop').collection('final3').countDocuments()).toBe(await pair.sourceClient.db('shop').collection('final3').countDocuments());
    await expectVerifyEqual(config);
  }, 120_000);

  it('drops a collection renamed out of the filtered set, and a plain rename inside it moves the documents', async () => {
    await pair.sourceClient.db('shop').collection('live').rename('staging');
    await pair.sourceClient.db('shop').collection('final').rename('archive');
    await writeTo(pair.sourceClient, 'shop', 'archive', 4);
    await writeTo(pair.sourceClient, 'shop', 'staging', 4);
    await startOnce(config);
    const names = await collectionNames(pair.destinationClient, 'shop');
    expect(names).toEqual(expect.arrayContaining(['archive', 'orders']));
    expect(names).not.toEqual(expect.arrayContaining(['live']));
    expect(names).not.toEqual(expect.arrayContaining(['final']));
    await expectVerifyEqual(config);
  }, 120_000);
});

describe('prepareCollectionResync', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
  });

  afterAll(() => pair?.stop());

  it('gives the translation the resyncs stored by earlier runs along with the initial copy', async () => {
    const file = await writeSyncConfig(pair.source.uri, pair.destination.uri, QUIET);
    const config = await loadConfig({ path: file, env: {} });
    await new ResyncStore(pair.destinationClient).save(config.id, { db: 'shop', coll: 'live' }, new Timestamp({ t: 50, i: 2 }), new Date());
    const logger = createLogger({ level: 'error', format: 'json', stream: new Writable({ write: (_c, _e, done) => done() }) });
    const initialCopy = { namespaces: new Set(['shop.orders']), endedAt: new Timestamp({ t: 10, i: 1 }) };
    const wiring = await prepareCollectionResync(
      { source: pair.sourceClient, destination: pair.destinationClient, config, logger, now: () => new Date() }, initialCopy,
    );
    expect(wiring.initialCopy.namespaces).toBe(initialCopy.namespaces);
    expect(wiring.initialCopy.endedAt).toEqual(initialCopy.endedAt);
    expect([...(wiring.initialCopy.resynced ?? new Map())]).toEqual([['shop.live', new Timestamp({ t: 50, i: 2 })]]);
  });
});
