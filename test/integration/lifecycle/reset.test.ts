import { PassThrough } from 'node:stream';
import { MongoClient, type ObjectId } from 'mongodb';
import { runCli } from '../../../src/cli/main.js';
import type { CliContext } from '../../../src/cli/cli_context.js';
import { INTERNAL_COLLECTIONS, INTERNAL_DB } from '../../../src/state/internal_db.js';
import { LeaseStore } from '../../../src/state/lease_store.js';
import { MigrationStore } from '../../../src/state/migration_store.js';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig, type CliRun } from '../../tools/run_cli.js';
import { usingRealDeployments } from '../../tools/deployments.js';
import { startServer, type RunningServer } from '../../harness/server.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents of one migration in every internal collection, by collection name. */
async function internalCounts(client: MongoClient, migrationId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of Object.values(INTERNAL_COLLECTIONS)) {
    counts[name] = await client.db(INTERNAL_DB).collection<{ _id: string | ObjectId; migrationId?: string }>(name).countDocuments({ $or: [{ _id: migrationId }, { migrationId }] });
  }
  return counts;
}

/** `sync <args>` in-process with a terminal on stdin that answers `answer`. */
async function runSyncOnTerminal(args: readonly string[], answer: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.end(`${answer}\n`);
  const context: CliContext = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
    logLevel: undefined,
  };
  const code = await runCli(args, context);
  return { code, stdout, stderr };
}

