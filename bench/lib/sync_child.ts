/**
 * The built CLI (`node bin/sync.js ...`) run as a child process, as operators and cron run it: its RSS and CPU time
 * are its own (sampled from /proc), and its JSON log lines are kept so that a suite can time phases from them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BIN, REPO } from '../../test/tools/built_cli.js';
import { sampleProcess, type ProcessStats } from './process_stats.js';

/** One JSON log entry of the CLI (logging.format json). */
export interface LogEntry {
  readonly message: string;
  readonly level: string;
  readonly timestamp: string;
  readonly [field: string]: unknown;
}

/** A finished run of the CLI. */
export interface SyncChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly logs: readonly LogEntry[];
  /** stderr lines that are not JSON log entries. */
  readonly otherStderr: string;
  /** Wall-clock seconds from spawn to exit. */
  readonly seconds: number;
  readonly stats: ProcessStats;
}

/** A running CLI: `stop()` sends SIGTERM (the CLI stops gracefully and saves its checkpoint) and waits for the exit. */
export interface SyncChild {
  readonly process: ChildProcess;
  readonly done: Promise<SyncChildRun>;
  stop(): Promise<SyncChildRun>;
}

/**
 * Starts `node [nodeArgs] bin/sync.js <args>`. `cpuProfile` (a file path) records the child's whole run with
 * `--cpu-prof`, written when it exits.
 */
export function startSyncChild(args: readonly string[], options: { cpuProfile?: string } = {}): SyncChild {
  const nodeArgs = options.cpuProfile === undefined
    ? []
    : ['--cpu-prof', '--cpu-prof-interval', '1000', '--cpu-prof-dir', path.dirname(options.cpuProfile), '--cpu-prof-name', path.basename(options.cpuProfile)];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sampleProcess(child.pid!, 100);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<SyncChildRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const stats = sampler.stop();
      const logs: LogEntry[] = [];
      const other: string[] = [];
      for (const line of stderr.split('\n')) {
        if (line.trim() === '') continue;
        try {
          logs.push(JSON.parse(line) as LogEntry);
        } catch {
          other.push(line);
        }
      }
      resolve({ code, stdout, logs, otherStderr: other.join('\n'), seconds: Number(process.hrtime.bigint() - started) / 1e9, stats });
    });
  });
  return {
    process: child,
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

/** Seconds between the first log entries with these two messages; undefined when one is missing. */
export function secondsBetweenLogs(logs: readonly LogEntry[], from: string, to: string): number | undefined {
  const a = logs.find((l) => l.message === from);
  const b = logs.find((l) => l.message === to);
  if (a === undefined || b === undefined) return undefined;
  return (Date.parse(b.timestamp) - Date.parse(a.timestamp)) / 1000;
}
