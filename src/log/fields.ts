/**
 * Builders of structured log fields, so that a value has the same field name in every entry:
 * `logger.info('Partition copied.', { ...nsField(ns), ...countField(n), ...elapsedField(startMs, nowMs) })`.
 * Messages are constant sentences; values only ever go in fields.
 */

/** A namespace as `db.coll` in field `ns`. Accepts any `{ db, coll }` value (e.g. catalog's `Namespace`). */
export function nsField(ns: { readonly db: string; readonly coll: string }): { ns: string } {
  return { ns: `${ns.db}.${ns.coll}` };
}

/** Elapsed time in field `elapsedMs`, from two readings of the same clock in milliseconds. */
export function elapsedField(startMs: number, nowMs: number): { elapsedMs: number } {
  return { elapsedMs: Math.max(0, Math.round(nowMs - startMs)) };
}

/** A size in bytes in field `sizeBytes`. */
export function sizeField(sizeBytes: number): { sizeBytes: number } {
  return { sizeBytes };
}

/** A number of items (documents, events, indexes) in field `count`. */
export function countField(count: number): { count: number } {
  return { count };
}

/** A retry attempt in fields `attempt` (1-based) and `maxAttempts`. */
export function attemptField(attempt: number, maxAttempts: number): { attempt: number; maxAttempts: number } {
  return { attempt, maxAttempts };
}

/** A copy partition's id in field `partitionId`. */
export function partitionField(partitionId: string): { partitionId: string } {
  return { partitionId };
}

/** A cluster time in field `clusterTime`, as `{t, i}` so that it reads the same in JSON and text. */
export function clusterTimeField(clusterTime: { readonly high: number; readonly low: number }): {
  clusterTime: { t: number; i: number };
} {
  return { clusterTime: { t: clusterTime.high, i: clusterTime.low } };
}

/** An error in field `error` (redacted by the log format like every field). */
export function errorField(error: unknown): { error: unknown } {
  return { error };
}
