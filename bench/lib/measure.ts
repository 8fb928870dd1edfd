/** Timing, rates, memory sampling and garbage collection for the benchmark suites. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes in one MB as the tables report it (decimal: 10^6). */
export const MB = 1_000_000;

/** One measured step: how many documents and bytes in how much time. */
export interface Throughput {
  readonly docs: number;
  readonly bytes: number;
  /** Wall-clock seconds. */
  readonly seconds: number;
  readonly docsPerSecond: number;
  readonly mbPerSecond: number;
  /**
   * CPU seconds (user + system) the whole process used meanwhile: servers, driver and tool together. On a busy
   * machine wall-clock time also counts waiting for a core; CPU time counts only the work.
   */
  readonly cpuSeconds: number;
  /** Documents per CPU second: the rate the step would reach with one free core. */
  readonly docsPerCpuSecond: number;
}

/** Elapsed wall-clock and CPU time of a step. */
export interface Elapsed {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export function throughput(docs: number, bytes: number, elapsed: Elapsed): Throughput {
  return {
    docs,
    bytes,
    seconds: round(elapsed.seconds, 3),
    docsPerSecond: Math.round(docs / elapsed.seconds),
    mbPerSecond: round(bytes / MB / elapsed.seconds, 2),
    cpuSeconds: round(elapsed.cpuSeconds, 3),
    docsPerCpuSecond: Math.round(docs / elapsed.cpuSeconds),
  };
}

/** Runs `fn` and returns its result with its elapsed wall-clock (monotonic) and CPU seconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T } & Elapsed> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Peak and start values of the process's memory while a sampler ran. */
export interface MemoryPeak {
  /** RSS when sampling started, MB. */
  readonly startRssMB: number;
  /** Highest RSS seen, MB. */
  readonly peakRssMB: number;
  /** peak - start, MB. */
  readonly growthRssMB: number;
  /** V8 heap in use at the RSS peak, MB. */
  readonly heapUsedAtPeakMB: number;
  /** Memory of Buffers/ArrayBuffers (outside the V8 heap) at the RSS peak, MB. */
  readonly arrayBuffersAtPeakMB: number;
  readonly samples: number;
}

/** Samples `process.memoryUsage()` every `intervalMs` until `stop()` is called. */
export function sampleMemory(intervalMs = 100): { stop(): MemoryPeak } {
  const first = process.memoryUsage();
  let peak = first;
  let samples = 1;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    samples++;
    if (now.rss > peak.rss) peak = now;
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const last = process.memoryUsage();
      if (last.rss > peak.rss) peak = last;
      return {
        startRssMB: round(first.rss / MB, 1),
        peakRssMB: round(peak.rss / MB, 1),
        growthRssMB: round((peak.rss - first.rss) / MB, 1),
        heapUsedAtPeakMB: round(peak.heapUsed / MB, 1),
        arrayBuffersAtPeakMB: round(peak.arrayBuffers / MB, 1),
        samples: samples + 1,
      };
    },
  };
}

let gcFunction: (() => void) | undefined;

/**
 * Runs a full garbage collection, so that a step starts without the garbage of the previous one. `--expose-gc` is
 * switched on at run time because `npm run bench` starts node through tsx without it.
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}

/** Current RSS in MB. */
export function rssMB(): number {
  return round(process.memoryUsage.rss() / MB, 1);
}
