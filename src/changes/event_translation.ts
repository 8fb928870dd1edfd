/**
 * The pure rule that turns one source change event into what the destination must do: idempotent document writes,
 * a DDL barrier, or nothing.
 *
 * ## Document events
 * - insert, replace -> replacement of the document found by `documentKey`, with upsert;
 * - update -> replacement (with upsert) by the looked-up `fullDocument` when the stream ran with
 *   `fullDocument: 'updateLookup'` and the document was found;
 * - update whose lookup found nothing (`fullDocument: null`) -> the `updateDescription` as `$set`/`$unset`
 *   (`truncatedArrays` as `$push {$each: [], $slice: n}`), without upsert and "best effort": its write errors are
 *   ignored;
 * - delete -> delete by `documentKey`.
 *
 * ## Why the looked-up document and not the delta
 * The lookup returns the document as it is when the server reads the event (time L >= the event's time t), so after
 * applying an event of a document the destination holds a state the source really had at some time >= t. Replacing
 * is total: it succeeds on any destination state (missing, older, newer) and reproduces the source's bytes, field
 * order included. A delta is not total: `$set: {"a.b": 1}` fails on a destination where a later event already made
 * `a` a string; `$push ... $slice` fails on a non-array; a field name containing a dot or starting with `$` cannot
 * be addressed by a path at all; and `$set` creates new fields in its own (sorted) order, not the source's. A delta is
 * therefore only used where no image exists, and then cannot corrupt anything that stays (see "best effort" below).
 *
 * ## Replaying any suffix of the stream (idempotence)
 * Take one document and its events e1..en (times t1 <= ... <= tn) on the source, and a destination holding any
 * state of that document that the source had at or after the checkpoint's time (this covers the copy overlapping
 * the stream and a restart from an older checkpoint). Events of one document are applied in stream order (the
 * applier routes by document key). Each write sets the destination's document to a source state at a time >= the
 * event's time: inserts and replacements to the state at t_k exactly, deletes to "absent" (the state at t_k), updates
 * to the state at L_k >= t_k. Whatever the destination held before, after the last event en it holds the source's
 * state at some time >= tn; no event of the document follows before the catch-up time, so that state is the
 * document's state at the catch-up time (or a later one, whose events are still to come and are handled alike).
 * Intermediate states may move backwards (an insert's image after a newer lookup) but never stick. Replaying the
 * same suffix twice performs the same writes, so the result is the same.
 *
 * Best-effort deltas: a lookup finds nothing when the document was deleted, or its collection dropped or renamed,
 * after the event. For a deletion or a drop, a delete or drop event follows and removes whatever the delta did (an
 * update without upsert never creates the document, and its errors are ignored). For a rename, the rename event
 * follows and the delta is what carries the update into the renamed collection; there the destination holds the
 * state the events before left it in, so the deltas apply in order as they did on the source (unless the rename
 * becomes a resync, whose copy replaces whatever the deltas did).
 *
 * ## DDL events
 * create, drop, rename, dropDatabase, createIndexes, dropIndexes and modify become {@link BarrierOperation}s: data
 * that the applier runs alone, after every writer has flushed. Indexes and collections get the temporary rewrites
 * of the copy (`catalog/index_rules.ts`, `catalog/collection_rules.ts`); the originals travel with the operation so
 * that commit can restore them. Replaying a barrier is harmless for create, drop, index, collMod and resync
 * operations (existing or missing targets are accepted, a resync starts over); a rename is only safe to replay when
 * its source no longer exists, which is why the applier checkpoints right after every barrier.
 *
 * ## Renames and copies
 * Renaming a collection on the destination moves what the destination holds; that is the source's collection only
 * if every document of it reached the destination through events or through a copy that read it entirely under
 * its old name. A copy (the initial one, or a resync) reads a collection over a span of time and finds nothing more
 * under a name the collection left: a rename at or before the copy's end (`copiedUntil`) may have hidden documents
 * from it, and the destination's collection under the old name is then incomplete (or empty, or another
 * collection's). Such a rename becomes a `resync` of the new name: drop both names on the destination and copy the
 * collection again from the source, reading after the rename. The events after the rename then replay onto
 * documents in a state at or after their own time, which is the case the idempotence argument above covers; a
 * rename among them that the new copy may have missed is at or before that copy's end, so it is a resync again.
 * A collection renamed into the filtered set from outside it is resynced too (the destination holds none of it).
 */
import type { Document, Timestamp } from 'mongodb';
import type { ExactDocument } from '../bson/exact_document.js';
import { collectionOptionsForSync } from '../catalog/collection_rules.js';
import { indexForSync, isIdIndex } from '../catalog/index_rules.js';
import { namespace, type Namespace } from '../catalog/namespace.js';
import { isNamespaceIncluded, type NamespaceFilterOptions } from '../catalog/namespace_filter.js';
import type { BuildIndexes } from '../config/schema.js';
import { compareTimestamps, fieldOf, type EventUpdateDescription, type SourceChangeEvent } from './change_event.js';

