import type { Binary, Document, Timestamp } from 'bson';
import { RawBson, rawElements, type RawElement } from '../../bson/raw_bson.js';
import { encodeResumeToken, type ResumeTokenData } from './resume_token.js';
import { describeUpdate } from './update_description.js';
import { isEmbeddedDocument } from '../oplog_diff.js';

/** What a stream watches: one collection, one database, or the whole deployment. */
export type StreamScope =
  | { kind: 'collection'; db: string; coll: string }
  | { kind: 'database'; db: string }
  | { kind: 'cluster' };

/** Databases that never produce events on database and cluster streams, and on which streams may not be opened. */
export const INTERNAL_DATABASES: ReadonlySet<string> = new Set(['admin', 'config', 'local']);

/** One event made from an oplog entry, before the pre- and post-images are resolved. */
export interface ChangeEvent {
  readonly operationType: string;
  readonly tokenData: ResumeTokenData;
  readonly token: { _data: string };
  readonly clusterTime: Timestamp;
  readonly wallTime: unknown;
  readonly ns: { db: string; coll?: string };
  readonly uuid: Binary | undefined;
  readonly documentKey: Document | undefined;
  /** The oplog's raw `o` for inserts and replaces: returned byte for byte. */
  readonly fullDocument: RawBson | undefined;
  /** The `$v: 2` diff of an update. */
  readonly diff: Document | undefined;
  readonly operationDescription: Document | undefined;
  readonly stateBeforeChange: Document | undefined;
  /** `to` of a rename. */
  readonly to: { db: string; coll: string } | undefined;
  /** Set for events of a multi-document transaction. */
  readonly lsid: Document | undefined;
  readonly txnNumber: unknown;
  /** Position of the operation in its transaction (0 outside transactions). */
  readonly txnOpIndex: number;
  /** Position of the operation in its applyOps entry and that entry's time: the key of its pre-image. */
  readonly applyOpsIndex: number;
  readonly applyOpsTs: Timestamp;
  /** Made from a write to `<db>.system.views` (view create, modify, drop): a reduced shape. */
  readonly isViewEvent: boolean;
}

/** Options that change the events a stream sees. */
export interface EventOptions {
  showExpandedEvents: boolean;
}

/** Operation types only reported with showExpandedEvents. */
const EXPANDED_ONLY: ReadonlySet<string> = new Set(['create', 'createIndexes', 'dropIndexes', 'modify']);

/**
 * The events an oplog entry produces for a stream, in order: one for a CRUD or DDL entry in scope, one per
 * operation in scope for a transaction's applyOps entry (each with its txnOpIndex), none otherwise. Invalidations
 * are decided by the cursor ({@link invalidatesStream}).
 */
export function eventsFromOplogEntry(
  raw: Buffer, entry: Document, scope: StreamScope, options: EventOptions, partials: OplogEntryView[] = [],
): ChangeEvent[] {
  const common = { ts: entry.ts as Timestamp, wall: entry.wall };
  if (entry.op === 'c' && isEmbeddedDocument(entry.o) && Array.isArray(entry.o.applyOps)) {
    // The first entries of a large transaction are reported with its last one (which carries `count`).
    if (entry.o.partialTxn === true) return [];
    const out: ChangeEvent[] = [];
    let txnOpIndex = 0;
    for (const chunk of [...partials, { raw, doc: entry }]) {
      const oElement = findElement(chunk.raw, 0, 'o');
      const opsElement = oElement ? findElement(chunk.raw, oElement.valueStart, 'applyOps') : undefined;
      const rawOps = opsElement ? [...rawElements(chunk.raw, opsElement.valueStart)] : [];
      const ops = ((chunk.doc.o as Document).applyOps ?? []) as Document[];
      ops.forEach((inner, index) => {
        const innerRaw = rawOps[index];
        const txn = {
          lsid: entry.lsid as Document | undefined, txnNumber: entry.txnNumber, index: txnOpIndex++,
          applyOpsIndex: index, applyOpsTs: chunk.doc.ts as Timestamp,
        };
        const event = innerRaw && isEmbeddedDocument(inner)
          ? eventFromOperation(chunk.raw, innerRaw.valueStart, inner, { ...common, txn }, scope, options)
          : undefined;
        if (event) out.push(event);
      });
    }
    return out;
  }
  const event = eventFromOperation(raw, 0, entry, { ...common, txn: undefined }, scope, options);
  return event ? [event] : [];
}

