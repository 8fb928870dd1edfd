import type { Document } from 'bson';
import type { Collection } from './collection.js';
import type { ServerState } from './server_state.js';
import type { OperationContext, WritePath } from './write_path.js';
import type { StoredDocument } from './stored_document.js';
import { isNumeric, toNumber } from './bson_order.js';
import { isTtlIndex } from './indexes/index_spec.js';
import { compileFilter } from './query/filter.js';
import { getPathValue } from './query/paths.js';

/**
 * TTL deletes are the server's own writes: setUserWriteBlockMode does not stop them, as on mongod.
 * (mongod 7.0 groups TTL deletes into batched `applyOps` entries; here each delete is its own `d` entry, which
 * change streams report alike.)
 */
const TTL_OPERATION: OperationContext = Object.freeze({ bypassWriteBlocking: true });

/**
 * The expiry instant of a document under a TTL index: its date field (the earliest date of an array of dates,
 * non-date values ignored) plus `expireAfterSeconds`; undefined when the document never expires.
 */
export function expiryTime(doc: Document, field: string, expireAfterSeconds: number): number | undefined {
  const value = getPathValue(doc, field.split('.'));
  const dates = (Array.isArray(value) ? value : [value]).filter((v): v is Date => v instanceof Date);
  if (dates.length === 0) return undefined;
  return Math.min(...dates.map((d) => d.getTime())) + expireAfterSeconds * 1000;
}

/** The documents of a collection that have expired at `nowMs` under its TTL indexes and clustered TTL option. */
export function expiredDocuments(collection: Collection, nowMs: number): StoredDocument[] {
  const rules: { field: string; seconds: number; partial?: (doc: Document) => boolean }[] = [];
  for (const { spec } of collection.indexes.values()) {
    if (!isTtlIndex(spec)) continue;
    const seconds = toNumber(spec.expireAfterSeconds);
    if (!Number.isFinite(seconds) || seconds < 0) continue;
    const partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression as Document) : undefined;
    rules.push({ field: Object.keys(spec.key as Document)[0], seconds, partial });
  }
  // A clustered collection's own expireAfterSeconds expires documents by their `_id` date.
  if (collection.options.clusteredIndex && isNumeric(collection.options.expireAfterSeconds)) {
    rules.push({ field: '_id', seconds: toNumber(collection.options.expireAfterSeconds) });
  }
  if (rules.length === 0) return [];
  const expired: StoredDocument[] = [];
  for (const doc of collection.naturalOrder()) {
    for (const rule of rules) {
      const decoded = doc.decode();
      const at = expiryTime(decoded, rule.field, rule.seconds);
      if (at !== undefined && at <= nowMs && (!rule.partial || rule.partial(decoded))) {
        expired.push(doc);
        break;
      }
    }
  }
  return expired;
}

/**
 * One pass of mongod's TTL monitor: deletes the expired documents of every collection with a TTL index (views,
 * capped collections and the `local` database excluded), through the write path so that the deletes reach the
 * oplog and change streams. Returns the number of documents deleted.
 */
export function runTtlPass(state: ServerState, writes: WritePath, nowMs: number): number {
  let deleted = 0;
  for (const [db, collections] of state.catalog.databases) {
    if (db === 'local') continue;
    for (const collection of [...collections.values()]) {
      if (collection.options.viewOn !== undefined || collection.isCapped) continue;
      for (const doc of expiredDocuments(collection, nowMs)) {
        if (!collection.records.has(doc.recordId)) continue;
        writes.delete(collection, doc, TTL_OPERATION);
        deleted++;
      }
    }
  }
  return deleted;
}

/** Starts the TTL monitor every `intervalMs` (mongod's ttlMonitorSleepSecs); returns its timer. */
export function startTtlMonitor(state: ServerState, writes: WritePath, intervalMs: number): NodeJS.Timeout {
  return setInterval(() => {
    try {
      runTtlPass(state, writes, Date.now());
    } catch (error) {
      state.options.log(`TTL monitor pass failed: ${(error as Error)?.stack ?? String(error)}`);
    }
  }, intervalMs).unref();
}
