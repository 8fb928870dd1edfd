/**
 * How an error that ended a command is shown on stderr: `name [code]: message`, then the hint, then (at debug
 * level only) the stack and the chain of causes. Everything printed is redacted.
 */
import { InternalError, isSyncError, type SyncError } from '../errors.js';
import { redactText } from '../log/redact.js';

/** Options of {@link formatError}. */
export interface FormatErrorOptions {
  /** Print the stack and the causes (when the log level is debug). */
  readonly showStack: boolean;
}

/** Turns anything thrown into the tool's error type: non-tool errors become an `InternalError` (a bug). */
export function toSyncError(error: unknown): SyncError {
  if (isSyncError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`Unexpected error: ${message}`, { cause: error });
}

/** The text printed for an error, ending with a newline. */
export function formatError(error: unknown, options: FormatErrorOptions): string {
  const syncError = toSyncError(error);
  const lines = [`${syncError.name} [${syncError.code}]: ${syncError.message}`];
  if (syncError.hint !== '') lines.push(`hint: ${syncError.hint}`);
  if (options.showStack) {
    let current: unknown = syncError;
    const seen = new Set<unknown>();
    while (current instanceof Error && !seen.has(current)) {
      seen.add(current);
      if (current !== syncError) lines.push(`caused by: ${current.name}: ${current.message}`);
      if (current.stack !== undefined) lines.push(current.stack.split('\n').slice(1).join('\n'));
      current = current.cause;
    }
  }
  return `${redactText(lines.join('\n'))}\n`;
}
