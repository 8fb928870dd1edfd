/**
 * `sync verify` end to end: two deployments seeded through the driver with identical documents, compared by the
 * CLI run in-process. Then the destination is made to differ (a number's BSON type, a deleted document, an extra
 * index, a missing collection) and verify must report each difference and exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Double, Int32, Long, MongoClient, type Document } from 'mongodb';
import { SYNC_CAPPED_SIZE_BYTES } from '../../../src/catalog/collection_rules.js';
import { SYNC_TTL_SECONDS } from '../../../src/catalog/index_rules.js';
import { INTERNAL_DB } from '../../../src/state/internal_db.js';
import { destinationDeployment, sourceDeployment, type TestDeployment } from '../../tools/deployments.js';
import { seededRandom, TEST_SEED } from '../../tools/random.js';
import { runSync, type CliRun } from '../../tools/run_cli.js';

/** A document whose `_id` is not an ObjectId. */
interface AnyIdDocument {
  _id: unknown;
  [field: string]: unknown;
}

let dir: string;
let source: TestDeployment;
let destination: TestDeployment;
let sourceClient: MongoClient;
let destinationClient: MongoClient;

/** Databases this test owns on both sides (dropped first, so the test also runs against real deployments). */
const DATABASES = ['verify_app', 'verify_other', 'verify_sync'];
/** The migration id of the test's configurations: its migration document is the only internal state it touches. */
const MIGRATION_ID = 'verify_e2e';

function migrations() {
  return destinationClient.db(INTERNAL_DB).collection<{ _id: string; state: string }>('migrations');
}

function run(args: readonly string[], signal = new AbortController().signal): Promise<CliRun> {
  return runSync(args, { cwd: dir, env: { SOURCE: source.uri, DESTINATION: destination.uri }, signal });
}

/** The same documents on both sides, inserted in different orders (natural order must not matter). */
function usersDocuments(): AnyIdDocument[] {
  const random = seededRandom(TEST_SEED);
  return Array.from({ length: 250 }, (_, i) => ({
    _id: i,
    name: `user-${i}`,
    score: new Double(Math.floor(random() * 1000) / 8),
    visits: new Int32(Math.floor(random() * 100)),
    big: Long.fromNumber(i * 1_000_000_007),
    tags: i % 3 === 0 ? ['a', 'b'] : [],
  }));
}

async function seed(client: MongoClient, reverse: boolean): Promise<void> {
  const app = client.db('verify_app');
  // Documents with non-ObjectId `_id`s: the collections are typed loosely.
  const collection = (name: string) => app.collection<AnyIdDocument>(name);
  const users = usersDocuments();
  await collection('users').insertMany(reverse ? users.reverse() : users);
  await collection('users').createIndex({ name: 1 }, { name: 'name_1' });
  await app.createCollection('log', { capped: true, size: 64 * 1024 });
  await collection('log').insertMany([{ _id: 1, m: 'a' }, { _id: 2, m: 'b' }]);
  await collection('numbers').insertMany([{ _id: 1, n: new Int32(1) }, { _id: 2, n: new Int32(2) }]);
  await app.createCollection('active', { viewOn: 'users', pipeline: [{ $match: { visits: { $gt: 50 } } }] });
  await client.db('verify_other').collection<AnyIdDocument>('things').insertOne({ _id: 'only', nested: { a: 1, b: [1, 2] } });
}

async function writeConfig(name: string, extra = ''): Promise<void> {
  await writeFile(
    path.join(dir, name),
    `id: ${MIGRATION_ID}\nsource:\n  uri: \${SOURCE}\ndestination:\n  uri: \${DESTINATION}\nincludeNamespaces:\n  - verify_app.*\n  - verify_other.*\n${extra}`,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-verify-'));
  [source, destination] = await Promise.all([sourceDeployment(), destinationDeployment()]);
  sourceClient = new MongoClient(source.uri);
  destinationClient = new MongoClient(destination.uri);
  for (const client of [sourceClient, destinationClient]) {
    for (const db of DATABASES) await client.db(db).dropDatabase();
  }
  await seed(sourceClient, false);
  await seed(destinationClient, true);
  await writeConfig('sync.yaml');
  await writeConfig('apps_only.yaml', 'excludeNamespaces:\n  - verify_other.*\n');
  await writeFile(
    path.join(dir, 'sync_only.yaml'),
    `id: ${MIGRATION_ID}\nsource:\n  uri: \${SOURCE}\ndestination:\n  uri: \${DESTINATION}\nincludeNamespaces:\n  - verify_sync.*\n`,
  );
});

