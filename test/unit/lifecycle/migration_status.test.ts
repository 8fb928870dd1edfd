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

const config = { reversible: false, enableUserWriteBlocking: 'destinationOnly' } as const;
const liveLease = { _id: 'm', holder: 'h', host: 'db1', pid: 9, acquiredAt: new Date(0), expiresAt: new Date(2_000_000) };

describe('buildProgress', () => {
  const now = new Date(1_000_000);

  it('sums partitions per namespace and measures lag from the applied cluster time', () => {
    const p = buildProgress({
      migration,
      config,
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
      directionMapping: { Source: 'rs0/a:1', Destination: 'rs1/b:1' }, canCommit: true, canWrite: false, direction: 'forward',
    });
  });

  it('reports no lag before change application, no runner for an expired lease, and the failure', () => {
    const failure = { code: 'STATE-3002', message: 'history lost', at: new Date(5) };
    const p = buildProgress({
      migration: { ...migration, state: 'FAILED', failure },
      config,
      partitions: [],
      eventsApplied: 0,
      appliedClusterTime: undefined,
      sourceClusterTime: undefined,
      lease: { _id: 'm', holder: 'h', host: 'db1', pid: 9, acquiredAt: new Date(0), expiresAt: new Date(999_999) },
      now,
    });
    expect(p).toMatchObject({ state: 'FAILED', info: 'failed', lagTimeSeconds: null, runningOn: null, failure });
  });

  const base = {
    migration, config, partitions: [], eventsApplied: 0, lease: liveLease, now,
    appliedClusterTime: new Timestamp({ t: 200, i: 4 }), sourceClusterTime: new Timestamp({ t: 200, i: 9 }),
  };

  it.each([
    ['a process applies with a small lag', base, true],
    ['no process applies changes (lease expired)', { ...base, lease: { ...liveLease, expiresAt: new Date(1) } }, false],
    ['the lag is 30 s', { ...base, sourceClusterTime: new Timestamp({ t: 230, i: 4 }) }, false],
    ['the copy is not finished', { ...base, migration: { ...migration, phase: 'copying' as const } }, false],
    ['the migration is PAUSED', { ...base, migration: { ...migration, state: 'PAUSED' as const } }, false],
  ])('canCommit when %s', (_what, input, expected) => {
    expect(buildProgress(input).canCommit).toBe(expected);
  });

  it.each([
    ['RUNNING', undefined, false],
    ['COMMITTING', { startedAt: new Date(0) }, false],
    ['COMMITTING', { startedAt: new Date(0), canWrite: true }, true],
    ['COMMITTED', { startedAt: new Date(0), canWrite: true, restored: true }, true],
  ] as const)('canWrite in %s with commit record %j: %s', (state, commit, expected) => {
    const p = buildProgress({ ...base, migration: { ...migration, state, ...(commit ? { commit } : {}) } });
    expect(p.canWrite).toBe(expected);
  });

  it('maps the directions the other way round after a reverse', () => {
    const p = buildProgress({ ...base, migration: { ...migration, direction: 'reverse' } });
    expect(p).toMatchObject({ direction: 'reverse', directionMapping: { Source: 'rs1/b:1', Destination: 'rs0/a:1' } });
  });

  it('warns about an abandoned commit while the migration runs on', () => {
    const lastCommitError = { code: 'STATE-3005', message: '3 change(s) arrived on the source during the commit', at: new Date(7) };
    expect(buildProgress({ ...base, migration: { ...migration, lastCommitError } }).warnings).toEqual([
      'the last commit was abandoned at 1970-01-01T00:00:00.007Z: 3 change(s) arrived on the source during the commit',
    ]);
    expect(buildProgress({ ...base, migration: { ...migration, state: 'COMMITTED', lastCommitError } }).warnings).toEqual([]);
  });
});
