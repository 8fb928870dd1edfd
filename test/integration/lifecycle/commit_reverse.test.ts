/**
 * The cut-over through the CLI, on embedded servers with authentication (a sync user with root, an application
 * user with readWrite on `app`), because user write blocking only binds users without bypassWriteBlockingMode (as
 * on mongod, a server without auth lets every client bypass it):
 *
 * start (continuous) -> application writes during the copy and after -> commit: the source refuses the
 * application's writes, the destination takes them, its indexes equal the source's again, verify is equal ->
 * reverse: the destination's writes reach the source -> commit again: the source is back in charge.
 */
import { MongoClient, type Document } from 'mongodb';
import { startServer, type RunningServer } from '../../harness/server.js';
import { usingRealDeployments } from '../../tools/deployments.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import type { AnyDocument } from '../../tools/documents.js';
import { eventually } from '../../tools/polling.js';

const ROOT = { user: 'sync', password: 'sync-password', roles: ['root'] };
const APP = { user: 'app', password: 'app-password', roles: ['readWrite@app'] };
const USER_WRITES_BLOCKED = 371;
const DUPLICATE_KEY = 11000;

const uriAs = (server: RunningServer, user: { user: string; password: string }) =>
  server.uri.replace('mongodb://', `mongodb://${user.user}:${user.password}@`) + '&authSource=admin';

async function writeError(write: Promise<unknown>): Promise<number | undefined> {
  try {
    await write;
    return undefined;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === undefined) throw error;
    return code;
  }
}