/** An oplog entry as stored: its bytes and its decoded form. */
export interface OplogEntryView {
  raw: Buffer;
  doc: Document;
}

interface EntryContext {
  ts: Timestamp;
  wall: unknown;
  txn: {
    lsid: Document | undefined;
    txnNumber: unknown;
    /** Position in the whole transaction (txnOpIndex). */
    index: number;
    /** Position in its applyOps entry, and that entry's time: the pre-image key. */
    applyOpsIndex: number;
    applyOpsTs: Timestamp;
  } | undefined;
}

function findElement(raw: Buffer, docOffset: number, name: string): RawElement | undefined {
  for (const el of rawElements(raw, docOffset)) if (el.name === name) return el;
  return undefined;
}

function splitNs(ns: string): { db: string; coll: string } {
  const dot = ns.indexOf('.');
  return dot < 0 ? { db: ns, coll: '' } : { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
}

/** True when an event on `ns` belongs to the stream (internal namespaces never do on db and cluster streams). */
export function inScope(ns: { db: string; coll?: string }, scope: StreamScope): boolean {
  const isSystem = ns.coll !== undefined && ns.coll.startsWith('system.');
  switch (scope.kind) {
    case 'collection': return ns.db === scope.db && ns.coll === scope.coll;
    case 'database': return ns.db === scope.db && !isSystem;
    case 'cluster': return !INTERNAL_DATABASES.has(ns.db) && !isSystem;
  }
}

function without(doc: Document, ...names: string[]): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) if (!names.includes(k)) out[k] = v;
  return out;
}

interface Draft {
  operationType: string;
  ns: { db: string; coll?: string };
  documentKey?: Document;
  fullDocument?: RawBson;
  diff?: Document;
  operationDescription?: Document;
  stateBeforeChange?: Document;
  to?: { db: string; coll: string };
  /** Also matches the stream through the target namespace (renames). */
  alsoNs?: { db: string; coll?: string };
  isViewEvent?: boolean;
}

function eventFromOperation(
  raw: Buffer, offset: number, op: Document, ctx: EntryContext, scope: StreamScope, options: EventOptions,
): ChangeEvent | undefined {
  const draft = scope.kind !== 'collection' && isSystemViews(op.ns)
    ? (options.showExpandedEvents ? draftFromViewWrite(op) : undefined)
    : draftFromOperation(raw, offset, op);
  if (!draft) return undefined;
  if (EXPANDED_ONLY.has(draft.operationType) && !options.showExpandedEvents) return undefined;
  if (!inScope(draft.ns, scope) && !(draft.alsoNs && inScope(draft.alsoNs, scope))) return undefined;
  const uuid = op.ui as Binary | undefined;
  const identifier: Document = {};
  if (uuid && draft.operationType !== 'dropDatabase') identifier.uuid = uuid;
  identifier.operationType = draft.operationType;
  if (draft.documentKey) identifier.documentKey = draft.documentKey;
  else if (draft.operationDescription) identifier.operationDescription = draft.operationDescription;
  const tokenData: ResumeTokenData = {
    clusterTime: ctx.ts,
    isHighWaterMark: false,
    txnOpIndex: ctx.txn?.index ?? 0,
    fromInvalidate: false,
    eventIdentifier: identifier,
  };
  return {
    operationType: draft.operationType,
    tokenData,
    token: encodeResumeToken(tokenData),
    clusterTime: ctx.ts,
    wallTime: ctx.wall,
    ns: draft.ns,
    uuid: draft.operationType === 'dropDatabase' ? undefined : uuid,
    documentKey: draft.documentKey,
    fullDocument: draft.fullDocument,
    diff: draft.diff,
    operationDescription: draft.operationDescription,
    stateBeforeChange: draft.stateBeforeChange,
    to: draft.to,
    lsid: ctx.txn?.lsid,
    txnNumber: ctx.txn?.txnNumber,
    txnOpIndex: ctx.txn?.index ?? 0,
    applyOpsIndex: ctx.txn?.applyOpsIndex ?? 0,
    applyOpsTs: ctx.txn?.applyOpsTs ?? ctx.ts,
    isViewEvent: draft.isViewEvent === true,
  };
}

