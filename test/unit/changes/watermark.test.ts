import { Timestamp } from 'mongodb';
import { markSegmentApplied, pendingSegments, startWatermark, trackSegment, type Watermark } from '../../../src/changes/watermark.js';
import type { ResumePoint } from '../../../src/changes/change_event.js';

const point = (t: number): ResumePoint => ({ kind: 'event', resumeToken: { _data: `p${t}` }, clusterTime: new Timestamp({ t, i: 1 }) });
const START: ResumePoint = { kind: 'start', clusterTime: new Timestamp({ t: 0, i: 0 }) };

function tracked(count: number): Watermark {
  let w = startWatermark(START);
  for (let seq = 1; seq <= count; seq++) w = trackSegment(w, seq, point(seq));
  return w;
}

describe('watermark', () => {
  it.each<[string, number[], number]>([
    ['stays at the start while nothing is applied', [], 0],
    ['advances over the first segment', [1], 1],
    ['does not jump over an unapplied segment', [2, 3], 0],
    ['advances over the contiguous prefix once the gap is filled', [3, 2, 1], 3],
    ['stops at the first gap', [1, 2, 4], 2],
    ['ignores an unknown segment', [9, 1], 1],
    ['ignores a segment applied twice', [1, 1, 2], 2],
  ])('%s', (_name, applied, expected) => {
    let w = tracked(4);
    for (const seq of applied) w = markSegmentApplied(w, seq);
    expect(w.applied).toEqual(expected === 0 ? START : point(expected));
    expect(pendingSegments(w)).toBe(4 - expected);
  });

  it('returns new values without changing its input', () => {
    const before = tracked(2);
    const after = markSegmentApplied(before, 1);
    expect(before.applied).toEqual(START);
    expect(before.pending).toHaveLength(2);
    expect(after.applied).toEqual(point(1));
  });

  it('refuses a segment registered out of order', () => {
    expect(() => trackSegment(tracked(2), 2, point(2))).toThrow('segment 2 registered after segment 2');
  });
});
