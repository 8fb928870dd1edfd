/**
 * The built CLI (`node bin/sync.js`) as the demo runs it: short commands whose output is shown or captured, and the
 * long-running `sync start`. Every child is tracked so that the demo can stop them on any exit path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/sync.js');

/** What a finished command printed and returned. */
export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI's children in one directory with one environment (the URIs with their passwords live only there). */
export class DemoCli {
  readonly #children = new Set<ChildProcess>();

  constructor(private readonly cwd: string, private readonly env: NodeJS.ProcessEnv) {}

  #spawn(args: readonly string[], stdio: 'pipe' | 'inherit'): ChildProcess {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: this.cwd, env: this.env, stdio: ['ignore', stdio, stdio] });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /**
   * Runs `sync <args>` to its end. With `show` its output goes to the terminal as it comes (and is not captured);
   * otherwise it is captured.
   */
  run(args: readonly string[], options: { show?: boolean } = {}): Promise<CommandRun> {
    const child = this.#spawn(args, options.show ? 'inherit' : 'pipe');
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
  }

  /** Starts a long-running `sync <args>` writing its output to `logFile`; `exited` settles with its exit code. */
  background(args: readonly string[], logFile: string): { readonly pid: number; readonly exited: Promise<number> } {
    const child = this.#spawn(args, 'pipe');
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        log.end();
        resolve(code ?? (signal ? 128 : 1));
      });
    });
    return { pid: child.pid ?? -1, exited };
  }

  /**
   * Stops every child still running: after `graceMs` (children of a terminal's Ctrl-C got the SIGINT too and stop
   * on their own) a SIGTERM, after 5 s more a SIGKILL.
   */
  async stopAll(graceMs: number): Promise<void> {
    const running = [...this.#children];
    const exited = (child: ChildProcess, ms: number) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve(true);
            });
          });
    await Promise.all(running.map(async (child) => {
      if (await exited(child, graceMs)) return;
      child.kill('SIGTERM');
      if (await exited(child, 5000)) return;
      child.kill('SIGKILL');
      await exited(child, 5000);
    }));
  }
}
