/**
 * Process exit codes, and the one mapping from an error to its code. Scripts and cron jobs rely on these values:
 * never change one.
 */
import {
  ConfigError,
  CopyError,
  ERROR_CODES,
  InterruptedError,
  PreflightError,
  StateError,
  UsageError,
  VerifyError,
} from '../errors.js';

/** Exit codes of the `sync` command. */
export const EXIT_CODES = Object.freeze({
  /** The command did what it was asked. */
  OK: 0,
  /** An unexpected error: a bug (file an issue). */
  INTERNAL: 1,
  /** `sync verify` found differences between source and destination (the report says which). */
  DIFFERENCES_FOUND: 1,
  /** The command line or the configuration is invalid, or the command does not fit the migration's state. */
  USAGE: 2,
  /** A preflight check refused the clusters (topology, version, privileges, non-empty destination). */
  PREFLIGHT: 3,
  /** The migration is in the FAILED state. */
  MIGRATION_FAILED: 4,
  /** Interrupted by SIGINT or SIGTERM (128 + SIGINT's number, as shells report it). */
  INTERRUPTED: 130,
} as const);

/** An exit code value. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT_CODES.USAGE;
  if (error instanceof PreflightError) return EXIT_CODES.PREFLIGHT;
  if (error instanceof StateError) {
    return error.code === ERROR_CODES.STATE_MIGRATION_FAILED ? EXIT_CODES.MIGRATION_FAILED : EXIT_CODES.USAGE;
  }
  if (error instanceof InterruptedError) return EXIT_CODES.INTERRUPTED;
  if (error instanceof VerifyError) return EXIT_CODES.DIFFERENCES_FOUND;
  if (error instanceof CopyError) return EXIT_CODES.MIGRATION_FAILED;
  return EXIT_CODES.INTERNAL;
}
