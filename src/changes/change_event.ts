/**
 * A source change event as the rest of `changes/` sees it, decoded from the raw bytes of the change stream so that
 * documents keep their exact BSON types and field order (see `copy/exact_document.ts`), and the resume positions of
 * the stream.
 *
 * Change event shapes: https://www.mongodb.com/docs/manual/reference/change-events/
 */
import { Timestamp, type Document } from 'mongodb';
import { toExactDocument, type ExactDocument } from '../bson/exact_document.js';
import { BSON_TYPES, decodeElement, elementsByName, rawValueBytes } from '../bson/raw_elements.js';

/** A namespace as a change event names it: `coll` is absent for database events (dropDatabase). */
export interface EventNamespace {
  readonly db: string;
  readonly coll?: string;
}

/** An update's `updateDescription`, with the updated values decoded exactly. */
export interface EventUpdateDescription {
  /** `updatedFields` as [dotted path, new value] in event order. */
  readonly updatedFields: readonly (readonly [string, unknown])[];
  readonly removedFields: readonly string[];
  readonly truncatedArrays: readonly { readonly field: string; readonly newSize: number }[];
  /**
   * mongod 6.1+ with showExpandedEvents: for each ambiguous path (a numeric or dotted field name after the first),
   * its components, array indices as numbers and field names as strings. Empty when no path is ambiguous.
   */
  readonly disambiguatedPaths: Readonly<Record<string, readonly (string | number)[]>>;
}

/** One change event. */
export interface SourceChangeEvent {
  readonly operationType: string;
  /** The event's `_id`: its resume token. */
  readonly resumeToken: Document;
  readonly clusterTime: Timestamp;
  readonly ns: EventNamespace;
  /** Target of a rename. */
  readonly to?: { readonly db: string; readonly coll: string };
  /** `documentKey` (`_id`, plus the shard key on sharded collections), exact. */
  readonly documentKey?: ExactDocument;
  /**
   * The document after the change: the inserted or replacement document, or for an update the looked-up current
   * version (`fullDocument: 'updateLookup'`). `null` when the lookup found no document (deleted, or its collection
   * dropped or renamed since); `undefined` when the event carries none.
   */
  readonly fullDocument?: ExactDocument | null;
  readonly updateDescription?: EventUpdateDescription;
  /** DDL details (showExpandedEvents): create options, index specs, collMod fields, rename target. */
  readonly operationDescription?: Document;
  /** Size of the event in bytes, for batching bounds. */
  readonly sizeBytes: number;
}

/** Where a stream position comes from. */
export const RESUME_POINT_KINDS = Object.freeze(['start', 'event', 'highWaterMark'] as const);
export type ResumePointKind = (typeof RESUME_POINT_KINDS)[number];

/**
 * A position in the change stream that the stream can be restarted after.
 * - `start`: where the run started (T0 or a stored checkpoint); nothing at or after it is known to be applied;
 * - `event`: the token of an event; every event up to and including it is covered;
 * - `highWaterMark`: a postBatchResumeToken with no event of its own; the stream scanned the oplog up to and including
 *   `clusterTime` and every event it found there is covered.
 */
export interface ResumePoint {
  readonly kind: ResumePointKind;
  /** The token to restart after (`startAfter`); absent for a `start` at a cluster time. */
  readonly resumeToken?: Document;
  readonly clusterTime: Timestamp;
}

/** Reads a top-level value out of a plain object or a Map (exact documents with integer-like keys are Maps). */
export function fieldOf(doc: ExactDocument, name: string): unknown {
  return doc instanceof Map ? doc.get(name) : (doc as Document)[name];
}