/** One write to one destination document. */
export type DocumentWrite =
  /** replaceOne with upsert: total, sets the document to `replacement`. */
  | { readonly kind: 'replace'; readonly filter: ExactDocument; readonly replacement: ExactDocument }
  /** deleteOne: total, removes the document. */
  | { readonly kind: 'delete'; readonly filter: ExactDocument }
  /**
   * updateOne without upsert, from an update's delta. `bestEffort`: a write error is ignored (see the module
   * comment); otherwise it fails the run.
   */
  | { readonly kind: 'update'; readonly filter: ExactDocument; readonly update: Document; readonly bestEffort: boolean };

/** DDL run on the destination alone, after every writer has flushed. */
export type BarrierOperation =
  | { readonly kind: 'createCollection'; readonly ns: Namespace; readonly options: Document; readonly original: Document }
  | { readonly kind: 'createView'; readonly ns: Namespace; readonly options: Document }
  | { readonly kind: 'drop'; readonly ns: Namespace }
  | { readonly kind: 'rename'; readonly from: Namespace; readonly to: Namespace }
  | { readonly kind: 'dropDatabase'; readonly db: string }
  /** `indexes` as created while syncing, `originals` as on the source (for commit). */
  | { readonly kind: 'createIndexes'; readonly ns: Namespace; readonly indexes: readonly Document[]; readonly originals: readonly Document[] }
  | { readonly kind: 'dropIndexes'; readonly ns: Namespace; readonly names: readonly string[] }
  /**
   * collMod with the sync-time rewrites applied (`changes`, may be empty: then only `original` is recorded);
   * `original` is the event's operationDescription.
   */
  | { readonly kind: 'collMod'; readonly ns: Namespace; readonly changes: Document; readonly original: Document }
  /**
   * Copy the collection `ns` again from the source, reading after the event (see "Renames and copies"): it was
   * renamed into the filtered set from outside it, or renamed from `renamedFrom` (dropped on the destination) at or
   * before the end of a copy that read it.
   */
  | { readonly kind: 'resync'; readonly ns: Namespace; readonly renamedFrom?: Namespace };

/** What to do for one event. */
export type Translation =
  | {
      readonly kind: 'writes';
      readonly ns: Namespace;
      /** The document's `_id` (exact), for routing. */
      readonly documentId: unknown;
      readonly writes: readonly DocumentWrite[];
    }
  | { readonly kind: 'barrier'; readonly operation: BarrierOperation; readonly warnings: readonly string[] }
  | { readonly kind: 'skip'; readonly reason: string; readonly warning?: string }
  /** The event cannot be applied faithfully: the run must stop. */
  | { readonly kind: 'failure'; readonly reason: string };

/**
 * The namespaces whose destination documents came from a copy, and when each copy ended (see "Renames and
 * copies"). Keys are `db.coll`.
 */
export interface CopiedNamespaces {
  /** The namespaces the initial copy read (empty when there was none, e.g. in a reverse sync). */
  readonly namespaces: ReadonlySet<string>;
  /** The source's cluster time when the initial copy ended. */
  readonly endedAt: Timestamp;
  /**
   * Namespaces copied again by a resync, each with the source's cluster time when that copy ended. The resync adds
   * to this map while the run goes on (a barrier completes before the next event is translated); absent: none.
   */
  readonly resynced?: ReadonlyMap<string, Timestamp>;
}

/** What translation needs to know about the migration. */
export interface TranslationOptions {
  readonly filter: NamespaceFilterOptions;
  /** `buildIndexes: never` ignores index DDL. */
  readonly buildIndexes: BuildIndexes;
  /** The stream ran with `fullDocument: 'updateLookup'`. */
  readonly updateLookup: boolean;
  /**
   * What the copies read and when they ended: a rename of one of these namespaces at or before the end of its copy
   * becomes a resync. Absent (a migration started by a version that did not record the copy's end): renames are
   * replayed as renames.
   */
  readonly initialCopy?: CopiedNamespaces;
}

/**
 * The latest end of a copy that read `ns` (the initial copy's end if it read it, or a later resync's), or undefined
 * when no copy read it. A rename of `ns` at or before this time may have hidden documents from that copy.
 */
export function copiedUntil(copies: CopiedNamespaces | undefined, ns: Namespace): Timestamp | undefined {
  if (copies === undefined) return undefined;
  const key = `${ns.db}.${ns.coll}`;
  const initial = copies.namespaces.has(key) ? copies.endedAt : undefined;
  const resynced = copies.resynced?.get(key);
  if (initial === undefined || resynced === undefined) return resynced ?? initial;
  return compareTimestamps(resynced, initial) > 0 ? resynced : initial;
}