function rawDocumentField(raw: Buffer, offset: number, name: string): RawBson | undefined {
  const el = findElement(raw, offset, name);
  return el && el.type === 0x03 ? new RawBson(raw.subarray(el.valueStart, el.end)) : undefined;
}

/** mongod's ChangeStreamDefaultEventTransformation, case by case of the oplog entry. */
function draftFromOperation(raw: Buffer, offset: number, op: Document): Draft | undefined {
  const ns = typeof op.ns === 'string' ? splitNs(op.ns) : undefined;
  if (!ns || !isEmbeddedDocument(op.o)) return undefined;
  switch (op.op) {
    case 'i': {
      const documentKey = isEmbeddedDocument(op.o2) ? op.o2 : { _id: op.o._id };
      return { operationType: 'insert', ns, documentKey, fullDocument: rawDocumentField(raw, offset, 'o') };
    }
    case 'd':
      return { operationType: 'delete', ns, documentKey: op.o };
    case 'u': {
      const documentKey = isEmbeddedDocument(op.o2) ? op.o2 : { _id: op.o._id };
      if (op.o.$v !== undefined && Number(op.o.$v) === 2 && isEmbeddedDocument(op.o.diff)) {
        return { operationType: 'update', ns, documentKey, diff: op.o.diff };
      }
      return { operationType: 'replace', ns, documentKey, fullDocument: rawDocumentField(raw, offset, 'o') };
    }
    case 'c':
      return draftFromCommand(ns.db, op);
    default:
      return undefined;
  }
}

function isSystemViews(ns: unknown): boolean {
  return typeof ns === 'string' && splitNs(ns).coll === 'system.views';
}

/**
 * Views are defined by the documents of `<db>.system.views` (`_id` is the view's namespace): database and cluster
 * streams report their insert, replacement and delete as the view's create, modify and drop
 * (ChangeStreamViewDefinitionEventTransformation).
 */
function draftFromViewWrite(op: Document): Draft | undefined {
  const o = op.o as Document;
  if (typeof o._id !== 'string') return undefined;
  const ns = splitNs(o._id);
  switch (op.op) {
    case 'i': return { operationType: 'create', ns, operationDescription: without(o, '_id'), isViewEvent: true };
    case 'u': return { operationType: 'modify', ns, operationDescription: without(o, '_id'), isViewEvent: true };
    case 'd': return { operationType: 'drop', ns, isViewEvent: true };
    default: return undefined;
  }
}

function draftFromCommand(db: string, op: Document): Draft | undefined {
  const o = op.o as Document;
  const o2 = isEmbeddedDocument(op.o2) ? op.o2 : {};
  if (typeof o.drop === 'string') return { operationType: 'drop', ns: { db, coll: o.drop } };
  if (typeof o.renameCollection === 'string' && typeof o.to === 'string') {
    const from = splitNs(o.renameCollection);
    const to = splitNs(o.to);
    const operationDescription: Document = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'renameCollection' || k === 'stayTemp') continue;
      operationDescription[k] = k === 'to' ? to : v;
    }
    return { operationType: 'rename', ns: from, to, operationDescription, alsoNs: to };
  }
  if (o.dropDatabase !== undefined) return { operationType: 'dropDatabase', ns: { db } };
  if (typeof o.create === 'string') {
    return { operationType: 'create', ns: { db, coll: o.create }, operationDescription: without(o, 'create') };
  }
  if (typeof o.createIndexes === 'string') {
    return {
      operationType: 'createIndexes', ns: { db, coll: o.createIndexes },
      operationDescription: { indexes: [without(o, 'createIndexes')] },
    };
  }
  if (typeof o.commitIndexBuild === 'string') {
    return { operationType: 'createIndexes', ns: { db, coll: o.commitIndexBuild }, operationDescription: { indexes: o.indexes } };
  }
  if (typeof o.dropIndexes === 'string') {
    return {
      operationType: 'dropIndexes', ns: { db, coll: o.dropIndexes },
      operationDescription: { indexes: [without(o2, 'dropIndexes')] },
    };
  }
  if (typeof o.collMod === 'string') {
    const stateBeforeChange: Document = {};
    if (o2.collectionOptions_old !== undefined) stateBeforeChange.collectionOptions = o2.collectionOptions_old;
    if (o2.indexOptions_old !== undefined) stateBeforeChange.indexOptions = o2.indexOptions_old;
    return { operationType: 'modify', ns: { db, coll: o.collMod }, operationDescription: without(o, 'collMod'), stateBeforeChange };
  }
  return undefined;
}

