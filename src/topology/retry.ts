/**
 * The one retry loop: runs a unit of work again after transient failures, with capped exponential backoff and a
 * sleep that wakes on abort. Nothing else sleeps in a loop (STYLE §5).
 */
import type { Logger } from '../log/logger.js';

export interface RetryOptions {
  /** Whether an error is worth another attempt. Cancellation never is. */
  readonly isRetryable: (error: unknown) => boolean;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** What is retried, for the log ("change application"). */
  readonly what: string;
  /** Told of every failed attempt (the metrics count errors by code). */
  readonly onError?: (error: unknown) => void;
}

/** The delay before attempt `attempt` (2, 3, ...): initial * 2^(attempt-2), capped. */
export function backoffDelayMs(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt - 2));
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs `work` until it succeeds, fails for good, runs out of attempts, or the signal aborts. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      options.onError?.(error);
      if (options.signal.aborted || attempt >= options.maxAttempts || !options.isRetryable(error)) throw error;
      const delayMs = backoffDelayMs(attempt + 1, options.initialDelayMs, options.maxDelayMs);
      options.logger.warn(`${options.what} failed; retrying`, {
        attempt, maxAttempts: options.maxAttempts, delayMs,
        code: (error as { code?: unknown }).code, error: (error as Error).message,
      });
      await sleep(delayMs, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}
