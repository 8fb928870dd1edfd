import type { ServerState } from './server_state.js';
import type { WritePath } from './write_path.js';
import { startTtlMonitor } from './ttl_monitor.js';

/** Handles to stop the server's periodic jobs. */
export interface BackgroundJobs {
  stop(): void;
}

/**
 * Starts the periodic jobs of a mongod primary: the idle no-op writer (periodicNoopIntervalSecs) that keeps
 * cluster time moving so that clients can measure lag, and the TTL monitor (ttlMonitorSleepSecs).
 */
export function startBackgroundJobs(state: ServerState, writes: WritePath): BackgroundJobs {
  const timers: NodeJS.Timeout[] = [];
  if (state.options.noopIntervalMs > 0) {
    // As mongod's NoopWriter: write only when nothing else reached the oplog since the previous tick.
    let lastSeen = state.oplog.last()?.recordId ?? 0;
    timers.push(setInterval(() => {
      const newest = state.oplog.last()?.recordId ?? 0;
      if (newest === lastSeen) writes.noop({ msg: 'periodic noop' });
      lastSeen = state.oplog.last()?.recordId ?? 0;
    }, state.options.noopIntervalMs).unref());
  }
  if (state.options.ttlMonitorIntervalMs > 0) {
    timers.push(startTtlMonitor(state, writes, state.options.ttlMonitorIntervalMs));
  }
  return { stop: () => timers.forEach(clearInterval) };
}
