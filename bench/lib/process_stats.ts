/**
 * Memory and CPU of another process (the sync CLI the suite spawns), sampled from /proc on Linux: VmHWM is the
 * kernel's own peak RSS of the process, so a peak between two samples is not missed; CPU time is utime + stime.
 */
import { readFileSync } from 'node:fs';
import { round } from './measure.js';

/** What was seen of a process while it was sampled. */
export interface ProcessStats {
  /** The kernel's peak RSS of the process (VmHWM) at the last sample, MB; undefined off Linux. */
  readonly peakRssMB: number | undefined;
  /** Highest VmRSS seen by a sample, MB. */
  readonly sampledPeakRssMB: number | undefined;
  /** CPU seconds (user + system) at the last sample (at most one interval short of the total). */
  readonly cpuSeconds: number | undefined;
  readonly samples: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function readStatusKb(pid: number, field: string, status: string): number | undefined {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb);
}

/** One reading of /proc/<pid>: undefined once the process is gone. */
function readProc(pid: number): { hwmKb?: number; rssKb?: number; cpuSeconds?: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    return { hwmKb: readStatusKb(pid, 'VmHWM', status), rssKb: readStatusKb(pid, 'VmRSS', status), cpuSeconds };
  } catch {
    return undefined;
  }
}

/** Samples a process every `intervalMs` until `stop()`; call stop() just before or after it exits. */
export function sampleProcess(pid: number, intervalMs = 100): { stop(): ProcessStats } {
  let hwmKb: number | undefined;
  let rssKb: number | undefined;
  let cpuSeconds: number | undefined;
  let samples = 0;
  const sample = () => {
    const now = readProc(pid);
    if (now === undefined) return;
    samples++;
    if (now.hwmKb !== undefined) hwmKb = Math.max(hwmKb ?? 0, now.hwmKb);
    if (now.rssKb !== undefined) rssKb = Math.max(rssKb ?? 0, now.rssKb);
    if (now.cpuSeconds !== undefined) cpuSeconds = now.cpuSeconds;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const mb = (kb: number | undefined) => (kb === undefined ? undefined : round((kb * 1024) / 1e6, 1));
      return { peakRssMB: mb(hwmKb), sampledPeakRssMB: mb(rssKb), cpuSeconds: cpuSeconds === undefined ? undefined : round(cpuSeconds, 2), samples };
    },
  };
}
