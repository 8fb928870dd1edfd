import { Timestamp } from 'mongodb';
import { FINAL_CHANGE_STREAM_CODES, positionAfter, startPointOf, streamStartFor } from '../../../src/changes/change_reader.js';
import type { ResumePoint, SourceChangeEvent } from '../../../src/changes/change_event.js';
import { changeStreamMatch } from '../../../src/changes/stream_filter.js';

const ts = (t: number, i: number) => new Timestamp({ t, i });
const token = (t: number, i: number, suffix = '') => ({ _data: `82${t.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}${suffix}` });
const event = (t: number, i: number): SourceChangeEvent => ({
  operationType: 'insert', resumeToken: token(t, i, '01'), clusterTime: ts(t, i), ns: { db: 'a', coll: 'b' }, sizeBytes: 1,
});
const START: ResumePoint = { kind: 'start', clusterTime: ts(5, 1) };

describe('positionAfter', () => {
  it.each<[string, SourceChangeEvent[], { _data: string } | undefined, ResumePoint]>([
    ['the last event when the batch ends with it', [event(6, 1)], token(6, 1, '01'), { kind: 'event', resumeToken: token(6, 1, '01'), clusterTime: ts(6, 1) }],
    ['a high-water mark beyond the last event', [event(6, 1)], token(7, 3), { kind: 'highWaterMark', resumeToken: token(7, 3), clusterTime: ts(7, 3) }],
    ['a high-water mark of an idle stream', [], token(8, 0), { kind: 'highWaterMark', resumeToken: token(8, 0), clusterTime: ts(8, 0) }],
    ['the start while the stream has scanned nothing', [], token(5, 1), START],
    ['the last event without postBatchResumeToken', [event(6, 2)], undefined, { kind: 'event', resumeToken: token(6, 2, '01'), clusterTime: ts(6, 2) }],
    ['the previous position for an empty batch without token', [], undefined, START],
  ])('%s', (_name, events, pbrt, expected) => {
    expect(positionAfter(events, pbrt, START)).toEqual(expected);
  });
});

describe('streamStartFor / startPointOf', () => {
  const stored: ResumePoint = { kind: 'event', resumeToken: token(9, 1, '01'), clusterTime: ts(9, 1) };
  it('starts at T0 without checkpoint', () => {
    const start = streamStartFor(undefined, ts(3, 0));
    expect(start).toEqual({ startAtOperationTime: ts(3, 0) });
    expect(startPointOf(start)).toEqual({ kind: 'start', clusterTime: ts(3, 0) });
  });
  it('starts after the stored token', () => {
    const start = streamStartFor(stored, ts(3, 0));
    expect(start).toEqual({ startAfter: stored.resumeToken });
    expect(startPointOf(start, stored)).toBe(stored);
  });
  it('starts at the cluster time of a checkpoint that has no token', () => {
    expect(streamStartFor({ kind: 'start', clusterTime: ts(4, 0) }, ts(3, 0))).toEqual({ startAtOperationTime: ts(4, 0) });
  });
  it('names the final change stream errors with their server codes', () => {
    expect(FINAL_CHANGE_STREAM_CODES).toMatchObject({ ChangeStreamHistoryLost: 286, ChangeStreamFatalError: 280 });
  });
});

describe('changeStreamMatch', () => {
  it('matches the event namespace, a rename target, and dropDatabase, outside internal databases', () => {
    const match = changeStreamMatch({});
    expect(match.$match.$or).toHaveLength(3);
    expect(match.$match.$or[0].$and[0]).toEqual({ 'ns.db': { $nin: ['admin', 'local', 'config', '__c2c_sync_internal'] } });
    expect(match.$match.$or[1].$and[1]['to.coll'].$type).toBe('string');
  });

  it('turns include and exclude rules into $or and $nor clauses', () => {
    const match = changeStreamMatch({
      includeNamespaces: [{ database: 'shop', collections: ['orders'] }, { databaseRegex: { pattern: '^crm', options: 'iu' } }],
      excludeNamespaces: [{ database: 'shop', collectionsRegex: { pattern: '^tmp', options: '' } }],
    });
    const clauses = match.$match.$or[0].$and;
    expect(clauses[2]).toEqual({ $or: [{ 'ns.db': 'shop', 'ns.coll': { $in: ['orders'] } }, { 'ns.db': { $regex: '^crm', $options: 'i' } }] });
    expect(clauses[3]).toEqual({ $nor: [{ 'ns.db': 'shop', 'ns.coll': { $regex: '^tmp' } }] });
  });
});