/** listIndexes without the format version, sorted by name: what commit must make equal on both sides. */
async function indexSpecs(client: MongoClient, coll: string): Promise<Document[]> {
  const specs = await client.db('app').collection(coll).listIndexes().toArray();
  return specs.map(({ v: _v, ...spec }) => spec).sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

async function statusOf(config: string): Promise<Document> {
  const run = await runSync(['status', '--config', config, '--json']);
  if (run.code !== 0) throw new Error(`sync status failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { progress: Document }).progress;
}

function expectOk(run: CliRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stdout}${run.stderr}`);
}

(usingRealDeployments ? describe.skip : describe)('sync commit and sync reverse with user write blocking', () => {
  let source: RunningServer;
  let destination: RunningServer;
  const clients: MongoClient[] = [];
  const connect = async (server: RunningServer, user: typeof ROOT) => {
    const client = await MongoClient.connect(uriAs(server, user), { serverSelectionTimeoutMS: 5000 });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    source = await startServer({ users: [ROOT, APP], noopIntervalMs: 200 });
    destination = await startServer({ users: [ROOT, APP], noopIntervalMs: 200 });
    const app = (await connect(source, ROOT)).db('app');
    const docs: AnyDocument[] = [];
    for (let i = 0; i < 3000; i++) docs.push({ _id: i, email: `user${i}@example.com`, n: i, createdAt: new Date(), pad: 'p'.repeat(200) });
    await app.collection<AnyDocument>('users').insertMany(docs);
    await app.collection('users').createIndex({ email: 1 }, { unique: true });
    await app.collection('users').createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600 });
    await app.collection('users').createIndex({ n: 1 }, { hidden: true });
    await app.createCollection('events', { capped: true, size: 65536, max: 100 });
    await app.collection<AnyDocument>('events').insertMany([{ _id: 1, kind: 'boot' }, { _id: 2, kind: 'ready' }]);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await source.stop();
    await destination.stop();
  });

  it('commits with a running sync start, then reverses and commits back', async () => {
    const config = await writeSyncConfig(
      uriAs(source, ROOT), uriAs(destination, ROOT),
      'enableUserWriteBlocking: sourceAndDestination\nreversible: true\nlogging:\n  level: warn\n',
    );
    const sourceApp = (await connect(source, APP)).db('app').collection<AnyDocument>('users');
    const destinationApp = (await connect(destination, APP)).db('app').collection<AnyDocument>('users');
    const sourceRoot = await connect(source, ROOT);
    const destinationRoot = await connect(destination, ROOT);

    const interrupt = new AbortController();
    const running = runSync(['start', '--config', config], { signal: interrupt.signal });
    try {
      // Application writes during the copy and after it.
      for (let i = 3000; i < 3100; i++) await sourceApp.insertOne({ _id: i, email: `late${i}@example.com`, n: i, createdAt: new Date() });
      await eventually('the copy to finish', async () => (await statusOf(config)).phase === 'copied');
      await sourceApp.updateMany({ _id: { $lt: 50 } }, { $set: { renamed: true } });
      await sourceApp.deleteMany({ _id: { $gte: 3090 } });
      // The destination belongs to the migration until commit.
      expect(await writeError(destinationApp.insertOne({ _id: 'intruder' }))).toBe(USER_WRITES_BLOCKED);
      await eventually('canCommit', async () => (await statusOf(config)).canCommit === true);

      const commit = await runSync(['commit', '--config', config, '--json']);
      expectOk(commit, 'sync commit');
      expect(JSON.parse(commit.stdout)).toMatchObject({ state: 'COMMITTED', direction: 'forward', carriedOutBy: 'runningProcess' });

      expect(await writeError(sourceApp.insertOne({ _id: 'after-commit' }))).toBe(USER_WRITES_BLOCKED);
      expect(await writeError(destinationApp.insertOne({ _id: 'on-destination', email: 'new@example.com', n: -1 }))).toBeUndefined();
      for (const coll of ['users', 'events']) {
        expect(await indexSpecs(destinationRoot, coll)).toEqual(await indexSpecs(sourceRoot, coll));
      }
      expect(await writeError(destinationApp.insertOne({ _id: 'dup', email: 'user1@example.com' }))).toBe(DUPLICATE_KEY);
      const [events] = await destinationRoot.db('app').listCollections({ name: 'events' }).toArray() as Document[];
      expect(events?.options).toMatchObject({ capped: true, max: 100 });
      expect(Number(events?.options.size)).toBeLessThan(1024 ** 2);
      await destinationApp.deleteOne({ _id: 'on-destination' });
      expectOk(await runSync(['verify', '--config', config]), 'sync verify after commit');

      // Reverse: the destination's writes now travel back to the write-blocked source.
      const reverse = await runSync(['reverse', '--config', config, '--json']);
      expectOk(reverse, 'sync reverse');
      expect(JSON.parse(reverse.stdout)).toMatchObject({ state: 'RUNNING', direction: 'reverse', carriedOutBy: 'runningProcess' });
      // The old source holds the sync-time rewrites now: a duplicate could arrive while events are reordered.
      expect((await indexSpecs(sourceRoot, 'users')).find((s) => s.name === 'email_1')?.unique).toBeUndefined();
      await destinationApp.insertOne({ _id: 'written-after-commit', email: 'fresh@example.com', n: 1 });
      await destinationApp.updateOne({ _id: 7 }, { $set: { n: 700 } });
      await eventually('the destination write to reach the source', async () =>
        (await sourceRoot.db('app').collection<AnyDocument>('users').findOne({ _id: 7 }))?.n === 700 &&
        (await sourceRoot.db('app').collection<AnyDocument>('users').countDocuments({ _id: 'written-after-commit' })) === 1);
      expect(await writeError(sourceApp.insertOne({ _id: 'still-blocked' }))).toBe(USER_WRITES_BLOCKED);
      await eventually('canCommit in reverse', async () => (await statusOf(config)).canCommit === true);

      const back = await runSync(['commit', '--config', config, '--json']);
      expectOk(back, 'sync commit (reverse)');
      expect(JSON.parse(back.stdout)).toMatchObject({ state: 'COMMITTED', direction: 'reverse' });
      expect(await writeError(sourceApp.insertOne({ _id: 'source-in-charge' }))).toBeUndefined();
      expect(await writeError(destinationApp.insertOne({ _id: 'destination-blocked' }))).toBe(USER_WRITES_BLOCKED);
      expect(await indexSpecs(sourceRoot, 'users')).toEqual(await indexSpecs(destinationRoot, 'users'));
      await sourceApp.deleteOne({ _id: 'source-in-charge' });
      expectOk(await runSync(['verify', '--config', config]), 'sync verify after the reverse commit');
    } finally {
      interrupt.abort();
      await running;
    }
  }, 180_000);

  it('commits without a running process (destinationOnly): the command catches up and commits itself', async () => {
    const config = await writeSyncConfig(uriAs(source, ROOT), uriAs(destination, ROOT), 'logging:\n  level: warn\n');
    const sourceApp = (await connect(source, APP)).db('app').collection<AnyDocument>('users');
    const destinationApp = (await connect(destination, APP)).db('app').collection<AnyDocument>('users');
    expectOk(await runSync(['start', '--config', config, '--once']), 'sync start --once');
    expect(await writeError(destinationApp.insertOne({ _id: 'intruder' }))).toBe(USER_WRITES_BLOCKED);
    await sourceApp.insertOne({ _id: 'between-runs', email: 'between@example.com', n: 5 });
    // The migration cannot be reversed: it was not configured reversible.
    const commit = await runSync(['commit', '--config', config]);
    expectOk(commit, 'sync commit');
    expect(commit.stdout).toContain('is COMMITTED (the commit was carried out by this command)');
    expect(await destinationApp.countDocuments({ _id: 'between-runs' })).toBe(1);
    // destinationOnly: the source was never blocked; the destination is open now.
    expect(await writeError(sourceApp.insertOne({ _id: 'source-open' }))).toBeUndefined();
    await sourceApp.deleteOne({ _id: 'source-open' });
    expect(await writeError(destinationApp.insertOne({ _id: 'dup', email: 'user2@example.com' }))).toBe(DUPLICATE_KEY);
    expectOk(await runSync(['verify', '--config', config]), 'sync verify');
    const reverse = await runSync(['reverse', '--config', config]);
    expect(reverse.code).toBe(2);
    expect(reverse.stderr).toContain('STATE-3001');
    expect(reverse.stderr).toContain('not configured as reversible');
    // A rerun of the cron job after the commit does nothing and says so.
    const again = await runSync(['start', '--config', config, '--once', '--json']);
    expectOk(again, 'sync start --once after commit');
    expect(JSON.parse(again.stdout)).toMatchObject({ state: 'COMMITTED' });
  });
});

