import { Timestamp } from 'mongodb';
import { buildProgress } from '../../../src/lifecycle/migration_status.js';
import type { MigrationDocument } from '../../../src/state/migration_store.js';
import type { PartitionDocument } from '../../../src/state/partition_store.js';

const migration: MigrationDocument = {
  _id: 'm', state: 'RUNNING', phase: 'copied', t0: new Timestamp({ t: 100, i: 1 }),
  sourceIdentity: 'rs0/a:1', destinationIdentity: 'rs1/b:1', createdAt: new Date(0), updatedAt: new Date(0),
};

function partition(coll: string, index: number, status: PartitionDocument['status'], docs: number): PartitionDocument {
  return { _id: `m/db.${coll}/${index}`, migrationId: 'm', db: 'db', coll, index, natural: false, status, docsCopied: docs, bytesCopied: docs * 10 };
}

describe('buildProgress', () => {
  const now = new Date(1_000_000);

  it('sums partitions per namespace and measures lag from the applied cluster time', () => {
    const p = buildProgress({
      migration,
      partitions: [partition('a', 0, 'done', 5), partition('a', 1, 'copying', 2), partition('b', 0, 'done', 1)],
      eventsApplied: 7,
      appliedClusterTime: new Timestamp({ t: 200, i: 4 }),
      sourceClusterTime: new Timestamp({ t: 203, i: 1 }),
      lease: { _id: 'm', holder: 'h', host: 'db1', pid: 9, acquiredAt: new Date(0), expiresAt: new Date(2_000_000) },
      now,
    });
    expect(p.namespaces).toEqual([
      { ns: 'db.a', partitions: 2, partitionsDone: 1, documentsCopied: 7, bytesCopied: 70 },
      { ns: 'db.b', partitions: 1, partitionsDone: 1, documentsCopied: 1, bytesCopied: 10 },
    ]);
    expect(p).toMatchObject({
      state: 'RUNNING', info: 'change event application', lagTimeSeconds: 3, totalEventsApplied: 7,
      collectionCopy: { documentsCopied: 8, estimatedCopiedBytes: 80 }, runningOn: { host: 'db1', pid: 9 },
      directionMapping: { Source: 'rs0/a:1', Destination: 'rs1/b:1' }, canCommit: false, canWrite: false,
    });
  });

  it('reports no lag before change application, no runner for an expired lease, and the failure', () => {
    const failure = { code: 'STATE-3002', message: 'history lost', at: new Date(5) };
    const p = buildProgress({
      migration: { ...migration, state: 'FAILED', failure },
      partitions: [],
      eventsApplied: 0,
      appliedClusterTime: undefined,
      sourceClusterTime: undefined,
      lease: { _id: 'm', holder: 'h', host: 'db1', pid: 9, acquiredAt: new Date(0), expiresAt: new Date(999_999) },
      now,
    });
    expect(p).toMatchObject({ state: 'FAILED', info: 'failed', lagTimeSeconds: null, runningOn: null, failure });
  });
});