async function collectionNames(client: MongoClient, db: string): Promise<string[]> {
  return (await client.db(db).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
}

/** `sync reset` through the CLI: what it deletes, what it keeps, and when it refuses. */
describe('sync reset', () => {
  let pair: MigrationPair;
  let config: string;

  beforeAll(async () => {
    pair = await startMigrationPair();
    const docs: AnyDocument[] = [];
    for (let i = 0; i < 500; i++) docs.push({ _id: i, n: i, text: 'x'.repeat(50) });
    const app = pair.sourceClient.db('app');
    await app.collection<AnyDocument>('items').insertMany(docs);
    await app.collection('items').createIndex({ n: 1 }, { unique: true });
    await app.collection<AnyDocument>('other').insertMany([{ _id: 'a' }, { _id: 'b' }]);
    await app.createCollection('cheap', { viewOn: 'items', pipeline: [{ $match: { n: { $lt: 10 } } }] });
    config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'logging:\n  level: error\n');
    const first = await runSync(['start', '--config', config, '--once']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
  }, 120_000);

  afterAll(() => pair?.stop());

  const migrationCount = () => pair.destinationClient.db(INTERNAL_DB).collection<AnyDocument>('migrations').countDocuments({ _id: 'default' });

  it('refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const before = await internalCounts(pair.destinationClient, 'default');
    const run = await runSync(['reset', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('UsageError [CLI-1001]');
    expect(run.stderr).toContain('standard input is not one');
    expect(run.stderr).toContain('pass --yes');
    expect(await internalCounts(pair.destinationClient, 'default')).toEqual(before);
  });

  it('names the migrations the destination holds when the configured id is not one of them (STATE-3004)', async () => {
    const run = await runSync(['reset', '--config', config, '--id', 'nope', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('StateError [STATE-3004]: The destination holds no migration "nope" (it holds migration "default")');
    expect(await migrationCount()).toBe(1);
  });

  it('refuses while another process holds the lease (STATE-3001), and changes nothing', async () => {
    const leases = new LeaseStore(pair.destinationClient);
    const holder = { _id: 'default', holder: 'elsewhere:4242:x', host: 'elsewhere', pid: 4242 };
    expect(await leases.tryAcquire(holder, new Date(), 60_000)).toEqual({ acquired: true });
    const before = await internalCounts(pair.destinationClient, 'default');
    try {
      const run = await runSync(['reset', '--config', config, '--yes', '--drop-destination-data']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('StateError [STATE-3001]: Migration "default" is being driven by elsewhere (pid 4242)');
      expect(run.stderr).toContain('hint: Stop that process first');
      expect(await internalCounts(pair.destinationClient, 'default')).toEqual(before);
      expect(await collectionNames(pair.destinationClient, 'app')).toEqual(['cheap', 'items', 'other', 'system.views']);
      // The other process's lease is untouched.
      expect(await leases.get('default')).toMatchObject({ holder: 'elsewhere:4242:x' });
    } finally {
      await leases.release('default', holder.holder);
    }
  });

  it('refuses to drop the destination data of a COMMITTED migration, the live database', async () => {
    const migrations = new MigrationStore(pair.destinationClient);
    await migrations.update('default', { state: 'COMMITTED' }, new Date());
    const before = await internalCounts(pair.destinationClient, 'default');
    try {
      const run = await runSync(['reset', '--config', config, '--yes', '--drop-destination-data']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('StateError [STATE-3001]: Refusing to drop the destination\'s data of migration "default": it is COMMITTED');
      expect(run.stderr).toContain('would destroy the live database');
      expect(run.stderr).toContain('without --drop-destination-data');
      expect(await internalCounts(pair.destinationClient, 'default')).toEqual(before);
      expect(await pair.destinationClient.db('app').collection('items').countDocuments()).toBe(500);
    } finally {
      await migrations.update('default', { state: 'RUNNING' }, new Date());
    }
  });

  it('asks on a terminal, and does nothing unless the migration id is typed', async () => {
    const before = await internalCounts(pair.destinationClient, 'default');
    const run = await runSyncOnTerminal(['reset', '--config', config], 'yes');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Resetting migration "default" (state RUNNING) on the destination');
    expect(run.stderr).toContain('keep the 3 namespace(s) it created on the destination (app.cheap, app.items, app.other)');
    expect(run.stderr).toContain('Type the migration id (default) to confirm: ');
    expect(run.stderr).toContain('UsageError [CLI-1001]: Reset of migration "default" cancelled');
    expect(await internalCounts(pair.destinationClient, 'default')).toEqual(before);
  });

  it('forgets the migration once confirmed and keeps the data; start then refuses the non-empty destination', async () => {
    const before = await internalCounts(pair.destinationClient, 'default');
    expect(before).toMatchObject({ migrations: 1, catalog: 3, changeCheckpoints: 1 });
    expect(before.partitions).toBeGreaterThan(0);
    const run = await runSyncOnTerminal(['reset', '--config', config], 'default');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Migration "default" reset (it was RUNNING).');
    expect(run.stdout).toContain(`removed from __c2c_sync_internal: partitions ${before.partitions}, catalog 3, changeCheckpoints 1`);
    expect(run.stdout).toContain('migrations 1');
    expect(run.stdout).toContain('dropped on the destination: nothing');
    expect(run.stdout).toContain('The destination still holds user databases (app): `sync start` will refuse it');
    expect(Object.values(await internalCounts(pair.destinationClient, 'default')).every((n) => n === 0)).toBe(true);
    expect(await pair.destinationClient.db('app').collection('items').countDocuments()).toBe(500);
    expect(await collectionNames(pair.destinationClient, 'app')).toEqual(['cheap', 'items', 'other', 'system.views']);

    const start = await runSync(['start', '--config', config, '--once']);
    expect(start.code).toBe(3);
    expect(start.stderr).toContain('PREFLIGHT-2005');
    // A second reset has nothing left to forget.
    const again = await runSync(['reset', '--config', config, '--yes']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('STATE-3004');
  }, 60_000);

  it('with --drop-destination-data drops only the namespaces the migration created; start then begins afresh', async () => {
    await pair.destinationClient.db('app').dropDatabase();
    const start = await runSync(['start', '--config', config, '--once', '--json']);
    expect(start.code).toBe(0);
    // Data the migration did not create: a collection next to its own, and a database of its own.
    await pair.destinationClient.db('app').collection<AnyDocument>('handmade').insertOne({ _id: 1 });
    await pair.destinationClient.db('mine').collection<AnyDocument>('notes').insertOne({ _id: 1 });

    const run = await runSync(['reset', '--config', config, '--drop-destination-data', '--yes', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      cancelled: false,
      migrationId: 'default',
      previousState: 'RUNNING',
      droppedNamespaces: ['app.cheap', 'app.items', 'app.other'],
      liftedWriteBlocks: ['destination'],
      warnings: [],
      remainingUserDatabases: ['app', 'mine'],
    });
    expect(result.removed).toMatchObject({ migrations: 1, catalog: 3, changeCheckpoints: 1, controlRequests: 0 });
    expect(Object.values(await internalCounts(pair.destinationClient, 'default')).every((n) => n === 0)).toBe(true);
    // The database keeps its (empty) view catalog: it is not the migration's alone.
    expect(await collectionNames(pair.destinationClient, 'app')).toEqual(['handmade', 'system.views']);
    expect(await pair.destinationClient.db('mine').collection('notes').countDocuments()).toBe(1);

    await pair.destinationClient.db('app').dropDatabase();
    await pair.destinationClient.db('mine').dropDatabase();
    const fresh = await runSync(['start', '--config', config, '--once', '--json']);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ resumed: false, documentsCopied: 502 });
    expect((await runSync(['verify', '--config', config])).code).toBe(0);
  }, 120_000);

  it('leaves an empty destination when the migration wrote everything on it, so start begins afresh', async () => {
    const run = await runSync(['reset', '--config', config, '--drop-destination-data', '--yes']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('dropped on the destination: app.cheap, app.items, app.other, app.system.views');
    expect(run.stdout).toContain('user write block lifted on the destination');
    expect(run.stdout).toContain('The destination holds no user data: `sync start` with this configuration starts the migration from scratch.');
    const { databases } = await pair.destinationClient.db('admin').command({ listDatabases: 1, nameOnly: true });
    expect((databases as { name: string }[]).map((d) => d.name)).not.toContain('app');

    const fresh = await runSync(['start', '--config', config, '--once', '--json']);
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ resumed: false, documentsCopied: 502 });
    expect((await runSync(['verify', '--config', config])).code).toBe(0);
  }, 120_000);

  it('removes what remains of a migration whose document is gone, and drops nothing (its state is unknown)', async () => {
    await pair.destinationClient.db(INTERNAL_DB).collection<AnyDocument>('migrations').deleteOne({ _id: 'default' });
    const before = await internalCounts(pair.destinationClient, 'default');
    expect(before.partitions).toBeGreaterThan(0);
    const run = await runSync(['reset', '--config', config, '--drop-destination-data', '--yes', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({
      previousState: null, droppedNamespaces: [], liftedWriteBlocks: [], remainingUserDatabases: ['app'],
      removed: { migrations: 0, partitions: before.partitions, catalog: 3 },
    });
    expect(Object.values(await internalCounts(pair.destinationClient, 'default')).every((n) => n === 0)).toBe(true);
    expect(await pair.destinationClient.db('app').collection('items').countDocuments()).toBe(500);
  });
});

/** Write blocks the migration set are lifted, on the sides its state says; a side the reset cannot reach is a warning. */
(usingRealDeployments ? describe.skip : describe)('sync reset and user write blocking', () => {
  const ROOT = { user: 'sync', password: 'sync-password', roles: ['root'] };
  const APP = { user: 'app', password: 'app-password', roles: ['readWrite@app'] };
  // No backup role: it grants setUserWriteBlockMode (for mongosync).
  const READER = { user: 'reader', password: 'reader-password', roles: ['clusterMonitor', 'readAnyDatabase'] };
  let source: RunningServer;
  let destination: RunningServer;
  const uriAs = (server: RunningServer, user: { user: string; password: string }) =>
    server.uri.replace('mongodb://', `mongodb://${user.user}:${user.password}@`) + '&authSource=admin';
  const clients: MongoClient[] = [];
  const connect = async (server: RunningServer, user: { user: string; password: string }) => {
    const client = await MongoClient.connect(uriAs(server, user), { serverSelectionTimeoutMS: 5000 });
    clients.push(client);
    return client;
  };
  const blocked = async (client: MongoClient) => {
    try {
      await client.db('app').collection('probe').insertOne({});
      return false;
    } catch (error) {
      if ((error as { code?: number }).code === 371) return true;
      throw error;
    }
  };

  beforeEach(async () => {
    source = await startServer({ users: [ROOT, APP, READER] });
    destination = await startServer({ users: [ROOT, APP] });
    await (await connect(source, ROOT)).db('app').collection<AnyDocument>('items').insertMany([{ _id: 1 }, { _id: 2 }]);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await source.stop();
    await destination.stop();
  });

  it('lifts the destination block of a running migration', async () => {
    const config = await writeSyncConfig(uriAs(source, ROOT), uriAs(destination, ROOT), 'logging:\n  level: error\n');
    expect((await runSync(['start', '--config', config, '--once'])).code).toBe(0);
    const destinationRoot = await connect(destination, ROOT);
    await destinationRoot.db('admin').command({ setUserWriteBlockMode: 1, global: true });
    const app = await connect(destination, APP);
    expect(await blocked(app)).toBe(true);
    const run = await runSync(['reset', '--config', config, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('user write block lifted on the destination');
    expect(await blocked(app)).toBe(false);
  });

  it('after a commit with sourceAndDestination, lifts the source block and leaves the opened destination alone', async () => {
    const config = await writeSyncConfig(
      uriAs(source, ROOT), uriAs(destination, ROOT), 'enableUserWriteBlocking: sourceAndDestination\nlogging:\n  level: error\n',
    );
    expect((await runSync(['start', '--config', config, '--once'])).code).toBe(0);
    const destinationRoot = await connect(destination, ROOT);
    await new MigrationStore(destinationRoot).update('default', { state: 'COMMITTED', commit: { startedAt: new Date(), fromBlocked: true, completedAt: new Date() } }, new Date());
    await (await connect(source, ROOT)).db('admin').command({ setUserWriteBlockMode: 1, global: true });
    // Set by someone else after the commit opened the destination: not the migration's to lift.
    await destinationRoot.db('admin').command({ setUserWriteBlockMode: 1, global: true });
    const run = await runSync(['reset', '--config', config, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('user write block lifted on the source');
    expect(run.stdout).not.toContain('lifted on the destination');
    expect(await blocked(await connect(source, APP))).toBe(false);
    expect(await blocked(await connect(destination, APP))).toBe(true);
  });

  it('warns, with the command to run, when the source user may not lift the block, and still resets', async () => {
    const config = await writeSyncConfig(
      uriAs(source, READER), uriAs(destination, ROOT), 'enableUserWriteBlocking: sourceAndDestination\nlogging:\n  level: error\n',
    );
    // Started with a source user that may block writes; reset with one that may not.
    const startConfig = await writeSyncConfig(
      uriAs(source, ROOT), uriAs(destination, ROOT), 'enableUserWriteBlocking: sourceAndDestination\nlogging:\n  level: error\n',
    );
    expect((await runSync(['start', '--config', startConfig, '--once'])).code).toBe(0);
    const destinationRoot = await connect(destination, ROOT);
    await new MigrationStore(destinationRoot).update('default', { state: 'COMMITTED', commit: { startedAt: new Date(), fromBlocked: true, completedAt: new Date() } }, new Date());
    const run = await runSync(['reset', '--config', config, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warning: Could not lift the user write block on the source');
    expect(run.stdout).toContain('run db.adminCommand({setUserWriteBlockMode: 1, global: false}) on the source');
    expect(Object.values(await internalCounts(destinationRoot, 'default')).every((n) => n === 0)).toBe(true);
  });
});