const SKIPPED_DDL: ReadonlySet<string> = new Set(['shardCollection', 'reshardCollection', 'refineCollectionShardKey']);

/** The translation of one event (see the module comment). */
export function translateEvent(event: SourceChangeEvent, options: TranslationOptions): Translation {
  const { ns } = event;
  const target = ns.coll === undefined ? undefined : namespace(ns.db, ns.coll);
  const included = target !== undefined && isNamespaceIncluded(options.filter, target);
  switch (event.operationType) {
    case 'insert':
    case 'replace':
    case 'update':
    case 'delete':
      if (!included) return { kind: 'skip', reason: 'namespace not synced' };
      return translateDocumentEvent(event, target, options);
    case 'rename':
      return translateRename(event, options);
    case 'dropDatabase':
      return translateDropDatabase(event.ns.db, options.filter);
    case 'create':
    case 'drop':
    case 'createIndexes':
    case 'dropIndexes':
    case 'modify':
      if (!included) return { kind: 'skip', reason: 'namespace not synced' };
      return translateDdl(event, target, options);
    case 'invalidate':
      return { kind: 'failure', reason: 'the deployment-wide change stream was invalidated' };
    default:
      if (SKIPPED_DDL.has(event.operationType)) {
        return { kind: 'skip', reason: 'sharding event', warning: `${event.operationType} on ${ns.db}.${ns.coll ?? ''} is not replayed on the destination` };
      }
      return { kind: 'skip', reason: 'unknown event', warning: `change event ${event.operationType} is not handled and was skipped` };
  }
}

function translateDocumentEvent(event: SourceChangeEvent, ns: Namespace, options: TranslationOptions): Translation {
  const filter = event.documentKey;
  if (filter === undefined) return { kind: 'failure', reason: `${event.operationType} event without documentKey on ${ns.db}.${ns.coll}` };
  const documentId = fieldOf(filter, '_id');
  const writes = (list: DocumentWrite[]): Translation => ({ kind: 'writes', ns, documentId, writes: list });
  const full = event.fullDocument;
  switch (event.operationType) {
    case 'delete':
      return writes([{ kind: 'delete', filter }]);
    case 'insert':
    case 'replace':
      if (full === undefined || full === null) return { kind: 'failure', reason: `${event.operationType} event without fullDocument on ${ns.db}.${ns.coll}` };
      return writes([{ kind: 'replace', filter, replacement: full }]);
    default: {
      if (options.updateLookup && full !== undefined && full !== null) return writes([{ kind: 'replace', filter, replacement: full }]);
      const bestEffort = options.updateLookup;
      const description = event.updateDescription;
      if (description === undefined) {
        return bestEffort
          ? { kind: 'skip', reason: 'document gone since the update' }
          : { kind: 'failure', reason: `update event without updateDescription on ${ns.db}.${ns.coll}` };
      }
      const delta = updatesFromDelta(description);
      if (delta === undefined) {
        return bestEffort
          ? { kind: 'skip', reason: 'document gone since the update; its delta cannot be expressed as a path update' }
          : { kind: 'failure', reason: `an update on ${ns.db}.${ns.coll} names a field that update paths cannot address` };
      }
      if (delta.length === 0) return { kind: 'skip', reason: 'empty update' };
      return writes(delta.map((update) => ({ kind: 'update', filter, update, bestEffort })));
    }
  }
}

/**
 * The update documents that apply a delta, in order: array truncations first (`$push` with `$slice` cannot share an
 * update with a `$set` of one of the array's elements), then `$set`/`$unset`. Undefined when a path has a component
 * that update paths cannot name (a field name with a dot, starting with `$`, or empty). Numeric components are left
 * to the document's shape: an array index on an array, a field name on a document, as in the event's own document.
 */
export function updatesFromDelta(description: EventUpdateDescription): Document[] | undefined {
  const paths = [
    ...description.updatedFields.map(([path]) => path),
    ...description.removedFields,
    ...description.truncatedArrays.map((t) => t.field),
  ];
  for (const path of paths) {
    const parts = description.disambiguatedPaths[path] ?? path.split('.');
    if (!parts.every((p) => typeof p === 'number' || isAddressable(p))) return undefined;
  }
  const out: Document[] = [];
  if (description.truncatedArrays.length > 0) {
    const push: Document = {};
    for (const { field, newSize } of description.truncatedArrays) push[field] = { $each: [], $slice: newSize };
    out.push({ $push: push });
  }
  const update: Document = {};
  if (description.updatedFields.length > 0) update.$set = Object.fromEntries(description.updatedFields);
  if (description.removedFields.length > 0) update.$unset = Object.fromEntries(description.removedFields.map((f) => [f, '']));
  if (Object.keys(update).length > 0) out.push(update);
  return out;
}

