/**
 * `sync verify` after `sync start --once`: the copy and the verification agree on a source with varied BSON
 * types, `_id`s of several types, field orders an object would change (integer-like keys), the sync-time index
 * rewrites and a capped collection. Then a write on the source that the copy has not seen makes verify fail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Binary, Decimal128, Double, Int32, Long, MongoClient, ObjectId, Timestamp } from 'mongodb';
import { destinationDeployment, sourceDeployment, usingRealDeployments, type TestDeployment } from '../../tools/deployments.js';
import { randomFor, randomInt } from '../../tools/random.js';
import { runSync, type CliRun } from '../../tools/run_cli.js';

interface AnyIdDocument {
  _id: unknown;
  [field: string]: unknown;
}

let dir: string;
let source: TestDeployment;
let destination: TestDeployment;
let sourceClient: MongoClient;

function run(args: readonly string[]): Promise<CliRun> {
  return runSync(args, { cwd: dir, env: { SOURCE: source.uri, DESTINATION: destination.uri } });
}

/** Document `i`, regenerated alone from the seed: varied types, and an `_id` of one of several types. */
function makeDocument(i: number): AnyIdDocument {
  const random = randomFor(i);
  const ids = [() => i, () => `k${i}`, () => new ObjectId(i.toString(16).padStart(24, '0')), () => new Double(i + 0.5), () => ({ n: i })];
  return {
    _id: ids[i % ids.length]!(),
    int: new Int32(randomInt(random, 1000)),
    double: new Double(randomInt(random, 1000)),
    long: Long.fromNumber(randomInt(random, 1e9) * 1000),
    decimal: Decimal128.fromString(`${randomInt(random, 100)}.10`),
    binary: new Binary(Buffer.from([randomInt(random, 256), 1]), i % 2 === 0 ? 0 : 4),
    when: new Date(Date.UTC(2024, 0, 1) + randomInt(random, 1e9)),
    ts: new Timestamp({ t: 1, i }),
    byYear: { '2024': randomInt(random, 10), '1999': 1, total: 2 },
    tags: Array.from({ length: randomInt(random, 4) }, (_, j) => `t${j}`),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-verify-copy-'));
  [source, destination] = await Promise.all([sourceDeployment(), destinationDeployment()]);
  sourceClient = new MongoClient(source.uri);
  await sourceClient.db('verify_copy').dropDatabase();
  const app = sourceClient.db('verify_copy');
  await app.collection<AnyIdDocument>('items').insertMany(Array.from({ length: 1500 }, (_, i) => makeDocument(i)));
  await app.collection('items').createIndex({ int: 1, when: -1 }, { name: 'int_when', unique: false });
  await app.collection('items').createIndex({ long: 1 }, { name: 'long_1', unique: true });
  await app.collection('items').createIndex({ when: 1 }, { name: 'when_ttl', expireAfterSeconds: 86400 * 365 * 50 });
  await app.createCollection('recent', { capped: true, size: 64 * 1024, max: 20 });
  await app.collection<AnyIdDocument>('recent').insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, at: new Int32(i) })));
  await app.createCollection('recent_view', { viewOn: 'recent', pipeline: [{ $sort: { at: -1 } }] });
  await writeFile(
    path.join(dir, 'sync.yaml'),
    'id: verify_after_copy\nsource:\n  uri: ${SOURCE}\ndestination:\n  uri: ${DESTINATION}\nincludeNamespaces:\n  - verify_copy.*\n',
  );
});

afterAll(async () => {
  await sourceClient?.close();
  await Promise.all([source?.stop(), destination?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

// Against real deployments the destination may hold other migrations' state, which start refuses.
const itCopies = usingRealDeployments ? it.skip : it;

describe('sync verify after sync start --once', () => {
  itCopies('finds the copy equal, with the sync-time index forms, then finds a write the copy has not seen', async () => {
    const copied = await run(['start', '--config', 'sync.yaml', '--once']);
    expect(copied.stderr).not.toMatch(/Error \[/);
    expect(copied.code).toBe(0);

    const verified = await run(['verify', '--config', 'sync.yaml']);
    expect(verified.stderr).not.toContain('VerifyError');
    expect(verified.stdout).toContain('compared with their sync-time form (migration "verify_after_copy" is');
    expect(verified.stdout).toMatch(/verify_copy\.items\s+collection\s+1500\s+1500\s+equal\s+ok/);
    expect(verified.stdout).toMatch(/verify_copy\.recent\s+collection\s+20\s+20\s+equal\s+ok/);
    expect(verified.stdout).toMatch(/verify_copy\.recent_view\s+view\s+-\s+-\s+-\s+ok/);
    expect(verified.code).toBe(0);

    // Not committed: the original definitions (unique, TTL, capped size) are not on the destination yet.
    const asCommitted = await run(['verify', '--config', 'sync.yaml', '--committed']);
    expect(asCommitted.code).toBe(1);
    expect(asCommitted.stdout).toContain('index long_1: unique expected true, found (absent)');
    expect(asCommitted.stdout).toContain('index when_ttl: expireAfterSeconds expected 1576800000, found 2147483647');
    expect(asCommitted.stdout).toMatch(/verify_copy\.recent:\n  option size: expected \d+, found 1125899906842624\n  option max: expected 20, found \(absent\)/);

    // Document 5 has a numeric _id (see makeDocument).
    const update = await sourceClient.db('verify_copy').collection('items').updateOne({ _id: 5 as never }, { $set: { int: new Int32(-1) } });
    expect(update.modifiedCount).toBe(1);
    const afterWrite = await run(['verify', '--config', 'sync.yaml']);
    expect(afterWrite.code).toBe(1);
    expect(afterWrite.stdout).toContain('document _id {"$numberInt":"5"}: content differs (bytes)');
    // The walk covers every _id type in the server's sort order: a disagreement with it would add false samples.
    const json = await run(['verify', '--config', 'sync.yaml', '--json']);
    const items = (JSON.parse(json.stdout) as { namespaces: { ns: string; samples: unknown[] }[] }).namespaces.find(
      (n) => n.ns === 'verify_copy.items',
    );
    expect(items?.samples).toEqual([{ _id: '{"$numberInt":"5"}', difference: 'contentDiffers' }]);
  });
});
