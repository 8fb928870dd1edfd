import { Timestamp } from 'mongodb';
import { isLagPastHalfOplogWindow, lagTimeSeconds } from '../../../src/changes/lag.js';
import type { ResumePoint } from '../../../src/changes/change_event.js';

const at = (t: number, i = 1): Timestamp => new Timestamp({ t, i });
const applied = (t: number): ResumePoint => ({ kind: 'highWaterMark', resumeToken: { _data: 'x' }, clusterTime: at(t) });

describe('lagTimeSeconds', () => {
  it.each<[string, Timestamp, ResumePoint, number]>([
    ['is the difference of the seconds', at(1_700_000_100), applied(1_700_000_040), 60],
    ['is 0 when caught up within the same second', at(1_700_000_100, 9), applied(1_700_000_100), 0],
    ['is never negative (applied read after the latest time was taken)', at(1_700_000_100), applied(1_700_000_101), 0],
    ['reads seconds above 2^31 as unsigned', at(2 ** 31 + 10), applied(2 ** 31 + 4), 6],
  ])('%s', (_name, latest, point, expected) => {
    expect(lagTimeSeconds(latest, point)).toBe(expected);
  });
});

describe('isLagPastHalfOplogWindow', () => {
  it.each<[string, number, number, boolean]>([
    ['is false below half the window', 10, 100, false],
    ['is false at exactly half', 50, 100, false],
    ['is true past half', 51, 100, true],
    ['is true past the whole window', 500, 100, true],
    ['is false for a window of 0 s (nothing known yet)', 5, 0, false],
  ])('%s', (_name, lag, window, expected) => {
    expect(isLagPastHalfOplogWindow(lag, window)).toBe(expected);
  });
});
