/**
 * Embedded servers for the suites, either in this process (`startServer()`, the default: what the tests do) or each
 * in a child process (`npm run server`'s entry point), so that the servers get their own event loops and cores and
 * this process's RSS is the tool's alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../test/harness/server.js';

export const SERVER_MODES = ['in-process', 'child-process'] as const;
export type ServerMode = (typeof SERVER_MODES)[number];

/** A server a suite talks to through its URI. */
export interface BenchServer {
  readonly uri: string;
  /** The server's own RSS in MB when it runs in a child process; undefined in-process (it is part of ours). */
  rssMB(): number | undefined;
  stop(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Server settings a suite may change; the defaults are the embedded server's. */
export interface BenchServerOptions {
  /** Capped size of `local.oplog.rs` in MiB (default 256): a backlog must fit in it to be read back. */
  readonly oplogSizeMB?: number;
}

export async function startBenchServer(mode: ServerMode, options: BenchServerOptions = {}): Promise<BenchServer> {
  if (mode === 'in-process') {
    const server = await startServer(options.oplogSizeMB === undefined ? {} : { oplogSizeBytes: options.oplogSizeMB * 1024 * 1024 });
    return { uri: server.uri, rssMB: () => undefined, stop: () => server.stop() };
  }
  const oplogArgs = options.oplogSizeMB === undefined ? [] : ['--oplog-size-mb', String(options.oplogSizeMB)];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/harness/cli.ts'), '--port', '0', ...oplogArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await readyUri(child);
  return { uri, rssMB: () => childRssMB(child.pid), stop: () => stopChild(child) };
}

/** Waits for the `ready <uri>` line that test/harness/cli.ts prints once it listens. */
function readyUri(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^ready (\S+)$/m.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`embedded server exited with code ${code} before it was ready`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** VmRSS of a process from /proc (Linux); undefined elsewhere. */
function childRssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Synchronous on purpose: called once per step, and /proc reads do not block.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round((Number(kb) * 1024) / 100_000) / 10;
  } catch {
    return undefined;
  }
}
