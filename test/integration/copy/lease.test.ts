import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig } from '../../tools/run_cli.js';
import { ensureBuilt, spawnCli } from '../../tools/built_cli.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Cron safety: one process drives a migration at a time; a dead holder's lease expires. */
describe('sync start --once and the migration lease', () => {
  let pair: MigrationPair;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;

  beforeAll(async () => {
    ensureBuilt();
    pair = await startMigrationPair();
    ({ sourceClient, destinationClient } = pair);
    const docs: Document[] = [];
    for (let i = 0; i < 20_000; i++) docs.push({ _id: i, p: 'x'.repeat(400) });
    await sourceClient.db('lease').collection('items').insertMany(docs);
  }, 120_000);

  afterAll(() => pair?.stop());

  const leases = () => destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('leases');

  it('leaves a live lease of another process alone and exits 0 saying where it runs', async () => {
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'id: live\nlogging:\n  level: error\n');
    await leases().insertOne({ _id: 'live', holder: 'elsewhere:4242:x', host: 'elsewhere', pid: 4242, acquiredAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
    const run = await runSync(['start', '--config', config, '--once']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('already running on elsewhere (pid 4242)');
    expect(await destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('migrations').countDocuments({ _id: 'live' })).toBe(0);
    await leases().deleteOne({ _id: 'live' });
  });

  it('takes over an expired lease and completes', async () => {
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'id: stale\nincludeNamespaces: [lease.items]\nlogging:\n  level: error\n');
    await leases().insertOne({ _id: 'stale', holder: 'dead:1:x', host: 'dead', pid: 1, acquiredAt: new Date(0), expiresAt: new Date(Date.now() - 1000) });
    const run = await runSync(['start', '--config', config, '--once', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ phase: 'copied', documentsCopied: 20_000 });
    // Released at the end, so that the next cron run need not wait for an expiry.
    expect(await leases().countDocuments({ _id: 'stale' })).toBe(0);
    await destinationClient.db('lease').dropDatabase();
    await destinationClient.db('__c2c_sync_internal').dropDatabase();
  });

  it('lets only one of two overlapping runs work; the other exits 0', async () => {
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
    const run = () => {
      const child = spawnCli(['start', '--config', config, '--once'], { cwd: path.dirname(config) });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (c) => (stdout += c));
      child.stderr?.on('data', (c) => (stderr += c));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
    };
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const messages = results.map((r) => r.stdout).sort();
    expect(messages.filter((m) => m.includes('already running on')).length).toBe(1);
    expect(messages.filter((m) => m.includes('Copy complete')).length).toBe(1);
    expect(await destinationClient.db('lease').collection('items').countDocuments()).toBe(20_000);
  }, 120_000);
});
