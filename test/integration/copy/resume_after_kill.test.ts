import { MongoClient, type Document } from 'mongodb';
import { rawDocuments, startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { writeSyncConfig } from '../../tools/run_cli.js';
import { ensureBuilt, spawnCli } from '../../tools/built_cli.js';
import { randomFor, randomInt, TEST_SEED } from '../../tools/random.js';
import path from 'node:path';
import type { AnyDocument } from '../../tools/documents.js';
import { waitFor } from '../../tools/polling.js';

/**
 * kill -9 of `sync start --once` at seeded random moments of the copy, then a rerun: nothing lost, nothing
 * duplicated, finished partitions not copied again. (A killed run's lease expires; the test expires it at once.)
 */
const KILLS = 3;
const DOCUMENTS = 12_000;

async function copiedSoFar(destination: MongoClient): Promise<number> {
  const [row] = await destination.db('__c2c_sync_internal').collection('partitions')
    .aggregate([{ $group: { _id: null, n: { $sum: '$docsCopied' } } }]).toArray();
  return Number(row?.n ?? 0);
}

describe('sync start --once after kill -9', () => {
  let pair: MigrationPair;
  let sourceClient: MongoClient;
  let destinationClient: MongoClient;
  let configFile: string;

  beforeAll(async () => {
    ensureBuilt();
    pair = await startMigrationPair();
    ({ sourceClient, destinationClient } = pair);
    const docs: Document[] = [];
    for (let i = 0; i < DOCUMENTS; i++) docs.push({ _id: i, payload: 'p'.repeat(200 + randomInt(randomFor(i), 300)) });
    await sourceClient.db('load').collection('items').insertMany(docs);
    configFile = await writeSyncConfig(pair.source.uri, pair.destination.uri,
      'copy:\n  partitionSizeBytes: 1MiB\n  batchSizeBytes: 32KiB\n  parallelism: 2\nlogging:\n  level: error\n');
  }, 120_000);

  afterAll(() => pair?.stop());

  it(`resumes after ${KILLS} kills at seeded moments (seed ${TEST_SEED}) with every document copied once`, async () => {
    const random = randomFor(-1);
    let killedMidCopy = 0;
    for (let k = 0; k < KILLS; k++) {
      const before = await copiedSoFar(destinationClient);
      const target = before + 500 + randomInt(random, 2500);
      const child = spawnCli(['start', '--config', configFile, '--once'], { cwd: path.dirname(configFile) });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const reached = await waitFor(async () => (await copiedSoFar(destinationClient)) >= target, 60_000);
      const doneBeforeKill = await destinationClient.db('__c2c_sync_internal').collection('partitions').find({ status: 'done' }).toArray();
      child.kill('SIGKILL');
      await exited;
      // The killed run still holds the migration's lease for up to 30 s; stand in for that wait by expiring it.
      await destinationClient.db('__c2c_sync_internal').collection<AnyDocument>('leases').updateMany({}, { $set: { expiresAt: new Date(0) } });
      if (reached) killedMidCopy++;
      // Finished partitions keep their counts through later runs: they are never copied again.
      for (const p of doneBeforeKill) {
        const after = await destinationClient.db('__c2c_sync_internal').collection('partitions').findOne({ _id: p._id });
        expect(after?.docsCopied).toBe(p.docsCopied);
      }
    }
    expect(killedMidCopy).toBeGreaterThan(0);
    const final = spawnCli(['start', '--config', configFile, '--once'], { cwd: path.dirname(configFile) });
    let stderr = '';
    final.stderr?.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => final.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const destinationDocs = await rawDocuments(destinationClient, 'load', 'items');
    expect(destinationDocs.length).toBe(DOCUMENTS);
    expect(destinationDocs).toEqual(await rawDocuments(sourceClient, 'load', 'items'));
  }, 240_000);
});
