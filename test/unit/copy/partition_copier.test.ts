import { MAX_BATCH_DOCUMENTS, READ_REPLY_BYTES, readBatchSize } from '../../../src/copy/partition_copier.js';

describe('readBatchSize', () => {
  it.each<[string, number, number]>([
    ['unknown (empty collection)', 0, 1000],
    ['not a number', Number.NaN, 1000],
    ['about 1 KB documents', 1048, 1001],
    ['documents of 36 bytes: capped at the batch limit', 36, MAX_BATCH_DOCUMENTS],
    ['documents of 100 KB', 100 * 1024, 10],
    ['documents larger than a reply: one at a time', 4 * READ_REPLY_BYTES, 1],
  ])('asks for replies of about 1 MiB: %s', (_name, average, expected) => {
    expect(readBatchSize(average)).toBe(expected);
  });
});
