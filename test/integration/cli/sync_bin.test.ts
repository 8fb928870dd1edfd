/**
 * End to end: the installed launcher `bin/sync.js` running the compiled CLI in a child process, as an operator
 * or a cron job would. CI (`.ci/run`) builds before testing; locally the build runs here when dist/ is missing or
 * older than src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ensureBuilt } from '../../tools/built_cli.js';

function runSync(args: readonly string[], env: Record<string, string> = {}, bin = BIN) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: work,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let work: string;

beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'c2c-bin-'));
  writeFileSync(
    path.join(work, 'sync.yaml'),
    'source:\n  uri: ${SOURCE_URI}\ndestination:\n  uri: mongodb://dst:27017\nincludeNamespaces: [sales.*]\n',
  );
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('bin/sync.js', () => {
  it('prints help and exits 0', () => {
    const result = runSync(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sync config');
  });

  it('checks a valid configuration: exit 0, resolved JSON on stdout, nothing on stderr, no password', () => {
    const result = runSync(['config', 'check', '--config', 'sync.yaml', '--json'], {
      SOURCE_URI: 'mongodb://admin:hunter2@src:27017/?replicaSet=rs0',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as { source: { uri: string }; includeNamespaces: unknown };
    expect(config.source.uri).toBe('mongodb://admin:****@src:27017/?replicaSet=rs0');
    expect(config.includeNamespaces).toEqual([{ database: 'sales' }]);
    expect(result.stdout).not.toContain('hunter2');
  });

  it('exits 2 with the error and its hint on stderr when the configuration is invalid', () => {
    const result = runSync(['config', 'check', '--config', 'sync.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'ConfigError [CONFIG-1006]: source.uri (sync.yaml:2:8, after ${...} substitution): environment variable ' +
        'SOURCE_URI is not set.\nhint: Export SOURCE_URI before running the command, or write $${SOURCE_URI} for ' +
        'the literal text.\n',
    );
  });

  it('exits 2 for an unknown command', () => {
    const result = runSync(['start-everything']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UsageError [CLI-1001]: Unknown argument: start-everything.');
  });

  it('asks for a build when dist/ is missing', () => {
    const lonely = path.join(work, 'pkg', 'bin');
    mkdirSync(lonely, { recursive: true });
    copyFileSync(BIN, path.join(lonely, 'sync.js'));
    writeFileSync(path.join(work, 'pkg', 'package.json'), '{"type":"module"}\n');
    const result = runSync(['--help'], {}, path.join(lonely, 'sync.js'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `npm run build` first');
  });
});