afterAll(async () => {
  await migrations().deleteOne({ _id: MIGRATION_ID });
  await Promise.all([sourceClient?.close(), destinationClient?.close()]);
  await Promise.all([source?.stop(), destination?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('sync verify', () => {
  it('exits 0 and prints a table of equal namespaces when both sides hold the same data', async () => {
    const result = await run(['verify', '--config', 'sync.yaml']);
    expect(result.stderr).not.toContain('VerifyError');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(no migration "verify_e2e" on the destination)');
    expect(result.stdout).toMatch(/verify_app\.users\s+collection\s+250\s+250\s+equal\s+ok/);
    expect(result.stdout).toMatch(/verify_app\.log\s+collection\s+2\s+2\s+equal\s+ok/);
    expect(result.stdout).toMatch(/verify_app\.active\s+view\s+-\s+-\s+-\s+ok/);
    expect(result.stdout).toMatch(/verify_other\.things\s+collection\s+1\s+1\s+equal\s+ok/);
    expect(result.stdout).toMatch(/verify_app\.numbers\s+collection\s+2\s+2\s+equal\s+ok/);
    expect(result.stdout).toContain('Result: all 5 namespaces are equal.');
  });

  it('prints the same verdict as JSON with --json', async () => {
    const result = await run(['verify', '--config', 'sync.yaml', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { equal: boolean; namespaces: { ns: string; sourceHash: string | null }[] };
    expect(report.equal).toBe(true);
    expect(report.namespaces.map((n) => n.ns)).toEqual([
      'verify_app.active',
      'verify_app.log',
      'verify_app.numbers',
      'verify_app.users',
      'verify_other.things',
    ]);
    expect(report.namespaces[3]?.sourceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares with the sync-time form when a migration is running, and the 1 PiB capped size is then expected', async () => {
    await migrations().insertOne({ _id: MIGRATION_ID, state: 'RUNNING' });
    try {
      const result = await run(['verify', '--config', 'apps_only.yaml']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('compared with their sync-time form (migration "verify_e2e" is RUNNING)');
      expect(result.stdout).toMatch(/option size: expected 1125899906842624, found \d+/);
      // The internal database is never compared as user data.
      expect(result.stdout).not.toContain(INTERNAL_DB);
      const committed = await run(['verify', '--config', 'apps_only.yaml', '--committed']);
      expect(committed.code).toBe(0);
    } finally {
      await migrations().deleteOne({ _id: MIGRATION_ID });
    }
  });

  it('accepts the sync-time rewrites while the migration runs, and reports them once it is COMMITTED', async () => {
    // The source's definitions, and the destination as the catalog step creates it while syncing.
    const src = sourceClient.db('verify_sync');
    await src.createCollection('recent', { capped: true, size: 8192 });
    await src.collection('events').createIndex({ k: 1 }, { name: 'k_1', unique: true });
    await src.collection('events').createIndex({ at: 1 }, { name: 'at_1', expireAfterSeconds: 3600 });
    const dst = destinationClient.db('verify_sync');
    await dst.createCollection('recent', { capped: true, size: SYNC_CAPPED_SIZE_BYTES });
    await dst.collection('events').createIndex({ k: 1 }, { name: 'k_1' });
    await dst.collection('events').createIndex({ at: 1 }, { name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS });
    for (const db of [src, dst]) await db.collection<AnyIdDocument>('events').insertOne({ _id: 1, k: 'a', at: new Date(0) });
    try {
      await migrations().insertOne({ _id: MIGRATION_ID, state: 'PAUSED' });
      const syncing = await run(['verify', '--config', 'sync_only.yaml']);
      expect(syncing.stdout).toContain('(migration "verify_e2e" is PAUSED)');
      expect(syncing.code).toBe(0);

      await migrations().updateOne({ _id: MIGRATION_ID }, { $set: { state: 'COMMITTED' } });
      const committed = await run(['verify', '--config', 'sync_only.yaml']);
      expect(committed.code).toBe(1);
      expect(committed.stdout).toContain('(migration "verify_e2e" is COMMITTED)');
      expect(committed.stdout).toMatch(/option size: expected 8192, found 1125899906842624/);
      expect(committed.stdout).toContain('index at_1: expireAfterSeconds expected 3600, found 2147483647');
      expect(committed.stdout).toContain('index k_1: unique expected true, found (absent)');

      // --no-committed overrides the state.
      expect((await run(['verify', '--config', 'sync_only.yaml', '--no-committed'])).code).toBe(0);
    } finally {
      await migrations().deleteOne({ _id: MIGRATION_ID });
    }
  });

  describe('once the destination differs', () => {
    beforeAll(async () => {
      const users = destinationClient.db('verify_app').collection('users');
      // Equal by value, different bytes: Int32 1 vs Double 1.0.
      const original = await sourceClient.db('verify_app').collection('users').findOne({ _id: 10 as never });
      expect(original?.visits).toBeDefined();
      await users.updateOne({ _id: 10 as never }, { $set: { visits: new Double(Number(original?.visits)) } });
      await users.deleteOne({ _id: 20 as never });
      await users.createIndex({ visits: -1 }, { name: 'visits_-1' });
      await destinationClient.db('verify_other').collection('things').drop();
      await destinationClient.db('verify_app').collection('active').drop();
      await destinationClient.db('verify_app').createCollection('active', { viewOn: 'users', pipeline: [{ $match: { visits: { $gt: 40 } } }] });
      // The only difference of this collection: same count, same values, one number stored as a Double.
      await destinationClient.db('verify_app').collection('numbers').updateOne({ _id: 2 as never }, { $set: { n: new Double(2) } });
    });

    it('exits 1 and reports the type change, the deleted document, the extra index and the missing collection', async () => {
      const result = await run(['verify', '--config', 'sync.yaml']);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/verify_app\.users\s+collection\s+250\s+249\s+DIFFERENT\s+DIFFERENT/);
      expect(result.stdout).toContain('documents: 250 on the source, 249 on the destination');
      expect(result.stdout).toContain('document _id {"$numberInt":"10"}: content differs (bytes)');
      expect(result.stdout).toContain('document _id {"$numberInt":"20"}: missing on the destination');
      expect(result.stdout).toContain('index visits_-1: only on the destination');
      expect(result.stdout).toContain('verify_other.things:\n  missing on the destination');
      expect(result.stdout).toMatch(/verify_app\.log\s+collection\s+2\s+2\s+equal\s+ok/);
      expect(result.stdout).toContain(
        'verify_app.active:\n  option pipeline: expected [{"$match":{"visits":{"$gt":50}}}], found [{"$match":{"visits":{"$gt":40}}}]',
      );
      expect(result.stdout).toContain('Result: 4 of 5 namespaces differ.');
      expect(result.stderr).toContain(
        'VerifyError [VERIFY-4001]: 4 of 5 namespaces differ between the source and the destination: ' +
          'verify_app.active, verify_app.numbers, verify_app.users, verify_other.things.',
      );
    });

    it('reports the same differences as JSON', async () => {
      const result = await run(['verify', '--config', 'sync.yaml', '--json']);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { equal: boolean; namespaces: Document[] };
      expect(report.equal).toBe(false);
      const users = report.namespaces.find((n) => n.ns === 'verify_app.users');
      expect(users).toMatchObject({
        equal: false,
        sourceCount: 250,
        destinationCount: 249,
        hashEqual: false,
        samples: [
          { _id: '{"$numberInt":"10"}', difference: 'contentDiffers' },
          { _id: '{"$numberInt":"20"}', difference: 'missingOnDestination' },
        ],
        indexDifferences: [{ name: 'visits_-1', difference: 'extraOnDestination' }],
      });
      expect(report.namespaces.find((n) => n.ns === 'verify_other.things')).toMatchObject({
        sourceKind: 'collection',
        destinationKind: null,
        sourceCount: 1,
        destinationCount: null,
      });
    });

    it('detects a number whose BSON type alone differs (equal counts, equal values)', async () => {
      const result = await run(['verify', '--config', 'apps_only.yaml']);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/verify_app\.numbers\s+collection\s+2\s+2\s+DIFFERENT\s+DIFFERENT/);
      expect(result.stdout).toContain('verify_app.numbers:\n  hash: ');
      expect(result.stdout).toContain('document _id {"$numberInt":"2"}: content differs (bytes)');
    });
  });
});

describe('sync verify failures', () => {
  it('describes its flags with --help', async () => {
    const result = await run(['verify', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--config', '--json', '--committed']) expect(result.stdout).toContain(flag);
    expect((await run(['--help'])).stdout).toContain('sync verify');
  });

  it('exits 130 when interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run(['verify', '--config', 'sync.yaml'], controller.signal);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('InterruptedError [CLI-1002]: Verification interrupted.');
    expect(result.stdout).toBe('');
  });

  it('exits 2 for an invalid configuration', async () => {
    await writeFile(path.join(dir, 'bad.yaml'), 'source:\n  uri: ${SOURCE}\n');
    const result = await run(['verify', '--config', 'bad.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[CONFIG-1005]');
  });

  it('exits 3 without printing the password when a cluster cannot be reached', async () => {
    await writeFile(
      path.join(dir, 'unreachable.yaml'),
      'source:\n  uri: ${SOURCE}\ndestination:\n  uri: mongodb://admin:hunter2@127.0.0.1:1/?serverSelectionTimeoutMS=500\n',
    );
    const result = await run(['verify', '--config', 'unreachable.yaml']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('PreflightError [PREFLIGHT-2001]: Cannot connect to the destination');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });
});
