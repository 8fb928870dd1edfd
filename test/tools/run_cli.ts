import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../src/cli/cli_context.js';
import { runCli } from '../../src/cli/main.js';

/** What an in-process run of the CLI printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sync <args>` in-process, capturing its output. */
export async function runSync(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    logLevel: undefined,
  };
  const code = await runCli(args, context);
  return { code, stdout, stderr };
}

/**
 * Writes a sync.yaml for two URIs (plus extra YAML lines) into a new temp dir and returns its path. Unless the
 * extra lines have an `api` section, the HTTP API of a continuous `sync start` gets a free port (tests run in
 * parallel; the default 27182 would collide).
 */
export async function writeSyncConfig(sourceUri: string, destinationUri: string, extraYaml = ''): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-sync-'));
  const file = path.join(dir, 'sync.yaml');
  const api = /^api:/m.test(extraYaml) ? '' : 'api:\n  port: 0\n';
  await writeFile(file, `source:\n  uri: "${sourceUri}"\ndestination:\n  uri: "${destinationUri}"\n${api}${extraYaml}`);
  return file;
}