/** Decodes a raw change event (see the module comment). Throws on an event without `_id` (no resume token). */
export function decodeChangeEvent(raw: Uint8Array): SourceChangeEvent {
  const elements = elementsByName(raw);
  const decoded = (name: string): unknown => {
    const element = elements.get(name);
    return element === undefined ? undefined : decodeElement(raw, element);
  };
  const exact = (name: string): ExactDocument | null | undefined => {
    const element = elements.get(name);
    if (element === undefined) return undefined;
    if (element.type === BSON_TYPES.null) return null;
    if (element.type !== BSON_TYPES.document) return undefined;
    return toExactDocument(rawValueBytes(raw, element));
  };
  const resumeToken = decoded('_id') as Document | undefined;
  if (resumeToken === undefined || resumeToken === null || typeof resumeToken !== 'object') {
    throw new Error('a change event has no resume token (_id)');
  }
  const operationType = String(decoded('operationType'));
  const clusterTime = decoded('clusterTime') as Timestamp;
  const ns = (decoded('ns') ?? { db: '' }) as EventNamespace;
  const to = decoded('to') as { db: string; coll: string } | undefined;
  const documentKey = exact('documentKey') ?? undefined;
  const fullDocument = exact('fullDocument');
  const operationDescription = decoded('operationDescription') as Document | undefined;
  const updateElement = elements.get('updateDescription');
  const updateDescription = updateElement && updateElement.type === BSON_TYPES.document
    ? decodeUpdateDescription(rawValueBytes(raw, updateElement))
    : undefined;
  return {
    operationType,
    resumeToken,
    clusterTime,
    ns: ns.coll === undefined ? { db: String(ns.db) } : { db: String(ns.db), coll: String(ns.coll) },
    ...(to ? { to: { db: String(to.db), coll: String(to.coll) } } : {}),
    ...(documentKey ? { documentKey } : {}),
    ...(fullDocument !== undefined ? { fullDocument } : {}),
    ...(updateDescription ? { updateDescription } : {}),
    ...(operationDescription ? { operationDescription } : {}),
    sizeBytes: raw.byteLength,
  };
}

function decodeUpdateDescription(raw: Buffer): EventUpdateDescription {
  const elements = elementsByName(raw);
  const updated = elements.get('updatedFields');
  const values = updated && updated.type === BSON_TYPES.document ? toExactDocument(rawValueBytes(raw, updated)) : {};
  const updatedFields = values instanceof Map ? [...values.entries()] : Object.entries(values);
  const field = (name: string): unknown => {
    const element = elements.get(name);
    return element === undefined ? undefined : decodeElement(raw, element);
  };
  const removedFields = ((field('removedFields') ?? []) as unknown[]).map(String);
  const truncatedArrays = ((field('truncatedArrays') ?? []) as Document[]).map((t) => ({
    field: String(t.field),
    newSize: Number(t.newSize),
  }));
  const disambiguatedPaths: Record<string, (string | number)[]> = {};
  for (const [path, parts] of Object.entries((field('disambiguatedPaths') ?? {}) as Document)) {
    disambiguatedPaths[path] = (parts as unknown[]).map((p) => (typeof p === 'string' ? p : Number(p)));
  }
  return { updatedFields, removedFields, truncatedArrays, disambiguatedPaths };
}

/**
 * The cluster time at the head of a resume token. mongod's tokens (and the embedded server's) are hex KeyStrings
 * that start with the Timestamp type byte 0x82 followed by the time's seconds and increment, big-endian.
 * Returns undefined for a token of another form.
 */
export function clusterTimeOfToken(token: Document | undefined): Timestamp | undefined {
  const data = token?._data;
  if (typeof data !== 'string' || data.length < 18 || !/^82[0-9A-Fa-f]{16}/.test(data)) return undefined;
  return new Timestamp({ t: parseInt(data.slice(2, 10), 16), i: parseInt(data.slice(10, 18), 16) });
}

/** Compares two timestamps (seconds, then increment). */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const ta = a.high >>> 0;
  const tb = b.high >>> 0;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ia = a.low >>> 0;
  const ib = b.low >>> 0;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

/**
 * True when every event at or before `clusterTime` is covered by `point`: a later position, or a high-water mark at
 * that time or later. An event token at exactly `clusterTime` is not enough (the other operations of a transaction
 * share its time), nor is a start at exactly that time (its events are still to be read); a start after it is
 * (what came before the start is the copy's concern).
 */
export function coversClusterTime(point: ResumePoint, clusterTime: Timestamp): boolean {
  const c = compareTimestamps(point.clusterTime, clusterTime);
  if (point.kind === 'highWaterMark') return c >= 0;
  return c > 0;
}
