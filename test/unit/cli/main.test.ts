import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../../src/cli/cli_context.js';
import { packageVersion, runCli } from '../../../src/cli/main.js';

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;

async function run(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd: dir,
    signal: new AbortController().signal,
    logLevel: undefined,
  };
  const code = await runCli(args, context);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-cli-'));
  await writeFile(
    path.join(dir, 'sync.yaml'),
    'source:\n  uri: mongodb://alice:hunter2@src:27017\ndestination:\n  uri: ${DEST}\ncopy:\n  parallelism: 8\n',
  );
  await writeFile(path.join(dir, 'bad.yaml'), 'source:\n  uri: mongodb://alice:hunter2@src:27017\ndestination:\n  uri: mongodb://dst\ncopy:\n  paralelism: 8\n');
  await writeFile(path.join(dir, 'same.yaml'), 'source:\n  uri: mongodb://alice:hunter2@h:27017\ndestination:\n  uri: mongodb://bob:swordfish@h\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DEST = { DEST: 'mongodb://bob:swordfish@dst:27017' };

describe('sync (top level)', () => {
  it('lists the commands with --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sync <command> [options]');
    expect(result.stdout).toContain('sync config');
    expect(result.stderr).toBe('');
  });

  it('prints the package version with --version', async () => {
    const result = await run(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${packageVersion()}\n`, stderr: '' });
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['frobnicate'], 'UsageError [CLI-1001]: Unknown argument: frobnicate.'],
    [[], 'UsageError [CLI-1001]: Specify a command.'],
    [['config'], 'UsageError [CLI-1001]: Specify a config subcommand.'],
    [['config', 'check'], 'UsageError [CLI-1001]: Missing required argument: config.'],
    [['config', 'check', '--config', 'sync.yaml', '--bogus'], 'UsageError [CLI-1001]: Unknown argument: bogus.'],
    [['config', 'check', '--config', 'sync.yaml', '--log-level', 'loud'], 'UsageError [CLI-1001]: Invalid values:'],
  ])('exits 2 with a usage error for %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain('\nhint: Run `sync --help`');
  });

  it('suggests the closest command', async () => {
    const result = await run(['confg']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean config?');
  });
});

describe('sync config check', () => {
  it('lists its flags, including the configuration overrides, with --help', async () => {
    const result = await run(['config', 'check', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--config', '--json', '--log-level', '--port', '--id']) expect(result.stdout).toContain(flag);
  });

  it('prints the resolved configuration as YAML with passwords redacted and exits 0', async () => {
    const result = await run(['config', 'check', '--config', 'sync.yaml'], DEST);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('# sync.yaml is valid.');
    expect(result.stdout).toContain('uri: mongodb://alice:****@src:27017');
    expect(result.stdout).toContain('uri: mongodb://bob:****@dst:27017');
    expect(result.stdout).toContain('parallelism: 8');
    expect(result.stdout).toContain('batchSizeBytes: 8388608');
    expect(result.stdout).not.toMatch(/hunter2|swordfish/);
  });

  it('prints JSON with --json, applying flag overrides', async () => {
    const result = await run(['config', 'check', '-c', 'sync.yaml', '--json', '--log-level', 'debug', '--port', '0'], DEST);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    expect(config['source']).toEqual({ uri: 'mongodb://alice:****@src:27017/' });
    expect(config['logging']).toEqual({ level: 'debug', format: 'text' });
    expect(config['api']).toEqual({ host: '127.0.0.1', port: 0 });
    expect(result.stdout).not.toMatch(/hunter2|swordfish/);
  });

  it.each([
    [['--config', 'sync.yaml'], {}, 'ConfigError [CONFIG-1006]: destination.uri (sync.yaml:4:8, after ${...} substitution): environment variable DEST is not set.'],
    [['--config', 'bad.yaml'], {}, 'ConfigError [CONFIG-1003]: copy.paralelism (bad.yaml:6:3): unknown key.\nhint: Did you mean "copy.parallelism"?'],
    [['--config', 'nope.yaml'], {}, 'ConfigError [CONFIG-1001]: Cannot read the configuration file nope.yaml: no such file.'],
    [['--config', 'sync.yaml', '--port', 'http'], DEST, 'ConfigError [CONFIG-1004]: api.port (flag --port): expected an integer from 0 to 65,535, found "http".'],
    [['--config', 'same.yaml'], {}, 'ConfigError [CONFIG-1009]: destination.uri (same.yaml:4:8): expected hosts other than those of source.uri, found the same host h:27017.'],
  ])('exits 2 for an invalid configuration (%#)', async (args, env, message) => {
    const result = await run(['config', 'check', ...args], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain('\nhint: ');
    expect(result.stderr).not.toMatch(/hunter2|swordfish/);
    expect(result.stderr).not.toContain('    at ');
  });

  it('shows the stack only at debug level', async () => {
    const result = await run(['config', 'check', '--config', 'bad.yaml', '--log-level', 'debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('    at ');
  });

  it('never prints a password from an invalid URI', async () => {
    await writeFile(path.join(dir, 'leak.yaml'), 'source:\n  uri: "mongodb://alice:hun/ter2@src"\ndestination:\n  uri: "bob:swordfish@dst"\n');
    const result = await run(['config', 'check', '--config', 'leak.yaml', '--log-level', 'debug']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CONFIG-1000');
    expect(result.stderr).toContain('mongodb://alice:****@src');
    expect(result.stderr).not.toMatch(/hun\/ter2|ter2|swordfish/);
  });
});
