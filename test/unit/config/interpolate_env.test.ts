import { describe, expect, it } from '@jest/globals';
import { interpolateEnv, interpolateString } from '../../../src/config/interpolate_env.js';
import { resolveConfig } from '../../../src/config/load_config.js';
import { ConfigError } from '../../../src/errors.js';

const ENV = { HOST: 'db1', PORT: '27017', EMPTY: '', PASS: 's3cr3t' };

describe('interpolateString', () => {
  it.each([
    ['plain', 'plain', false],
    ['mongodb://${HOST}:${PORT}', 'mongodb://db1:27017', true],
    ['${HOST}${HOST}', 'db1db1', true],
    ['x${EMPTY}y', 'xy', true],
    ['$${HOST}', '${HOST}', false],
    // Left to right: a literal "$", then the "$${" escape.
    ['$$${HOST}', '$${HOST}', false],
    ['cost: $5', 'cost: $5', false],
    ['$', '$', false],
    ['{HOST}', '{HOST}', false],
  ])('turns %j into %j', (text, expected, referenced) => {
    const result = interpolateString(text, ENV, 'k');
    expect(result.problems).toEqual([]);
    expect(result.text).toBe(expected);
    expect(result.referenced).toBe(referenced);
  });

  it.each([
    ['${MISSING}', 'environment variable MISSING is not set'],
    ['a ${HOST} ${NOPE}', 'environment variable NOPE is not set'],
    ['${', 'malformed environment reference "${"'],
    ['${HOST', 'malformed environment reference "${HOST"'],
    ['${1ABC}', 'malformed environment reference "${1ABC}"'],
    ['${A-B}', 'malformed environment reference "${A-B}"'],
    ['${}', 'malformed environment reference "${}"'],
  ])('reports %j', (text, problem) => {
    const [first] = interpolateString(text, ENV, 'source.uri').problems;
    expect(first).toMatchObject({ code: 'CONFIG-1006', keyPath: 'source.uri', problem });
  });
});

describe('interpolateEnv', () => {
  it('interpolates nested values but not keys, and records the paths', () => {
    const result = interpolateEnv({ '${HOST}': 1, a: { b: ['${PORT}', 'x'] }, n: 5 }, ENV);
    expect(result.value).toEqual({ '${HOST}': 1, a: { b: ['27017', 'x'] }, n: 5 });
    expect([...result.interpolatedPaths]).toEqual(['a.b[0]']);
  });

  it('does not modify its input', () => {
    const input = { a: '${HOST}' };
    interpolateEnv(input, ENV);
    expect(input).toEqual({ a: '${HOST}' });
  });
});

describe('interpolation in resolveConfig', () => {
  const resolve = (text: string, env: Record<string, string>) =>
    resolveConfig({ text, fileLabel: 'sync.yaml', configDir: '/', cwd: '/', env });

  it('resolves URIs and converts interpolated numbers and booleans', () => {
    const config = resolve(
      'source:\n  uri: mongodb://u:${PASS}@${HOST}:${PORT}\ndestination:\n  uri: ${DEST}\n' +
        'copy:\n  parallelism: ${PAR}\nreversible: ${REV}\nenableUserWriteBlocking: sourceAndDestination\n',
      { ...ENV, DEST: 'mongodb://other', PAR: '8', REV: 'true' },
    );
    expect(config.source.uri).toBe('mongodb://u:s3cr3t@db1:27017');
    expect(config.copy.parallelism).toBe(8);
    expect(config.reversible).toBe(true);
  });

  it('names the key path and the variable when one is missing, and nothing else about that key', () => {
    let error: unknown;
    try {
      resolve('source:\n  uri: ${SOURCE_URI}\ndestination:\n  uri: mongodb://b\n', {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG-1006');
    expect((error as ConfigError).message).toBe(
      'source.uri (sync.yaml:2:8, after ${...} substitution): environment variable SOURCE_URI is not set.',
    );
    expect((error as ConfigError).hint).toContain('Export SOURCE_URI');
  });

  it('never shows a password that came from the environment', () => {
    let error: unknown;
    try {
      // An unescaped "/" in the password makes the URI invalid.
      resolve('source:\n  uri: mongodb://u:${PASS}@h\ndestination:\n  uri: mongodb://b\n', { PASS: 's3c/r3t' });
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigError).code).toBe('CONFIG-1007');
    expect((error as ConfigError).message).toContain('mongodb://u:****@h');
    expect((error as ConfigError).message).not.toContain('s3c');
    expect(JSON.stringify((error as ConfigError).details)).not.toContain('s3c');
  });
});
