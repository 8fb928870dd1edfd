import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  ERROR_CODES,
  InternalError,
  InterruptedError,
  PreflightError,
  StateError,
  SyncError,
  UsageError,
} from '../../src/errors.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CODES = Object.values(ERROR_CODES);

describe('ERROR_CODES', () => {
  it('is frozen, and every code is AREA-NNNN and unique', () => {
    expect(Object.isFrozen(ERROR_CODES)).toBe(true);
    for (const code of CODES) expect(code).toMatch(/^[A-Z]+-\d{4}$/);
    expect(new Set(CODES).size).toBe(CODES.length);
  });

  it('has every code documented in docs/errors.md, and no code there that does not exist', () => {
    const docs = readFileSync(path.join(REPO, 'docs/errors.md'), 'utf8');
    const missing = CODES.filter((code) => !docs.includes(`\`${code}\``));
    expect(missing).toEqual([]);
    const documented = [...docs.matchAll(/`([A-Z]+-\d{4})`/g)].map((match) => match[1]);
    expect(documented.filter((code) => !(CODES as readonly string[]).includes(code ?? ''))).toEqual([]);
  });

  it('gives every code a doc comment with a *Solution*', () => {
    const source = readFileSync(path.join(REPO, 'src/errors.ts'), 'utf8');
    for (const [name, code] of Object.entries(ERROR_CODES)) {
      const comment = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${name}: '${code}'`).exec(source);
      expect([name, comment?.[1]?.includes('*Solution*:') ?? false]).toEqual([name, true]);
    }
  });
});

describe('SyncError', () => {
  it('keeps code, hint, cause and details', () => {
    const cause = new Error('root');
    const error = new ConfigError(ERROR_CODES.CONFIG_INVALID_VALUE, 'bad value.', {
      hint: 'Fix it.',
      cause,
      details: { keyPath: 'copy.parallelism' },
    });
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ConfigError', code: 'CONFIG-1004', message: 'bad value.', hint: 'Fix it.' });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ keyPath: 'copy.parallelism' });
    expect(Object.isFrozen(error.details)).toBe(true);
  });

  it('redacts credentials in the message, hint and details when built', () => {
    const error = new PreflightError(
      ERROR_CODES.PREFLIGHT_CONNECTION_FAILED,
      'Cannot connect to mongodb://admin:hunter2@src:27017.',
      { hint: 'Check mongodb://admin:hunter2@src.', details: { uri: 'mongodb://admin:hunter2@src', password: 'hunter2' } },
    );
    expect(error.message).toBe('Cannot connect to mongodb://admin:****@src:27017.');
    expect(error.hint).toBe('Check mongodb://admin:****@src.');
    expect(error.details).toEqual({ uri: 'mongodb://admin:****@src', password: '****' });
  });

  it.each([
    [new ConfigError(ERROR_CODES.CONFIG_INVALID, 'x'), 'ConfigError', 'CONFIG-1000', /sync config check/],
    [new UsageError('x'), 'UsageError', 'CLI-1001', /sync --help/],
    [new InterruptedError(), 'InterruptedError', 'CLI-1002', /again/],
    [new PreflightError(ERROR_CODES.PREFLIGHT_UNSUPPORTED_TOPOLOGY, 'x', { hint: 'h' }), 'PreflightError', 'PREFLIGHT-2002', /^h$/],
    [new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, 'x'), 'StateError', 'STATE-3001', /sync status/],
    [new InternalError('x'), 'InternalError', 'INTERNAL-9001', /file an issue/],
  ])('%# has its name, code and a default hint', (error, name, code, hint) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.hint).toMatch(hint);
  });
});
