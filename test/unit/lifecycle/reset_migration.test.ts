import { liveDestinationReason, migrationDocumentsFilter, writeBlocksToLift } from '../../../src/lifecycle/reset_migration.js';
import type { CommitRecord, MigrationDocument } from '../../../src/state/migration_store.js';
import type { UserWriteBlocking } from '../../../src/config/schema.js';

type Facts = Pick<MigrationDocument, 'state' | 'direction' | 'commit'>;

const started = new Date(0);
const completedCommit: CommitRecord = { startedAt: started, fromBlocked: true, canWrite: true, completedAt: started };

describe('writeBlocksToLift', () => {
  it.each<[string, Facts, UserWriteBlocking, string[]]>([
    ['nothing when the migration blocks nothing', { state: 'RUNNING' }, 'none', []],
    ['nothing, even committed, when it blocks nothing', { state: 'COMMITTED', commit: completedCommit }, 'none', []],
    ['the destination while running', { state: 'RUNNING' }, 'destinationOnly', ['destination']],
    ['the destination while paused', { state: 'PAUSED' }, 'destinationOnly', ['destination']],
    ['the destination of a failed migration', { state: 'FAILED' }, 'destinationOnly', ['destination']],
    ['only the destination before any commit', { state: 'RUNNING' }, 'sourceAndDestination', ['destination']],
    ['only the destination of a migration that failed before committing', { state: 'FAILED' }, 'sourceAndDestination', ['destination']],
    ['the source of a migration that failed with the source blocked', { state: 'FAILED', commit: { startedAt: started, fromBlocked: true } }, 'sourceAndDestination', ['source', 'destination']],
    ['both sides during a commit', { state: 'COMMITTING', commit: { startedAt: started } }, 'sourceAndDestination', ['source', 'destination']],
    ['only the destination during a destinationOnly commit', { state: 'COMMITTING' }, 'destinationOnly', ['destination']],
    ['the source but not the opened destination once committed', { state: 'COMMITTED', commit: completedCommit }, 'sourceAndDestination', ['source']],
    ['nothing once committed with destinationOnly', { state: 'COMMITTED', commit: completedCommit }, 'destinationOnly', []],
    ['the source while reversing', { state: 'REVERSING', commit: completedCommit }, 'sourceAndDestination', ['source']],
    ['the source written by a reverse sync, not the destination it reads', { state: 'RUNNING', direction: 'reverse', commit: completedCommit }, 'sourceAndDestination', ['source']],
    ['both sides during a reverse commit', { state: 'COMMITTING', direction: 'reverse', commit: { startedAt: started } }, 'sourceAndDestination', ['source', 'destination']],
    ['the destination but not the reopened source once a reverse committed', { state: 'COMMITTED', direction: 'reverse', commit: completedCommit }, 'sourceAndDestination', ['destination']],
  ])('lifts %s', (_name, facts, mode, expected) => {
    expect(writeBlocksToLift(facts, mode)).toEqual(expected);
  });
});

describe('liveDestinationReason', () => {
  it.each<[Facts, boolean]>([
    [{ state: 'INITIALIZING' }, false],
    [{ state: 'IDLE' }, false],
    [{ state: 'RUNNING' }, false],
    [{ state: 'PAUSED' }, false],
    [{ state: 'FAILED' }, false],
    [{ state: 'COMMITTING', commit: { startedAt: started } }, true],
    [{ state: 'COMMITTED', commit: completedCommit }, true],
    [{ state: 'REVERSING', commit: completedCommit }, true],
    [{ state: 'RUNNING', direction: 'reverse', commit: completedCommit }, true],
    [{ state: 'PAUSED', direction: 'reverse', commit: completedCommit }, true],
    // A commit that failed after opening the destination to applications.
    [{ state: 'FAILED', commit: { startedAt: started, canWrite: true } }, true],
  ])('refuses to drop the destination of %j: %s', (facts, live) => {
    expect(liveDestinationReason(facts) !== undefined).toBe(live);
  });

  it('says why in words', () => {
    expect(liveDestinationReason({ state: 'COMMITTED' })).toBe('it is COMMITTED: applications write to the destination now');
  });
});

describe('migrationDocumentsFilter', () => {
  it('matches documents keyed by the migration id and those carrying it in migrationId', () => {
    expect(migrationDocumentsFilter('m1')).toEqual({ $or: [{ _id: 'm1' }, { migrationId: 'm1' }] });
  });
});
