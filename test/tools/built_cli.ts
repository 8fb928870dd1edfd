import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The installed launcher, as operators and cron run it. */
export const BIN = path.join(REPO, 'bin/sync.js');
const DIST_MAIN = path.join(REPO, 'dist/cli/main.js');

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isBuildCurrent(): boolean {
  try {
    return statSync(DIST_MAIN).mtimeMs >= newestMtimeMs(path.join(REPO, 'src'));
  } catch {
    return false;
  }
}

/**
 * Builds dist/ when it is missing or older than src/ (CI builds before testing, so this only runs locally). tsc
 * still emits when a file has a type error; type errors are the typecheck step's business, so only a build that
 * produced no CLI fails here.
 */
export function ensureBuilt(): void {
  if (isBuildCurrent()) return;
  spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  statSync(DIST_MAIN);
}

/** Starts `node bin/sync.js <args>` as a child process (stdout/stderr piped). */
export function spawnCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