function isAddressable(part: string): boolean {
  return part.length > 0 && !part.includes('.') && !part.startsWith('$');
}

function translateRename(event: SourceChangeEvent, options: TranslationOptions): Translation {
  const { ns, to } = event;
  if (ns.coll === undefined || to === undefined) return { kind: 'failure', reason: 'rename event without source or target namespace' };
  const from = namespace(ns.db, ns.coll);
  const target = namespace(to.db, to.coll);
  const fromIncluded = isNamespaceIncluded(options.filter, from);
  const toIncluded = isNamespaceIncluded(options.filter, target);
  if (fromIncluded && toIncluded) {
    const until = copiedUntil(options.initialCopy, from);
    const hidden = until !== undefined && compareTimestamps(event.clusterTime, until) <= 0;
    return barrier(hidden ? { kind: 'resync', ns: target, renamedFrom: from } : { kind: 'rename', from, to: target });
  }
  // Out of the filtered set: whatever a copy missed is no longer synced.
  if (fromIncluded) return barrier({ kind: 'drop', ns: from });
  if (toIncluded) return barrier({ kind: 'resync', ns: target });
  return { kind: 'skip', reason: 'namespace not synced' };
}

/**
 * mongod reports a drop of each collection before a dropDatabase, so the per-collection drops already did the work;
 * the database itself is only dropped when the filter syncs all of it (then views and anything else go too).
 */
function translateDropDatabase(db: string, filter: NamespaceFilterOptions): Translation {
  const unfiltered = filter.includeNamespaces === undefined && (filter.excludeNamespaces ?? []).length === 0;
  if (!unfiltered || !isNamespaceIncluded(filter, namespace(db, 'any'))) {
    return { kind: 'skip', reason: 'filtered migration: collections were dropped one by one' };
  }
  return barrier({ kind: 'dropDatabase', db });
}

function translateDdl(event: SourceChangeEvent, ns: Namespace, options: TranslationOptions): Translation {
  const description = event.operationDescription ?? {};
  switch (event.operationType) {
    case 'create': {
      if (description.viewOn !== undefined) return barrier({ kind: 'createView', ns, options: { ...description } });
      // The _id index is the default one; an `idIndex` option may carry fields (ns) that create refuses.
      const { idIndex: _idIndex, ...original } = description;
      return barrier({ kind: 'createCollection', ns, options: collectionOptionsForSync(original), original });
    }
    case 'drop':
      return barrier({ kind: 'drop', ns });
    case 'createIndexes': {
      if (options.buildIndexes === 'never') return { kind: 'skip', reason: 'buildIndexes is never' };
      const originals = ((description.indexes ?? []) as Document[]).filter((spec) => !isIdIndex(spec));
      if (originals.length === 0) return { kind: 'skip', reason: 'no secondary index' };
      const rewritten = originals.map(indexForSync);
      return barrier(
        { kind: 'createIndexes', ns, indexes: rewritten.map((r) => r.spec), originals },
        rewritten.flatMap((r) => [...r.warnings]),
      );
    }
    case 'dropIndexes': {
      const names = ((description.indexes ?? []) as Document[]).map((spec) => String(spec.name)).filter((n) => n !== '_id_');
      if (names.length === 0) return { kind: 'skip', reason: 'no secondary index' };
      return barrier({ kind: 'dropIndexes', ns, names });
    }
    default:
      return barrier({ kind: 'collMod', ns, changes: collModForSync(description), original: { ...description } });
  }
}

/**
 * The collMod fields that apply on the destination while syncing: what the sync-time rewrites keep lifted (hidden,
 * TTL values, unique, capped sizes) waits for commit, like in the copy; the rest (validator, view pipeline,
 * pre-images, ...) applies now.
 */
export function collModForSync(description: Document): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(description)) {
    if (key === 'cappedSize' || key === 'cappedMax' || key === 'expireAfterSeconds' || key === 'dryRun') continue;
    if (key === 'index') {
      const { hidden: _h, expireAfterSeconds: _e, unique: _u, prepareUnique: _p, forceNonUnique: _f, ...rest } = value as Document;
      // Only the index's name or keyPattern left: nothing to change now.
      if (Object.keys(rest).some((k) => k !== 'name' && k !== 'keyPattern')) out.index = rest;
      continue;
    }
    out[key] = value;
  }
  return out;
}

function barrier(operation: BarrierOperation, warnings: readonly string[] = []): Translation {
  return { kind: 'barrier', operation, warnings };
}
