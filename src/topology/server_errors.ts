/**
 * Which failures are worth another attempt: network trouble, a primary stepping down, an outage of either side.
 * Classified by the driver's error classes and labels first, then by server codes (mongod's RetriableError,
 * NotPrimaryError and ShutdownError categories in error_codes.yml). Everything else is a real failure.
 */
import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';

/** Labels the servers and the driver put on errors that may succeed when retried. */
export const TRANSIENT_ERROR_LABELS: readonly string[] = Object.freeze([
  'RetryableWriteError', 'ResumableChangeStreamError', 'TransientTransactionError', 'NetworkError',
]);

/** Server codes of the retriable, not-primary and shutdown categories. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<number> = new Set([
  6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 13388, 234, 133, 10058, 11601,
]);

/** True when the error may go away by itself (see the module comment). Cancellation is never transient. */
export function isTransient(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (!(error instanceof MongoError)) return false;
  if (TRANSIENT_ERROR_LABELS.some((label) => error.hasErrorLabel(label))) return true;
  return typeof error.code === 'number' && TRANSIENT_ERROR_CODES.has(error.code);
}