describe('sync pause, resume and the refusals of the state machine', () => {
  let source: RunningServer;
  let destination: RunningServer;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;

  beforeEach(async () => {
    source = await startServer({ noopIntervalMs: 200 });
    destination = await startServer({ noopIntervalMs: 200 });
    sourceClient = await MongoClient.connect(source.uri);
    destinationClient = await MongoClient.connect(destination.uri);
    await sourceClient.db('app').collection<AnyDocument>('items').insertMany([{ _id: 1 }, { _id: 2 }]);
  });

  afterEach(async () => {
    await sourceClient.close();
    await destinationClient.close();
    await source.stop();
    await destination.stop();
  });

  const items = (client: MongoClient) => client.db('app').collection<AnyDocument>('items');

  it('pauses and resumes without a running process; a paused cron run applies nothing', async () => {
    const config = await writeSyncConfig(source.uri, destination.uri, 'logging:\n  level: warn\n');
    expectOk(await runSync(['start', '--config', config, '--once']), 'start');
    const pause = await runSync(['pause', '--config', config, '--json']);
    expectOk(pause, 'pause');
    expect(JSON.parse(pause.stdout)).toMatchObject({ state: 'PAUSED', carriedOutBy: 'thisCommand' });
    await items(sourceClient).insertOne({ _id: 3 });
    const paused = await runSync(['start', '--config', config, '--once', '--json']);
    expectOk(paused, 'start while paused');
    expect(JSON.parse(paused.stdout)).toMatchObject({ state: 'PAUSED', eventsApplied: 0 });
    expect(await items(destinationClient).countDocuments({ _id: 3 })).toBe(0);
    const again = await runSync(['pause', '--config', config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Only a RUNNING migration can be paused');
    const commit = await runSync(['commit', '--config', config]);
    expect(commit.code).toBe(2);
    expect(commit.stderr).toContain('PAUSED');
    expectOk(await runSync(['resume', '--config', config]), 'resume');
    expectOk(await runSync(['start', '--config', config, '--once']), 'start after resume');
    expect(await items(destinationClient).countDocuments({ _id: 3 })).toBe(1);
  });

  it('pauses and resumes a running process, which stops applying while paused', async () => {
    const config = await writeSyncConfig(source.uri, destination.uri, 'logging:\n  level: warn\n');
    const interrupt = new AbortController();
    const running = runSync(['start', '--config', config], { signal: interrupt.signal });
    try {
      await eventually('change application', async () => (await statusOf(config).catch(() => ({}) as Document)).info === 'change event application');
      // --no-wait returns once the process accepted the request, which it does once it stopped applying.
      const pause = await runSync(['pause', '--config', config, '--no-wait']);
      expectOk(pause, 'pause');
      expect(pause.stdout).toContain('The pause request was accepted by the running `sync start` process; the migration is PAUSED.');
      const applied = (await statusOf(config)).totalEventsApplied as number;
      await items(sourceClient).insertOne({ _id: 'while-paused' });
      // Still paused after the running process has had several polls to notice anything.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await items(destinationClient).countDocuments({ _id: 'while-paused' })).toBe(0);
      expect((await statusOf(config)).totalEventsApplied).toBe(applied);
      const resume = await runSync(['resume', '--config', config, '--json']);
      expectOk(resume, 'resume');
      expect(JSON.parse(resume.stdout)).toMatchObject({ state: 'RUNNING' });
      await eventually('the paused write to arrive', async () => (await items(destinationClient).countDocuments({ _id: 'while-paused' })) === 1);
    } finally {
      interrupt.abort();
      await running;
    }
  });

  it('refuses a commit before the copy is done, and names a wrong migration id', async () => {
    const config = await writeSyncConfig(source.uri, destination.uri, 'logging:\n  level: warn\n');
    expectOk(await runSync(['start', '--config', config, '--once']), 'start');
    await destinationClient.db('__c2c_sync_internal').collection<{ _id: string }>('migrations').updateOne({ _id: 'default' }, { $set: { phase: 'copying' } });
    const commit = await runSync(['commit', '--config', config]);
    expect(commit.code).toBe(2);
    expect(commit.stderr).toContain('STATE-3001');
    expect(commit.stderr).toContain('initial copy is not finished');
    const wrongId = await runSync(['pause', '--config', config, '--id', 'other']);
    expect(wrongId.code).toBe(2);
    expect(wrongId.stderr).toContain('STATE-3004');
  });

  it('abandons a commit while writes keep arriving on a source it does not block (none)', async () => {
    const config = await writeSyncConfig(source.uri, destination.uri, 'enableUserWriteBlocking: none\nlogging:\n  level: warn\n');
    expectOk(await runSync(['start', '--config', config, '--once']), 'start');
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await items(sourceClient).insertOne({ _id: `w${i}` });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    let commit: CliRun;
    try {
      commit = await runSync(['commit', '--config', config]);
    } finally {
      writing = false;
      await writer;
    }
    expect(commit.code).toBe(2);
    expect(commit.stderr).toContain('STATE-3005');
    expect((await statusOf(config)).state).toBe('RUNNING');
    // Once the writes stop, the commit goes through.
    expectOk(await runSync(['commit', '--config', config]), 'commit after the writes stopped');
    expectOk(await runSync(['verify', '--config', config]), 'verify');
  });
});