/** True when the event ends the stream with an invalidate (mongod's DocumentSourceChangeStreamCheckInvalidate). */
export function invalidatesStream(event: ChangeEvent, scope: StreamScope): boolean {
  switch (scope.kind) {
    case 'collection':
      if (event.operationType === 'drop') return event.ns.db === scope.db && event.ns.coll === scope.coll;
      // In scope, a rename renamed the watched collection or replaced it. dropDatabase never reaches a collection
      // stream: mongod drops each collection (with its own entry) first.
      return event.operationType === 'rename';
    case 'database':
      return event.operationType === 'dropDatabase' && event.ns.db === scope.db;
    case 'cluster':
      return false;
  }
}

/** The invalidate event that follows `cause`: same position, flagged fromInvalidate so that it sorts after it. */
export function invalidateEvent(cause: ChangeEvent): Document {
  const tokenData: ResumeTokenData = { ...cause.tokenData, fromInvalidate: true };
  return {
    _id: encodeResumeToken(tokenData),
    operationType: 'invalidate',
    clusterTime: cause.clusterTime,
    wallTime: cause.wallTime,
  };
}

/** The invalidate's token data (for the stream's postBatchResumeToken). */
export function invalidateTokenData(cause: ChangeEvent): ResumeTokenData {
  return { ...cause.tokenData, fromInvalidate: true };
}

/** Images resolved for an event: `undefined` leaves the field out, `null` reports it missing. */
export interface EventImages {
  fullDocument?: unknown;
  fullDocumentBeforeChange?: unknown;
}

/**
 * The event document with mongod 7.0's field order (change_stream_event_transform.cpp): a rename's `to` and a
 * transaction's txnNumber/lsid are added before the resume token, then _id, operationType, clusterTime,
 * collectionUUID (expanded events), wallTime, fullDocument, ns, documentKey, operationDescription (expanded),
 * updateDescription, stateBeforeChange, and the pre-image last (added by a later stage).
 */
export function renderEvent(event: ChangeEvent, options: EventOptions, images: EventImages = {}): Document {
  if (event.isViewEvent) {
    const view: Document = { _id: event.token, operationType: event.operationType, clusterTime: event.clusterTime };
    view.wallTime = event.wallTime;
    view.ns = { db: event.ns.db, coll: event.ns.coll };
    if (event.operationDescription) view.operationDescription = event.operationDescription;
    return view;
  }
  const out: Document = {};
  if (event.to) out.to = event.to;
  if (event.lsid !== undefined) {
    if (event.txnNumber !== undefined) out.txnNumber = event.txnNumber;
    out.lsid = event.lsid;
  }
  out._id = event.token;
  out.operationType = event.operationType;
  out.clusterTime = event.clusterTime;
  if (options.showExpandedEvents && event.uuid) out.collectionUUID = event.uuid;
  out.wallTime = event.wallTime;
  const fullDocument = images.fullDocument !== undefined ? images.fullDocument : event.fullDocument;
  if (fullDocument !== undefined) out.fullDocument = fullDocument;
  out.ns = event.ns.coll === undefined ? { db: event.ns.db } : { db: event.ns.db, coll: event.ns.coll };
  if (event.documentKey) out.documentKey = event.documentKey;
  if (options.showExpandedEvents && event.operationDescription) out.operationDescription = event.operationDescription;
  if (event.diff) {
    const d = describeUpdate(event.diff);
    const updateDescription: Document = {
      updatedFields: d.updatedFields, removedFields: d.removedFields, truncatedArrays: d.truncatedArrays,
    };
    if (options.showExpandedEvents) updateDescription.disambiguatedPaths = d.disambiguatedPaths;
    out.updateDescription = updateDescription;
  }
  if (event.stateBeforeChange && options.showExpandedEvents) out.stateBeforeChange = event.stateBeforeChange;
  if (images.fullDocumentBeforeChange !== undefined) out.fullDocumentBeforeChange = images.fullDocumentBeforeChange;
  return out;
}
