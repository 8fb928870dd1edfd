import { jest } from '@jest/globals';
import { ServerState } from '../../../harness/engine/server_state.js';
import { WritePath } from '../../../harness/engine/write_path.js';
import { startBackgroundJobs } from '../../../harness/engine/background_jobs.js';
import { resolveServerOptions } from '../../../harness/server_options.js';

describe('periodic no-op writer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function noops(state: ServerState): number {
    return [...state.oplog.collection.naturalOrder()].filter((e) => e.doc.op === 'n').length;
  }

  it('writes a no-op only in intervals when nothing else was written', () => {
    const state = new ServerState(resolveServerOptions({ noopIntervalMs: 1000, ttlMonitorIntervalMs: 0 }));
    const writes = new WritePath(state);
    const jobs = startBackgroundJobs(state, writes);
    try {
      jest.advanceTimersByTime(1000);
      expect(noops(state)).toBe(1);
      writes.ensureCollection('db', 'c', { bypassWriteBlocking: true });
      jest.advanceTimersByTime(1000);
      expect(noops(state)).toBe(1);
      jest.advanceTimersByTime(1000);
      expect(noops(state)).toBe(2);
    } finally {
      jobs.stop();
    }
  });
});
