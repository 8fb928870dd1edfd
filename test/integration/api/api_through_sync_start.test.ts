/**
 * The HTTP API as an operator meets it: served by a continuous `sync start` on the configured `api.port`, over real
 * HTTP (node's fetch). Progress with mongosync's fields up to canCommit, pause and a refused second pause, resume,
 * /metrics consistent with the progress, /healthz, and a commit through the API that reaches COMMITTED.
 *
 * The migration is reversible (sourceAndDestination), so that the process keeps serving after COMMITTED (it waits
 * for a reverse); with the default settings it would exit at COMMITTED and close the API.
 */
import { createServer } from 'node:net';
import type { Document } from 'mongodb';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import { parsePrometheusText, sampleValue } from '../../tools/api_fixtures.js';
import { eventually } from '../../tools/polling.js';
import type { AnyDocument } from '../../tools/documents.js';

const DB = 'apistart';

/** A port nothing listens on now: the kernel's pick for port 0, released again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the HTTP API of a continuous sync start', () => {
  let pair: MigrationPair;
  let config: string;
  let base: string;
  let interrupt: AbortController;
  let running: Promise<CliRun> | undefined;

  beforeAll(async () => {
    pair = await startMigrationPair({ source: { noopIntervalMs: 200 }, destination: { noopIntervalMs: 200 } });
    const docs: AnyDocument[] = [];
    for (let i = 0; i < 2000; i++) docs.push({ _id: i, email: `u${i}@example.com`, pad: 'p'.repeat(100) });
    await pair.sourceClient.db(DB).collection<AnyDocument>('users').insertMany(docs);
    await pair.sourceClient.db(DB).collection('users').createIndex({ email: 1 }, { unique: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    config = await writeSyncConfig(
      pair.source.uri, pair.destination.uri,
      `id: api-through-start\nincludeNamespaces: ["${DB}.*"]\nenableUserWriteBlocking: sourceAndDestination\nreversible: true\n` +
        `api:\n  port: ${port}\nlogging:\n  level: warn\n`,
    );
    interrupt = new AbortController();
    running = runSync(['start', '--config', config], { signal: interrupt.signal });
  }, 60_000);

  afterAll(async () => {
    interrupt?.abort();
    const run = await running;
    if (run !== undefined && run.code !== 0 && run.code !== 130) console.error(`sync start exited ${run.code}: ${run.stderr}`);
    // A real deployment must not stay write-blocked for the next test.
    for (const client of [pair.sourceClient, pair.destinationClient]) {
      await client.db('admin').command({ setUserWriteBlockMode: 1, global: false }).catch(() => undefined);
    }
    await pair?.stop();
  });

  const progress = async (): Promise<Document> => {
    const response = await fetch(`${base}/api/v1/progress`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { success: boolean; progress: Document };
    expect(body.success).toBe(true);
    return body.progress;
  };
  const post = async (action: string): Promise<Document> => {
    const response = await fetch(`${base}/api/v1/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(200);
    return (await response.json()) as Document;
  };
  const statusState = async (): Promise<string> => {
    const run = await runSync(['status', '--config', config, '--json']);
    if (run.code !== 0) throw new Error(`sync status exited ${run.code}: ${run.stderr}`);
    return (JSON.parse(run.stdout) as { progress: Document }).progress.state as string;
  };

  it('serves progress with mongosync’s fields until canCommit', async () => {
    await eventually('the API to answer', async () => (await fetch(`${base}/healthz`)).ok);
    const first = await progress();
    expect(first).toEqual(expect.objectContaining({
      state: expect.stringMatching(/^(RUNNING|PAUSED|COMMITTING|COMMITTED|REVERSING|FAILED|INITIALIZING|IDLE)$/),
      canCommit: expect.any(Boolean),
      canWrite: false,
      info: expect.any(String),
      totalEventsApplied: expect.any(Number),
      collectionCopy: { estimatedCopiedBytes: expect.any(Number), documentsCopied: expect.any(Number) },
      directionMapping: { Source: expect.any(String), Destination: expect.any(String) },
    }));
    expect(first).toHaveProperty('lagTimeSeconds');
    expect(first.lagTimeSeconds === null || typeof first.lagTimeSeconds === 'number').toBe(true);
    // A write after the copy travels as a change event, so totalEventsApplied must grow.
    await eventually('the copy to finish', async () => (await progress()).phase === 'copied');
    await pair.sourceClient.db(DB).collection<AnyDocument>('users').insertOne({ _id: 'late', email: 'late@example.com' });
    await eventually('canCommit', async () => {
      const p = await progress();
      return p.canCommit === true && (p.totalEventsApplied as number) > 0;
    });
    const ready = await progress();
    expect(ready).toMatchObject({ state: 'RUNNING', canWrite: false, collectionCopy: { documentsCopied: 2000 } });
    expect(typeof ready.lagTimeSeconds).toBe('number');
    expect(ready.lagTimeSeconds).toBeLessThan(30);
  }, 90_000);

  it('pauses, and refuses a second pause with STATE-3001', async () => {
    expect(await post('pause')).toEqual({ success: true });
    expect(await statusState()).toBe('PAUSED');
    expect((await progress()).canCommit).toBe(false);
    const again = await post('pause');
    expect(again).toMatchObject({ success: false, error: 'STATE-3001' });
    expect(again.errorDescription).toContain('Only a RUNNING migration can be paused');
  }, 60_000);

  it('serves /metrics consistent with the progress (read while paused, when nothing moves)', async () => {
    const before = await progress();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const { samples } = parsePrometheusText(await response.text());
    const after = await progress();
    expect(after.totalEventsApplied).toBe(before.totalEventsApplied);
    expect(sampleValue(samples, 'c2c_sync_progress_available')).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'PAUSED' })).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'RUNNING' })).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_events_applied_total')).toBe(before.totalEventsApplied);
    expect(sampleValue(samples, 'c2c_sync_copied_documents_total')).toBe(before.collectionCopy.documentsCopied);
    expect(sampleValue(samples, 'c2c_sync_copied_bytes_total')).toBe(before.collectionCopy.estimatedCopiedBytes);
    expect(sampleValue(samples, 'c2c_sync_copied_documents_total')).toBe(2000);
    const partitions = (before.namespaces as { partitions: number }[]).reduce((n, ns) => n + ns.partitions, 0);
    expect(sampleValue(samples, 'c2c_sync_partitions', { status: 'done' })).toBe(partitions);
    expect(sampleValue(samples, 'c2c_sync_partitions', { status: 'pending' })).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_can_commit')).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_can_write')).toBe(0);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  }, 60_000);

  it('resumes, then commits through the API to COMMITTED', async () => {
    expect(await post('resume')).toEqual({ success: true });
    expect(await statusState()).toBe('RUNNING');
    await pair.sourceClient.db(DB).collection<AnyDocument>('users').updateOne({ _id: 1 }, { $set: { resumed: true } });
    await eventually('canCommit after resume', async () => (await progress()).canCommit === true);
    expect(await post('commit')).toEqual({ success: true });
    await eventually('COMMITTED', async () => (await progress()).state === 'COMMITTED');
    const done = await progress();
    expect(done).toMatchObject({ state: 'COMMITTED', canWrite: true, canCommit: false });
    expect(await statusState()).toBe('COMMITTED');
    // The update made after the resume was drained before the commit completed.
    expect(await pair.destinationClient.db(DB).collection<AnyDocument>('users').findOne({ _id: 1 })).toMatchObject({ resumed: true });
    const { samples } = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'COMMITTED' })).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_can_write')).toBe(1);
    // Once committed, a second commit is refused in the envelope.
    expect(await post('commit')).toMatchObject({ success: false, error: 'STATE-3001' });
  }, 90_000);
});
