import { Int32, type Document } from 'mongodb';
import { startMigrationPair, type MigrationPair } from '../../tools/migration_pair.js';
import { runSync, writeSyncConfig } from '../../tools/run_cli.js';

/**
 * The scale case: `sync start --once` copies a collection of 1,000,000 small documents, split into several
 * partitions copied side by side, and `sync verify` finds both sides equal (counts and the hash of every document's
 * bytes). Documents are small so that the test stays quick: the number of documents, not their bytes, is the point.
 */
const DOCUMENTS = 1_000_000;
/** Documents per insertMany while seeding (the server's maxWriteBatchSize is 100,000). */
const SEED_BATCH = 100_000;

/** Document `i`: about 40 bytes, with an Int32 `_id` and values that differ from one document to the next. */
function smallDocument(i: number): Document {
  return { _id: new Int32(i), n: i % 1000, s: (i * 7919).toString(36) };
}

describe('sync start --once on a collection of 1,000,000 small documents', () => {
  let pair: MigrationPair;

  beforeAll(async () => {
    pair = await startMigrationPair();
    const collection = pair.sourceClient.db('scale').collection('small');
    for (let start = 0; start < DOCUMENTS; start += SEED_BATCH) {
      const batch: Document[] = [];
      for (let i = start; i < Math.min(start + SEED_BATCH, DOCUMENTS); i++) batch.push(smallDocument(i));
      await collection.insertMany(batch, { ordered: false });
    }
  }, 300_000);

  afterAll(() => pair?.stop());

  it('copies every document, and verify finds both sides equal', async () => {
    // 4 MiB partitions: the ~40 MB collection is copied as about ten partitions, four at a time.
    const config = await writeSyncConfig(pair.source.uri, pair.destination.uri, 'copy:\n  partitionSizeBytes: 4MiB\nlogging:\n  level: warn\n');

    const start = await runSync(['start', '--config', config, '--once', '--json']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    expect(JSON.parse(start.stdout)).toMatchObject({ documentsCopied: DOCUMENTS });
    expect(await pair.destinationClient.db('scale').collection('small').countDocuments()).toBe(DOCUMENTS);

    const verify = await runSync(['verify', '--config', config, '--json']);
    expect(verify.code).toBe(0);
  }, 900_000);
});
