/**
 * The tool's error types and codes.
 *
 * Every error the tool raises on purpose is a {@link SyncError}: it carries a stable `code` (`AREA-NNNN`), a
 * `hint` telling the operator what to do next, the original error as `cause`, and structured `details`. The
 * subclasses say who has to act: the user ({@link ConfigError}, {@link UsageError}), the environment
 * ({@link PreflightError}), the migration's state ({@link StateError}), or us ({@link InternalError}).
 *
 * Messages and details are passed through the credential redaction of `log/redact.ts` when the error is built, so
 * an error can be printed or logged anywhere without leaking a password from a connection string.
 */
import { redactText, redactValue } from './log/redact.js';

/**
 * Every error code the tool raises. Each code is documented in `docs/errors.md` (a unit test checks it), with the
 * same *Solution* as its comment here. Codes are stable: never reuse or renumber one.
 */
export const ERROR_CODES = Object.freeze({
  /**
   * Several configuration problems were found at once; each one is listed in the message and in
   * `details.problems` with its own code.
   *
   * *Solution*: fix each listed problem, then run `sync config check --config <file>` again.
   */
  CONFIG_INVALID: 'CONFIG-1000',
  /**
   * The configuration file could not be read (missing, a directory, or no permission).
   *
   * *Solution*: check the path given to `--config` and the file's permissions.
   */
  CONFIG_FILE_UNREADABLE: 'CONFIG-1001',
  /**
   * The configuration file is not valid YAML, or its top level is not a mapping.
   *
   * *Solution*: fix the syntax at the line and column given in the message (indentation, a missing `:` or quote,
   * a duplicated key).
   */
  CONFIG_YAML_SYNTAX: 'CONFIG-1002',
  /**
   * A key is not part of the configuration schema (often a typo).
   *
   * *Solution*: use the key suggested in the hint, or remove the key. `config/sync.example.yaml` lists every key.
   */
  CONFIG_UNKNOWN_KEY: 'CONFIG-1003',
  /**
   * A value has the wrong type or is outside the allowed range or set of values.
   *
   * *Solution*: set the key to a value of the expected form named in the message, or remove it to use the
   * default.
   */
  CONFIG_INVALID_VALUE: 'CONFIG-1004',
  /**
   * A required key (`source.uri`, `destination.uri`) is missing.
   *
   * *Solution*: add the key to the configuration file (it may reference an environment variable, e.g.
   * `uri: ${SOURCE_URI}`).
   */
  CONFIG_MISSING_KEY: 'CONFIG-1005',
  /**
   * A value references an environment variable (`${NAME}`) that is not set, or the reference is malformed.
   *
   * *Solution*: export the variable before running the command, or write `$${` for a literal `${`.
   */
  CONFIG_ENV_VARIABLE: 'CONFIG-1006',
  /**
   * A connection string is not a valid `mongodb://` or `mongodb+srv://` URI.
   *
   * *Solution*: fix the URI; special characters in the user name or password must be percent-encoded.
   */
  CONFIG_INVALID_URI: 'CONFIG-1007',
  /**
   * Two options that are valid alone cannot be combined (for example `reversible: true` without
   * `enableUserWriteBlocking: sourceAndDestination`).
   *
   * *Solution*: change one of the two keys named in the message as the hint describes.
   */
  CONFIG_CONFLICT: 'CONFIG-1008',
  /**
   * The source and destination URIs name the same host, so the tool would copy a cluster onto itself.
   *
   * *Solution*: point `destination.uri` at the other cluster.
   */
  CONFIG_SAME_CLUSTER: 'CONFIG-1009',
  /**
   * A namespace filter in `includeNamespaces` or `excludeNamespaces` is malformed: a bad `db.coll` string, both
   * `database` and `databaseRegex` in one filter, or a regular expression that does not compile.
   *
   * *Solution*: write the filter as `db.coll`, `db.*`, or a mapping with `database` or `databaseRegex` and
   * optionally `collections` or `collectionsRegex`; check the regular expression's syntax and options.
   */
  CONFIG_INVALID_NAMESPACE_FILTER: 'CONFIG-1010',

  /**
   * The command line could not be parsed: unknown command or flag, or a missing argument.
   *
   * *Solution*: run `sync --help` (or `sync <command> --help`) to see the commands and their flags.
   */
  CLI_USAGE: 'CLI-1001',
  /**
   * The command was interrupted (SIGINT or SIGTERM) before it finished. Progress already made is kept.
   *
   * *Solution*: run the command again to continue; a migration resumes from its last checkpoint.
   */
  CLI_INTERRUPTED: 'CLI-1002',

  /**
   * A cluster could not be reached or refused the connection (network, TLS, authentication).
   *
   * *Solution*: check the URI, network access, TLS options and the credentials of the cluster named in the
   * message.
   */
  PREFLIGHT_CONNECTION_FAILED: 'PREFLIGHT-2001',
  /**
   * A cluster's topology is not supported (for example a standalone server, which has no oplog to sync from).
   *
   * *Solution*: convert the standalone server to a one-member replica set, or use a replica set or sharded cluster.
   */
  PREFLIGHT_UNSUPPORTED_TOPOLOGY: 'PREFLIGHT-2002',
  /**
   * A cluster's server version is outside the supported range (6.0 to 8.x).
   *
   * *Solution*: upgrade the cluster to a supported version, or use a tool that supports the version.
   */
  PREFLIGHT_UNSUPPORTED_VERSION: 'PREFLIGHT-2003',
  /**
   * The source and the destination are the same deployment (they share replica set members).
   *
   * *Solution*: point `destination.uri` at another cluster.
   */
  PREFLIGHT_SAME_DEPLOYMENT: 'PREFLIGHT-2004',
  /**
   * The destination holds user data that this migration did not write.
   *
   * *Solution*: migrate into an empty destination: drop the listed databases there (after checking they are not
   * needed), or choose another destination.
   */
  PREFLIGHT_DESTINATION_NOT_EMPTY: 'PREFLIGHT-2005',
  /**
   * The destination holds the state of another migration (a different `id`).
   *
   * *Solution*: use the same `id` as that migration to resume it, or `sync reset` it first.
   */
  PREFLIGHT_OTHER_MIGRATION: 'PREFLIGHT-2006',
  /**
   * The source has a namespace the tool cannot sync yet (for example a time series collection).
   *
   * *Solution*: exclude the namespace with `excludeNamespaces`, and move it by other means (mongodump/mongorestore).
   */
  PREFLIGHT_UNSUPPORTED_NAMESPACE: 'PREFLIGHT-2007',
  /**
   * The user of the source or of the destination lacks privileges the migration needs; the message lists the
   * missing actions per side (on the cluster, on every database).
   *
   * *Solution*: grant the listed actions with a custom role, or the built-in roles backup, clusterMonitor and
   * readAnyDatabase on the source and clusterManager, clusterMonitor, readWriteAnyDatabase and restore on the
   * destination (in the admin database); or connect as a user that has them.
   */
  PREFLIGHT_MISSING_PRIVILEGES: 'PREFLIGHT-2008',

  /**
   * The command does not fit the migration's current state (for example `commit` before the copy is done).
   *
   * *Solution*: run `sync status` to see the state, and the command it allows next.
   */
  STATE_TRANSITION_NOT_ALLOWED: 'STATE-3001',
  /**
   * The migration is in the FAILED state; the reason is in the message.
   *
   * *Solution*: fix the cause named in the message, then `sync reset` and start again.
   */
  STATE_MIGRATION_FAILED: 'STATE-3002',
  /**
   * This process lost the migration's lease (it stalled past the lease's expiry and another process took over).
   *
   * *Solution*: let the other process finish; `sync status` shows which host drives the migration.
   */
  STATE_LEASE_LOST: 'STATE-3003',
  /**
   * The destination holds no migration with the configured `id`.
   *
   * *Solution*: check `id` in the configuration, or start the migration with `sync start`.
   */
  STATE_NO_MIGRATION: 'STATE-3004',
  /**
   * Writes kept arriving on the source during a commit that does not write-block the source
   * (`enableUserWriteBlocking: destinationOnly` or `none`); the commit was abandoned and the migration is RUNNING.
   *
   * *Solution*: stop the applications' writes to the source, then run `sync commit` again (or use
   * `enableUserWriteBlocking: sourceAndDestination` so that commit blocks them).
   */
  STATE_WRITES_DURING_COMMIT: 'STATE-3005',
  /**
   * Commit could not restore an original index or collection option on the destination (for example a unique index
   * whose keys are duplicated there); the migration stays COMMITTING.
   *
   * *Solution*: fix the cause named in the message (the server's error says which index and documents), then run
   * `sync commit` again: it continues where it stopped.
   */
  STATE_COMMIT_RESTORE_FAILED: 'STATE-3006',

  /**
   * `sync verify` found differences between the source and the destination (a missing or extra namespace, other
   * document counts or bytes, other options or indexes); the report on stdout lists them with sample `_id`s.
   *
   * *Solution*: while the migration runs, writes not yet applied show as differences: wait until the lag is near
   * zero with writes paused (or commit), then verify again. Differences that remain mean the destination is not a
   * faithful copy: check the listed `_id`s and indexes, and file an issue with the `--json` report.
   */
  VERIFY_DIFFERENCES_FOUND: 'VERIFY-4001',

  /**
   * A source document holds a value the copy cannot reproduce byte for byte (the legacy BSON undefined or DBPointer
   * types, which the driver cannot write). The copy stops rather than alter the document.
   *
   * *Solution*: rewrite the named field on the source (e.g. `$unset` an undefined value, or store the DBPointer as
   * a DBRef), or exclude the namespace with `excludeNamespaces`, then run `sync start` again.
   */
  COPY_UNWRITABLE_VALUE: 'COPY-5001',

  /**
   * An unexpected error: this is a bug in the tool.
   *
   * *Solution*: run the command again with `--log-level debug` and file an issue with the output and the log.
   */
  INTERNAL_UNEXPECTED: 'INTERNAL-9001',
} as const);

