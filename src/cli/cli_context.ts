/**
 * What command modules receive from `main.ts` instead of reaching for `process`: output streams, the
 * environment (passed to `loadConfig`, never read elsewhere), the working directory, and the interrupt signal.
 */
import type { LogLevel } from '../log/logger.js';

/** A text sink (process.stdout, or a buffer in tests). */
export interface TextSink {
  write(text: string): unknown;
}

/** Everything a command needs from its process. */
export interface CliContext {
  /** Command results (text, or JSON with `--json`). */
  readonly stdout: TextSink;
  /** Error reports; logs go to stderr as well, through the logger. */
  readonly stderr: TextSink;
  /** Environment for `${NAME}` references in the configuration. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths on the command line resolve against. */
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop and throw `InterruptedError`. */
  readonly signal: AbortSignal;
  /**
   * Where a command reads a confirmation typed by the operator (`sync reset`); only asked when `isTTY`. Unset: no
   * terminal (in-process tests), so such commands refuse unless told not to ask (`--yes`).
   */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /**
   * The effective log level, known once flags or the configuration are read; the error report shows stacks at
   * `debug`. Commands update it after loading the configuration.
   */
  logLevel: LogLevel | undefined;
}
