/** The facts about the machine and runtime that a benchmark result depends on. */
import os from 'node:os';

export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryMB: number;
  readonly platform: string;
  readonly nodeVersion: string;
  /** ISO date of the run. */
  readonly date: string;
  /** The 1-minute load average when the suite ended: above the core count, other processes competed for the CPU. */
  readonly loadAverage1m: number;
}

export function machineFacts(now = new Date()): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 1e6),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    nodeVersion: process.version,
    date: now.toISOString(),
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