/** The name of an error code, e.g. `CONFIG_UNKNOWN_KEY`. */
export type ErrorCodeName = keyof typeof ERROR_CODES;
/** An error code value, e.g. `CONFIG-1003`. */
export type ErrorCode = (typeof ERROR_CODES)[ErrorCodeName];
/** Codes of one area, e.g. `AreaCode<'CONFIG'>` is every `CONFIG-NNNN`. */
export type AreaCode<Area extends string> = Extract<ErrorCode, `${Area}-${string}`>;

/** Options shared by every {@link SyncError} constructor. */
export interface SyncErrorOptions {
  /** The operator's next step, one sentence. Unset: the subclass's default hint. */
  readonly hint?: string;
  /** The original error, always passed when one exists. */
  readonly cause?: unknown;
  /** Structured context (key path, value found, namespace...). Redacted when the error is built. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error the tool raises on purpose. */
export class SyncError extends Error {
  override readonly name: string = 'SyncError';
  /** Stable code, `AREA-NNNN`, documented in `docs/errors.md`. */
  readonly code: ErrorCode;
  /** What the operator should do next; empty when there is nothing to add to the message. */
  readonly hint: string;
  /** Structured context, credentials already redacted. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = redactText(options.hint ?? '');
    this.details = Object.freeze((redactValue(options.details ?? {}) ?? {}) as Record<string, unknown>);
  }
}

/** The configuration (file, environment or flags) is invalid: the user must fix it. Exit code 2. */
export class ConfigError extends SyncError {
  override readonly name = 'ConfigError';
  constructor(code: AreaCode<'CONFIG'>, message: string, options: SyncErrorOptions = {}) {
    super(code, message, {
      ...options,
      hint: options.hint ?? 'Fix the configuration, then run `sync config check --config <file>`.',
    });
  }
}

/** The command line is invalid (unknown command or flag). Exit code 2. */
export class UsageError extends SyncError {
  override readonly name = 'UsageError';
  constructor(message: string, options: SyncErrorOptions = {}) {
    super(ERROR_CODES.CLI_USAGE, message, {
      ...options,
      hint: options.hint ?? 'Run `sync --help` to see the commands and their flags.',
    });
  }
}

/** The command was interrupted by a signal. Exit code 130. */
export class InterruptedError extends SyncError {
  override readonly name = 'InterruptedError';
  constructor(message = 'Interrupted.', options: SyncErrorOptions = {}) {
    super(ERROR_CODES.CLI_INTERRUPTED, message, {
      ...options,
      hint: options.hint ?? 'Run the command again to continue from the last checkpoint.',
    });
  }
}

/**
 * The environment does not allow the migration: topology, server version, privileges, a non-empty destination.
 * Exit code 3.
 */
export class PreflightError extends SyncError {
  override readonly name = 'PreflightError';
  constructor(code: AreaCode<'PREFLIGHT'>, message: string, options: SyncErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * The command does not fit the migration's state (exit code 2), or the migration has FAILED (exit code 4).
 */
export class StateError extends SyncError {
  override readonly name = 'StateError';
  constructor(code: AreaCode<'STATE'>, message: string, options: SyncErrorOptions = {}) {
    super(code, message, {
      ...options,
      hint: options.hint ?? 'Run `sync status` to see the migration state.',
    });
  }
}

/**
 * `sync verify` found the source and the destination different. Exit code 1 (as `diff` and `cmp` do: 1 means
 * "different", 2 and above mean "could not compare").
 */
export class VerifyError extends SyncError {
  override readonly name = 'VerifyError';
  constructor(code: AreaCode<'VERIFY'>, message: string, options: SyncErrorOptions = {}) {
    super(code, message, {
      ...options,
      hint:
        options.hint ??
        'If the migration is still running, verify again once it has caught up with writes paused; otherwise check the differences listed above.',
    });
  }
}

/** The copy met data it cannot reproduce faithfully; it stops instead of altering it. Exit code 4. */
export class CopyError extends SyncError {
  override readonly name = 'CopyError';
  constructor(code: AreaCode<'COPY'>, message: string, options: SyncErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A bug: something that should not happen did. Exit code 1. */
export class InternalError extends SyncError {
  override readonly name = 'InternalError';
  constructor(message: string, options: SyncErrorOptions = {}) {
    super(ERROR_CODES.INTERNAL_UNEXPECTED, message, {
      ...options,
      hint:
        options.hint ??
        'This is a bug: run the command again with `--log-level debug` and file an issue with the output.',
    });
  }
}

/** True when `error` is one of the tool's own errors. */
export function isSyncError(error: unknown): error is SyncError {
  return error instanceof SyncError;
}
