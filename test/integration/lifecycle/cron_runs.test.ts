/**
 * Cron-driven migrations: `sync start --once` run after run with seeded writes of every kind in between (inserts,
 * updates, replacements, deletes, upserts, transactions, collections created, dropped and renamed, indexes built and
 * dropped: test/tools/workload.ts), each run catching up with the source; and a holder killed with SIGKILL, whose
 * lease keeps the next run out until it expires, after which that run takes over and resumes.
 *
 * Two overlapping runs, and an expired lease of a holder that never existed, are in copy/lease.test.ts; a kill in
 * the middle of the copy is in copy/resume_after_kill.test.ts.
 */
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { startMigrationPair, rawDocuments, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import { ensureBuilt, spawnCli } from '../../tools/built_cli.js';
import { itEmbedded } from '../../tools/deployments.js';
import { randomFor, TEST_SEED } from '../../tools/random.js';
import { seedDocuments, workloadOperation, WORKLOAD_DB, type WorkloadState } from '../../tools/workload.js';
import type { AnyDocument } from '../../tools/documents.js';

const RUNS = 10;
const OPERATIONS_PER_ROUND = 40;
const PRELOADED = 200;
/**
 * Documents of a collection that every round updates at once: more change events than one read batch of the change
 * stream (1,000), so that a run stopping after its first batch would leave the destination behind.
 */
const BULK = 1_200;

function expectOk(run: CliRun, what: string): void {
  if (run.code !== 0 || run.stderr !== '') throw new Error(`${what} exited ${run.code}: ${run.stdout}${run.stderr}`);
}

/** Collection names of the workload database (the internal and system ones aside). */
async function collectionNames(client: MongoClient): Promise<string[]> {
  const names = (await client.db(WORKLOAD_DB).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  return names.filter((n) => !n.startsWith('system.')).sort();
}

/** Every document of every collection, as exact bytes, per collection: equal on both sides once caught up. */
async function snapshot(client: MongoClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of await collectionNames(client)) out[name] = await rawDocuments(client, WORKLOAD_DB, name);
  return out;
}

describe('ten cron runs of sync start --once with writes in between', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
  });

  afterAll(() => pair?.stop());

  it(`each run catches up with the source (seed ${TEST_SEED})`, async () => {
    const { sourceClient, destinationClient } = pair;
    // The workload's bookkeeping, kept across rounds, so that one seeded sequence of operations spans all of them.
    const state: WorkloadState = { ids: new Map(), extra: [], counter: 10_000_000, renames: 0, ddl: true, counts: {} };
    for (const name of ['orders', 'users', 'events']) {
      const docs = seedDocuments(name, PRELOADED);
      await sourceClient.db(WORKLOAD_DB).collection(name).insertMany(docs);
      state.ids.set(name, docs.map((d) => d._id as unknown));
    }
    await sourceClient.db(WORKLOAD_DB).createCollection('hot');
    await sourceClient.db(WORKLOAD_DB).collection<AnyDocument>('bulk').insertMany(Array.from({ length: BULK }, (_, i) => ({ _id: i, round: 0 })));
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, `id: cron\nincludeNamespaces: ["${WORKLOAD_DB}.*"]\nlogging:\n  level: warn\n`);

    const first = await runSync(['start', '--config', config, '--once', '--json']);
    expectOk(first, 'the first sync start --once');
    expect(JSON.parse(first.stdout)).toMatchObject({ state: 'RUNNING', phase: 'copied', documentsCopied: 3 * PRELOADED + BULK });

    // The summary's eventsApplied counts this run's events; totalEventsApplied the migration's so far.
    let appliedBefore = JSON.parse(first.stdout).totalEventsApplied as number;
    let operation = 0;
    for (let run = 1; run <= RUNS; run++) {
      for (const end = operation + OPERATIONS_PER_ROUND; operation < end; operation++) {
        await workloadOperation(sourceClient, randomFor(operation, TEST_SEED), operation, state);
      }
      await sourceClient.db(WORKLOAD_DB).collection<AnyDocument>('bulk').updateMany({}, { $set: { round: run } });
      const result = await runSync(['start', '--config', config, '--once', '--json']);
      expectOk(result, `sync start --once #${run}`);
      const summary = JSON.parse(result.stdout);
      expect({ run, ...summary }).toMatchObject({ run, state: 'RUNNING', resumed: true, documentsCopied: 0, committed: false });
      expect({ run, appliedThisRun: summary.eventsApplied > BULK }).toEqual({ run, appliedThisRun: true });
      expect(summary.totalEventsApplied - appliedBefore).toBe(summary.eventsApplied);
      appliedBefore = summary.totalEventsApplied;
      // Caught up: every source change made before the run is on the destination, byte for byte.
      const [source, destination] = [await snapshot(sourceClient), await snapshot(destinationClient)];
      expect({ run, collections: Object.keys(destination) }).toEqual({ run, collections: Object.keys(source) });
      for (const name of Object.keys(source)) {
        expect({ run, name, documents: destination[name] }).toEqual({ run, name, documents: source[name] });
      }
    }
    // The seeded sequence did exercise the kinds of writes a cron interval collects.
    for (const kind of ['insert', 'update', 'delete', 'replace', 'transaction']) expect(state.counts[kind] ?? 0).toBeGreaterThan(0);
    expect((state.counts.createOrDrop ?? 0) + (state.counts.rename ?? 0) + (state.counts.index ?? 0)).toBeGreaterThan(0);
    const verify = await runSync(['verify', '--config', config]);
    expect({ code: verify.code, stdout: verify.stdout, stderr: verify.stderr }).toMatchObject({ code: 0 });
  }, 120_000);
});

