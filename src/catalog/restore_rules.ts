/**
 * The pure rules that take a to-side collection from its sync-time definitions (index_rules.ts,
 * collection_rules.ts) to the original ones at commit, and, for a reverse sync, the other way: the same rewrites
 * applied with collMod to a collection that already exists (the old source).
 *
 * Each rule compares the original with what the to-side holds now and returns only the collMods still needed, so
 * a commit interrupted halfway and run again does not repeat (or trip over) the steps already done.
 */
import type { Document } from 'mongodb';
import { isIdIndex, SYNC_TTL_SECONDS } from './index_rules.js';
import { SYNC_CAPPED_SIZE_BYTES } from './collection_rules.js';

/** One collection's definitions: listCollections `options` and listIndexes specs. */
export interface CollectionDefinitions {
  readonly options: Document;
  readonly indexes: readonly Document[];
}

/**
 * The collMods of a restore, in two phases: `prepare` makes every originally unique index refuse new duplicates
 * (prepareUnique), after which applications may write (mongosync's `canWrite`); `finish` converts them to unique
 * and restores TTL values, hidden flags and capped sizes.
 */
export interface RestorePlan {
  readonly prepare: readonly Document[];
  readonly finish: readonly Document[];
}

/** BSON numbers decoded with exact types are Int32/Double/Long instances; this reads any of them as a number. */
function numeric(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number((value as { valueOf(): unknown }).valueOf());
  return Number.isNaN(n) ? undefined : n;
}

function indexByName(indexes: readonly Document[]): Map<string, Document> {
  return new Map(indexes.map((spec) => [String(spec.name), spec]));
}

const indexMod = (coll: string, name: unknown, change: Document): Document => ({ collMod: coll, index: { name, ...change } });

/** The collMods that give the to-side collection `coll` its original definitions back. */
export function restorePlan(coll: string, original: CollectionDefinitions, current: CollectionDefinitions): RestorePlan {
  const prepare: Document[] = [];
  const finish: Document[] = [];
  const present = indexByName(current.indexes);
  for (const spec of original.indexes) {
    const now = present.get(String(spec.name));
    // An index missing on the to-side was never built there (buildIndexes: never) or is being dropped: nothing to restore.
    if (now === undefined || isIdIndex(spec)) continue;
    if (spec.unique === true && now.unique !== true) {
      if (now.prepareUnique !== true) prepare.push(indexMod(coll, spec.name, { prepareUnique: true }));
      finish.push(indexMod(coll, spec.name, { unique: true }));
    } else if (spec.prepareUnique === true && now.prepareUnique !== true && now.unique !== true) {
      finish.push(indexMod(coll, spec.name, { prepareUnique: true }));
    }
    const ttl = numeric(spec.expireAfterSeconds);
    if (ttl !== undefined && numeric(now.expireAfterSeconds) !== ttl) {
      finish.push(indexMod(coll, spec.name, { expireAfterSeconds: spec.expireAfterSeconds }));
    }
    if (spec.hidden === true && now.hidden !== true) finish.push(indexMod(coll, spec.name, { hidden: true }));
  }
  if (original.options.capped === true) {
    const size = numeric(original.options.size);
    const max = numeric(original.options.max);
    if (numeric(current.options.size) !== size || numeric(current.options.max) !== max) {
      finish.push({ collMod: coll, cappedSize: original.options.size, ...(max !== undefined ? { cappedMax: original.options.max } : {}) });
    }
  }
  return { prepare, finish };
}

/**
 * The collMods that put the sync-time rewrites on an existing collection (the old source, before a reverse sync
 * writes into it): unique -> non-unique, TTL -> 2147483647, hidden -> visible, capped -> the largest size. A capped
 * collection's document maximum is kept (collMod cannot remove one); events arrive in source order per document.
 */
export function syncRewritePlan(coll: string, current: CollectionDefinitions): Document[] {
  const commands: Document[] = [];
  for (const spec of current.indexes) {
    if (isIdIndex(spec)) continue;
    // mongod refuses `unique: false`; forceNonUnique is its way back to a non-unique index.
    if (spec.unique === true) commands.push(indexMod(coll, spec.name, { forceNonUnique: true }));
    else if (spec.prepareUnique === true) commands.push(indexMod(coll, spec.name, { prepareUnique: false }));
    const ttl = numeric(spec.expireAfterSeconds);
    if (ttl !== undefined && ttl !== SYNC_TTL_SECONDS) commands.push(indexMod(coll, spec.name, { expireAfterSeconds: SYNC_TTL_SECONDS }));
    if (spec.hidden === true) commands.push(indexMod(coll, spec.name, { hidden: false }));
  }
  if (current.options.capped === true && numeric(current.options.size) !== SYNC_CAPPED_SIZE_BYTES) {
    commands.push({ collMod: coll, cappedSize: SYNC_CAPPED_SIZE_BYTES });
  }
  return commands;
}
