import path from 'node:path';
import type { Document } from 'mongodb';
import { ensureBuilt, spawnCli } from '../../tools/built_cli.js';
import { runSync, writeSyncConfig } from '../../tools/run_cli.js';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { itEmbedded } from '../../tools/deployments.js';
import { randomFor, randomInt } from '../../tools/random.js';
import type { AnyDocument } from '../../tools/documents.js';

/**
 * `sync start --once` as cron runs it: copy, then apply the source's changes until caught up, exit 0; each later
 * run applies what happened since. `sync verify` judges equality after each run.
 */
describe('sync start --once with changes between runs', () => {
  let pair: MigrationPair;
  let config: string;

  beforeAll(async () => {
    pair = await startMigrationPair();
    const docs: Document[] = [];
    for (let i = 0; i < 2000; i++) docs.push({ _id: i, n: i, tags: ['a'], nested: { '10': 1, '2': 2, x: 'y' } });
    await pair.sourceClient.db('app').collection('items').insertMany(docs);
    await pair.sourceClient.db('app').collection('items').createIndex({ n: 1 }, { unique: true, sparse: true });
    config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
  });

  afterAll(() => pair?.stop());

  /** A seeded burst of writes of every kind on the source. */
  async function writeBurst(round: number): Promise<void> {
    const items = pair.sourceClient.db('app').collection<AnyDocument>('items');
    const random = randomFor(1000 + round);
    for (let k = 0; k < 60; k++) {
      const id = randomInt(random, 2500);
      switch (randomInt(random, 6)) {
        case 0: await items.updateOne({ _id: id }, { $set: { n: 100_000 + round * 1000 + k, at: new Date(0) } }); break;
        case 1: await items.updateOne({ _id: id }, { $unset: { tags: 1 }, $inc: { hits: 1 } }); break;
        case 2: await items.updateOne({ _id: id }, { $push: { tags: `r${round}` } as AnyDocument }); break;
        case 3: await items.replaceOne({ _id: id }, { replaced: round, nested: { '7': 1, b: 2 } }, { upsert: true }); break;
        case 4: await items.deleteOne({ _id: id }); break;
        default: await items.insertOne({ _id: `r${round}-${k}`, kind: 'new' }); break;
      }
    }
    await items.updateOne({ _id: 1 }, { $inc: { hot: 1 } });
    await pair.sourceClient.db('app').collection<AnyDocument>(`round${round}`).insertOne({ _id: round });
  }

  it('catches up after writes, run after run, and verify finds both sides equal', async () => {
    const first = await runSync(['start', '--config', config, '--once', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (let round = 1; round <= 4; round++) {
      await writeBurst(round);
      const run = await runSync(['start', '--config', config, '--once', '--json']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout)).toMatchObject({ resumed: true, documentsCopied: 0 });
      expect(JSON.parse(run.stdout).eventsApplied).toBeGreaterThan(0);
      const verify = await runSync(['verify', '--config', config]);
      expect({ round, code: verify.code, stdout: verify.stdout }).toMatchObject({ round, code: 0 });
    }
    const status = await runSync(['status', '--config', config, '--json']);
    expect(status.code).toBe(0);
    const { progress } = JSON.parse(status.stdout);
    expect(progress).toMatchObject({ state: 'RUNNING', phase: 'copied', info: 'change event application', runningOn: null, canCommit: false });
    expect(progress.totalEventsApplied).toBeGreaterThan(0);
    expect(progress.lagTimeSeconds).toEqual(expect.any(Number));
    expect(progress.collectionCopy.documentsCopied).toBe(2000);
    const text = await runSync(['status', '--config', config]);
    expect(text.stdout).toContain('Migration "default": RUNNING (change event application)');
    expect(text.stdout).toContain('app.items');
  }, 120_000);
});

describe('sync start --once when the source oplog lost the history', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    // A tiny oplog: a few hundred 1 KB writes roll it over.
    pair = await startMigrationPair({ source: { oplogSizeBytes: 64 * 1024 } });
  });

  afterAll(() => pair?.stop());

  itEmbedded('fails the migration with the oplog window explained, exit 4, and stays FAILED', async () => {
    await pair.sourceClient.db('app').collection<AnyDocument>('items').insertOne({ _id: 0 });
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
    // The copy records T0; writes then overflow the oplog before any change is applied.
    const first = await runSync(['start', '--config', config, '--once']);
    expect(first.code).toBe(0);
    const items = pair.sourceClient.db('app').collection<AnyDocument>('items');
    for (let i = 1; i <= 300; i++) await items.insertOne({ _id: i, pad: 'x'.repeat(1000) });
    const lost = await runSync(['start', '--config', config, '--once']);
    expect(lost.code).toBe(4);
    expect(lost.stderr).toContain('STATE-3002');
    expect(lost.stderr).toMatch(/oplog/i);
    const migration = await pair.destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('migrations').findOne({ _id: 'default' });
    expect(migration?.state).toBe('FAILED');
    const again = await runSync(['start', '--config', config, '--once']);
    expect(again.code).toBe(4);
    const status = await runSync(['status', '--config', config]);
    expect(status.stdout).toMatch(/FAILED[\s\S]*failure \[STATE-3002\][\s\S]*oplog/);
  }, 60_000);
});

describe('sync start (continuous) until interrupted', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
    await pair.sourceClient.db('live').collection<AnyDocument>('feed').insertMany([{ _id: 1 }, { _id: 2 }]);
  });

  afterAll(() => pair?.stop());

  it('applies writes as they happen and exits 130 on interrupt, checkpoint saved', async () => {
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
    const interrupt = new AbortController();
    const running = runSync(['start', '--config', config], { signal: interrupt.signal });
    const feed = pair.destinationClient.db('live').collection<AnyDocument>('feed');
    const waitFor = async (predicate: () => Promise<boolean>) => {
      const deadline = Date.now() + 30_000;
      while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(async () => (await feed.countDocuments()) === 2);
    await pair.sourceClient.db('live').collection<AnyDocument>('feed').insertOne({ _id: 3, late: true });
    await pair.sourceClient.db('live').collection<AnyDocument>('feed').updateOne({ _id: 1 }, { $set: { seen: true } });
    await waitFor(async () => (await feed.findOne({ _id: 1 }))?.seen === true && (await feed.countDocuments()) === 3);
    interrupt.abort();
    const run = await running;
    expect(run.code).toBe(130);
    const checkpoint = await pair.destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('changeCheckpoints').findOne({ _id: 'default' });
    expect(Number(checkpoint?.eventsApplied)).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe('sync start --once when the destination refuses a change', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
  });

  afterAll(() => pair?.stop());

  itEmbedded('fails the migration at once with the server error as the reason (exit 4), without hanging', async () => {
    await pair.sourceClient.db('app').collection<AnyDocument>('items').insertOne({ _id: 1 });
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
    expect((await runSync(['start', '--config', config, '--once'])).code).toBe(0);
    await pair.sourceClient.db('app').collection<AnyDocument>('items').insertOne({ _id: 2 });
    // Writes of the change applier go through `update` (replacement upserts); only app.items refuses them.
    await pair.destinationClient.db('admin').command({
      configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['update'], errorCode: 2, namespace: 'app.items' },
    });
    try {
      const run = await runSync(['start', '--config', config, '--once']);
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('STATE-3002');
      const migration = await pair.destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('migrations').findOne({ _id: 'default' });
      expect(migration?.state).toBe('FAILED');
      expect(migration?.failure?.message).toContain('failCommand');
    } finally {
      await pair.destinationClient.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    }
  }, 60_000);
});
