import { describe, expect, it } from '@jest/globals';
import { EXIT_CODES, exitCodeFor } from '../../../src/cli/exit_codes.js';
import { formatError, toSyncError } from '../../../src/cli/report_error.js';
import {
  ConfigError,
  ERROR_CODES,
  InternalError,
  InterruptedError,
  PreflightError,
  StateError,
  UsageError,
  VerifyError,
} from '../../../src/errors.js';

describe('exitCodeFor', () => {
  it.each([
    [new ConfigError(ERROR_CODES.CONFIG_INVALID_VALUE, 'x'), 2],
    [new UsageError('x'), 2],
    [new PreflightError(ERROR_CODES.PREFLIGHT_CONNECTION_FAILED, 'x'), 3],
    [new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, 'x'), 2],
    [new StateError(ERROR_CODES.STATE_MIGRATION_FAILED, 'x'), 4],
    [new InterruptedError(), 130],
    [new VerifyError(ERROR_CODES.VERIFY_DIFFERENCES_FOUND, 'x'), 1],
    [new InternalError('x'), 1],
    [new TypeError('x'), 1],
    ['a string', 1],
  ])('%# maps to %d', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  it('has the documented values', () => {
    expect(EXIT_CODES).toEqual({ OK: 0, INTERNAL: 1, DIFFERENCES_FOUND: 1, USAGE: 2, PREFLIGHT: 3, MIGRATION_FAILED: 4, INTERRUPTED: 130 });
  });
});

describe('formatError', () => {
  it('prints name [code]: message and the hint', () => {
    const error = new ConfigError(ERROR_CODES.CONFIG_INVALID_VALUE, 'copy.parallelism: expected 1-64, found 0.', {
      hint: 'Set it.',
    });
    expect(formatError(error, { showStack: false })).toBe(
      'ConfigError [CONFIG-1004]: copy.parallelism: expected 1-64, found 0.\nhint: Set it.\n',
    );
  });

  it('wraps unexpected errors as internal errors, redacted', () => {
    const text = formatError(new TypeError('boom at mongodb://u:pw@h'), { showStack: false });
    expect(text).toMatch(/^InternalError \[INTERNAL-9001\]: Unexpected error: boom at mongodb:\/\/u:\*\*\*\*@h\nhint: This is a bug/);
    expect(toSyncError('plain').message).toBe('Unexpected error: plain');
  });

  it('prints the causes and stacks when asked, redacted', () => {
    const cause = new Error('auth failed for mongodb://u:pw@h');
    const text = formatError(new PreflightError(ERROR_CODES.PREFLIGHT_CONNECTION_FAILED, 'Cannot connect.', { cause }), {
      showStack: true,
    });
    expect(text).toContain('caused by: Error: auth failed for mongodb://u:****@h');
    expect(text).toContain('    at ');
    expect(text).not.toContain(':pw@');
  });
});
