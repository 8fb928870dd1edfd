import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load_config.js';
import { SCHEMA_KEY_PATHS } from '../../../src/config/validate_config.js';
import { ConfigError } from '../../../src/errors.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ENV = { SOURCE_URI: 'mongodb://u:pw@src:27017', DESTINATION_URI: 'mongodb://dst:27017' };

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'c2c-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file relative to cwd and resolves logging.file relative to the file', async () => {
    await writeFile(
      path.join(dir, 'sync.yaml'),
      'source:\n  uri: ${SOURCE_URI}\ndestination:\n  uri: ${DESTINATION_URI}\nlogging:\n  file: sync.log\n',
    );
    const config = await loadConfig({ path: 'sync.yaml', cwd: dir, env: ENV });
    expect(config.source.uri).toBe(ENV.SOURCE_URI);
    expect(config.logging.file).toBe(path.join(dir, 'sync.log'));
  });

  it.each([
    ['missing.yaml', 'Cannot read the configuration file missing.yaml: no such file.'],
    ['.', 'Cannot read the configuration file .: it is a directory.'],
  ])('reports an unreadable file %j as CONFIG-1001', async (file, message) => {
    const error = await loadError({ path: file, cwd: dir, env: {} });
    expect(error.code).toBe('CONFIG-1001');
    expect(error.message).toBe(message);
    expect(error.cause).toBeDefined();
  });

  it.each([
    ['source: [1\n', 'sync.yaml:2:1: invalid YAML'],
    ['a: 1\na: 2\n', 'sync.yaml:2:1: invalid YAML: Map keys must be unique'],
    ['source:\n  uri: x\n bad: 1\n', 'sync.yaml:3:'],
    ['- a\n- b\n', 'the top level must be a mapping of keys (source:, destination:, ...), found a list'],
    ['just text\n', 'found a single value'],
  ])('reports YAML problems with the file, line and column (%#)', async (text, message) => {
    await writeFile(path.join(dir, 'sync.yaml'), text);
    const error = await loadError({ path: 'sync.yaml', cwd: dir, env: {} });
    expect(error.code).toBe('CONFIG-1002');
    expect(error.message).toContain(message);
  });

  it('refuses a YAML alias bomb', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      lines.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${String.fromCharCode(96 + level)}`).join(', ')}]`);
    }
    await writeFile(path.join(dir, 'sync.yaml'), `${lines.join('\n')}\n`);
    const error = await loadError({ path: 'sync.yaml', cwd: dir, env: {} });
    expect(error.code).toBe('CONFIG-1002');
  });

  it('treats an empty file as an empty mapping (so the required keys are reported)', async () => {
    await writeFile(path.join(dir, 'sync.yaml'), '# nothing yet\n');
    const error = await loadError({ path: 'sync.yaml', cwd: dir, env: {} });
    expect(error.code).toBe('CONFIG-1000');
    expect(error.message).toContain('source.uri: required key is missing.');
    expect(error.message).toContain('destination.uri: required key is missing.');
  });

  it.each(['config/minimal.yaml', 'config/sync.example.yaml'])('accepts the shipped example %s', async (file) => {
    const config = await loadConfig({ path: file, cwd: REPO, env: ENV });
    expect(config.destination.uri).toBe(ENV.DESTINATION_URI);
  });

  it('documents every key of the schema in config/sync.example.yaml', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(path.join(REPO, 'config/sync.example.yaml'), 'utf8');
    for (const keyPath of SCHEMA_KEY_PATHS) {
      const key = keyPath.slice(keyPath.lastIndexOf('.') + 1);
      expect(text).toMatch(new RegExp(`^\\s*#?\\s*${key}:`, 'm'));
    }
  });
});