describe('a sync start killed with SIGKILL', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    ensureBuilt();
    pair = await startMigrationPair({ source: { noopIntervalMs: 200 }, destination: { noopIntervalMs: 200 } });
    const docs: AnyDocument[] = [];
    for (let i = 0; i < 1000; i++) docs.push({ _id: i, n: i });
    await pair.sourceClient.db('killed').collection<AnyDocument>('items').insertMany(docs);
  }, 120_000);

  afterAll(() => pair?.stop());

  const leases = () => pair.destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('leases');
  const items = (client: MongoClient) => client.db('killed').collection<AnyDocument>('items');

  // White-box: the lease document's expiry is moved to stand in for the 30 s a real cron interval would wait.
  itEmbedded('keeps the next run out until its lease expires; the run after that takes over and resumes', async () => {
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'id: killed\nincludeNamespaces: [killed.items]\nlogging:\n  level: warn\n');
    const child = spawnCli(['start', '--config', config], { cwd: path.dirname(config) });
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // Killed while applying changes, after the write below has arrived (so it really was driving the migration).
      await items(pair.sourceClient).insertOne({ _id: 'before-kill' });
      const deadline = Date.now() + 60_000;
      while ((await items(pair.destinationClient).countDocuments({ _id: 'before-kill' })) === 0) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`sync start did not apply the write: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const lease = await leases().findOne({ _id: 'killed' });
    expect(lease).toMatchObject({ host: os.hostname(), pid: child.pid });
    expect((lease?.expiresAt as Date).getTime()).toBeGreaterThan(Date.now());

    await items(pair.sourceClient).insertOne({ _id: 'after-kill' });
    const blocked = await runSync(['start', '--config', config, '--once']);
    expectOk(blocked, 'sync start --once while the dead holder’s lease lasts');
    expect(blocked.stdout).toContain(`already running on ${os.hostname()} (pid ${child.pid})`);
    expect(await items(pair.destinationClient).countDocuments({ _id: 'after-kill' })).toBe(0);

    await leases().updateOne({ _id: 'killed' }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const takeover = await runSync(['start', '--config', config, '--once', '--json']);
    expectOk(takeover, 'sync start --once after the lease expired');
    expect(JSON.parse(takeover.stdout)).toMatchObject({ state: 'RUNNING', resumed: true, documentsCopied: 0 });
    expect(JSON.parse(takeover.stdout).eventsApplied).toBeGreaterThan(0);
    expect(await items(pair.destinationClient).countDocuments({ _id: 'after-kill' })).toBe(1);
    expect(await leases().countDocuments({ _id: 'killed' })).toBe(0);
    expect(await rawDocuments(pair.destinationClient, 'killed', 'items')).toEqual(await rawDocuments(pair.sourceClient, 'killed', 'items'));
    const verify = await runSync(['verify', '--config', config]);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0 });
  }, 120_000);
});
