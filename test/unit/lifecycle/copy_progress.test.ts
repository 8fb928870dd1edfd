import { CopyProgress, etaSeconds } from '../../../src/lifecycle/copy_progress.js';
import type { PartitionDocument } from '../../../src/state/partition_store.js';

function partition(coll: string, docsCopied: number, bytesCopied: number): PartitionDocument {
  return { _id: `m/db.${coll}/0`, migrationId: 'm', db: 'db', coll, index: 0, natural: false, status: 'copying', docsCopied, bytesCopied };
}

describe('etaSeconds', () => {
  it.each([
    [1000, 100, 10],
    [1001, 100, 11],
    [0, 100, 0],
    [1000, 0, undefined],
  ])('of %d bytes at %d B/s is %p', (remaining, rate, expected) => {
    expect(etaSeconds(remaining, rate)).toBe(expected);
  });
});

describe('CopyProgress', () => {
  it('starts from what earlier runs copied and rates only this run', () => {
    let now = 0;
    const totals = new Map([['db.a', { docs: 100, bytes: 10_000 }], ['db.b', { docs: 10, bytes: 1_000 }]]);
    const progress = new CopyProgress([partition('a', 50, 5_000)], totals, () => now);
    now = 2_000;
    progress.record('db.a', 10, 1_000);
    const s = progress.snapshot();
    expect(s.docs).toBe(60);
    expect(s.bytes).toBe(6_000);
    expect(s.totalBytes).toBe(11_000);
    expect(s.bytesPerSecond).toBe(500);
    expect(s.etaSeconds).toBe(10);
    expect(s.namespaces.map((n) => [n.ns, n.docs])).toEqual([['db.a', 60], ['db.b', 0]]);
  });

  it('grows a total that writes during the copy made too small, and reports eta 0 when done', () => {
    const progress = new CopyProgress([], new Map([['db.a', { docs: 1, bytes: 10 }]]), () => 1);
    progress.record('db.a', 3, 30);
    const s = progress.snapshot(true);
    expect(s.namespaces[0]).toMatchObject({ totalDocs: 3, totalBytes: 30 });
    expect(s.etaSeconds).toBe(0);
  });
});
