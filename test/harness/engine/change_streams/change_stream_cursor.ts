import type { Document, Timestamp } from 'bson';
import type { CursorBatch, ServerCursor } from '../cursor_registry.js';
import type { ServerState } from '../server_state.js';
import type { StoredDocument } from '../stored_document.js';
import { CommandError } from '../../errors.js';
import { RawBson } from '../../bson/raw_bson.js';
import { valuesEqual } from '../bson_order.js';
import { applyOplogDiff } from '../oplog_diff.js';
import { BATCH_BYTES_LIMIT } from '../query/find_cursor.js';
import { calculateObjectSize, deserialize } from 'bson';
import { EXACT_DECODE } from '../../bson/raw_bson.js';
import {
  eventsFromOplogEntry, invalidateEvent, invalidateTokenData, invalidatesStream, renderEvent,
  type ChangeEvent, type EventImages, type OplogEntryView, type StreamScope,
} from './change_event.js';
import { compareTokens, encodeResumeToken, highWaterMarkToken, type ResumeTokenData } from './resume_token.js';
import type { EventPipeline } from './event_pipeline.js';
import { findPreImage } from './pre_images.js';

/** fullDocument modes of `$changeStream`. */
export const FULL_DOCUMENT_MODES = Object.freeze(['default', 'updateLookup', 'whenAvailable', 'required'] as const);
export type FullDocumentMode = (typeof FULL_DOCUMENT_MODES)[number];
/** fullDocumentBeforeChange modes of `$changeStream`. */
export const FULL_DOCUMENT_BEFORE_CHANGE_MODES = Object.freeze(['off', 'whenAvailable', 'required'] as const);
export type FullDocumentBeforeChangeMode = (typeof FULL_DOCUMENT_BEFORE_CHANGE_MODES)[number];

/** Where a stream starts: strictly after a resume token, or at (inclusive) a cluster time. */
export type StartPoint =
  | { kind: 'after'; token: { _data: string }; tokenData: ResumeTokenData; mustFind: boolean }
  | { kind: 'at'; clusterTime: Timestamp };

/** Everything a change stream cursor needs. */
export interface ChangeStreamCursorOptions {
  ns: string;
  scope: StreamScope;
  start: StartPoint;
  fullDocument: FullDocumentMode;
  fullDocumentBeforeChange: FullDocumentBeforeChangeMode;
  showExpandedEvents: boolean;
  pipeline: EventPipeline;
}

/** mongod's message when the resume point fell off the oplog. */
export const HISTORY_LOST_MESSAGE = 'Resume of change stream was not possible, as the resume point may no longer be in the oplog.';

/** Errors of this kind end a stream for good: mongod labels them so that drivers do not resume. */
export function nonResumable(codeName: string, message: string): CommandError {
  return new CommandError(codeName, message, { errorLabels: ['NonResumableChangeStreamError'] });
}

/**
 * A change stream over `local.oplog.rs`: reads the oplog after its position, turns entries into events for its
 * scope, applies the user's stages and waits for new entries on getMore. Its postBatchResumeToken is the last
 * event returned or, when the oplog was read further without an event, a high-water mark at the last entry read.
 */
export class ChangeStreamCursor implements ServerCursor {
  readonly ns: string;
  /** RecordId of the last oplog entry fully read. */
  private position = 0;
  /** Events made from an entry but not returned yet (a transaction larger than the batch). */
  private pending: Document[] = [];
  private pendingTokens: { _data: string }[] = [];
  private postBatchResumeToken: { _data: string };
  private invalidated = false;
  /** A resume token that must be seen in the stream (resumeAfter/startAfter an event). */
  private mustFind: { _data: string } | undefined;
  /**
   * Ends a getMore's wait when the cursor is killed or the server stops. The client's connection is not used: a
   * driver may send each getMore on a different pooled connection, and the wait is bounded by maxAwaitTimeMS.
   */
  private readonly closed = new AbortController();

  constructor(private readonly state: ServerState, private readonly options: ChangeStreamCursorOptions) {
    this.ns = options.ns;
    const { start } = options;
    const startTime = start.kind === 'at' ? start.clusterTime : start.tokenData.clusterTime;
    this.assertHistoryAt(startTime);
    this.position = this.positionBefore(startTime);
    this.postBatchResumeToken = start.kind === 'at' ? highWaterMarkToken(start.clusterTime) : start.token;
    if (start.kind === 'after' && start.mustFind) this.mustFind = start.token;
  }

  close(): void {
    this.closed.abort();
  }

  replyExtras(): Document {
    return { postBatchResumeToken: this.postBatchResumeToken };
  }

  async nextBatch(batchSize: number | undefined, maxAwaitTimeMs: number | undefined): Promise<CursorBatch> {
    const max = batchSize === undefined ? 101 : batchSize;
    const documents: Document[] = [];
    this.fill(documents, max);
    const waitMs = maxAwaitTimeMs ?? 0;
    if (documents.length === 0 && !this.invalidated && waitMs > 0 && max > 0) {
      const deadline = Date.now() + waitMs;
      while (documents.length === 0 && !this.closed.signal.aborted) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const written = await this.state.notifier.waitForWrite(remaining, this.closed.signal);
        if (!written) break;
        this.fill(documents, max);
      }
    }
    return { documents, exhausted: this.invalidated && this.pending.length === 0 };
  }

  /** Reads the oplog after the position, adding at most `max` events and advancing the resume token. */
  private fill(out: Document[], max: number): void {
    if (max <= 0) return;
    let bytes = 0;
    const take = () => {
      while (this.pending.length && out.length < max && bytes < BATCH_BYTES_LIMIT) {
        const doc = this.pending.shift()!;
        this.postBatchResumeToken = this.pendingTokens.shift()!;
        out.push(doc);
        bytes += approximateSize(doc);
      }
    };
    take();
    if (this.pending.length || this.invalidated) return;
    this.assertNotRolledOver();
    for (const entry of this.state.oplog.collection.naturalOrder(this.position)) {
      this.readEntry(entry);
      this.position = entry.recordId;
      if (this.pending.length === 0 && !this.mustFind) this.advanceTo(highWaterMarkToken(entry.field('ts') as Timestamp));
      take();
      if (this.pending.length || this.invalidated || out.length >= max || bytes >= BATCH_BYTES_LIMIT) return;
    }
  }

  private advanceTo(token: { _data: string }): void {
    if (compareTokens(token, this.postBatchResumeToken) > 0) this.postBatchResumeToken = token;
  }

  /** Turns one oplog entry into pending events (after the resume point, through the user's stages). */
  private readEntry(entry: StoredDocument): void {
    const { scope, showExpandedEvents } = this.options;
    const options = { showExpandedEvents };
    const events = eventsFromOplogEntry(entry.raw, entry.decode(), scope, options, this.partialTransactionEntries(entry));
    for (const event of events) {
      const invalidates = invalidatesStream(event, scope);
      const candidates: { token: { _data: string }; render: () => Document }[] = [
        { token: event.token, render: () => this.renderWithImages(event) },
      ];
      if (invalidates) {
        candidates.push({ token: encodeResumeToken(invalidateTokenData(event)), render: () => invalidateEvent(event) });
      }
      for (const candidate of candidates) {
        if (this.mustFind) {
          const c = compareTokens(candidate.token, this.mustFind);
          if (c < 0) continue;
          if (c > 0) throw this.tokenNotFound();
          // Found: the stream goes on after it (after an invalidate too, for startAfter).
          this.mustFind = undefined;
          continue;
        }
        if (compareTokens(candidate.token, this.postBatchResumeToken) <= 0) continue;
        const isInvalidate = candidate !== candidates[0];
        if (isInvalidate) {
          this.pending.push(candidate.render());
          this.pendingTokens.push(candidate.token);
          this.invalidated = true;
          return;
        }
        const rendered = candidate.render();
        const { pipeline } = this.options;
        // Stages read the event's documents decoded; an event no stage changed is returned with its exact bytes.
        const transformed = pipeline.empty ? rendered : pipeline.apply(decodeRaw(rendered));
        if (transformed === undefined) continue;
        const output = pipeline.transforms ? transformed : rendered;
        if (!valuesEqual(decodeRaw({ v: output._id }).v, candidate.token)) {
          throw nonResumable('ChangeStreamFatalError', 'Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.');
        }
        this.pending.push(output);
        this.pendingTokens.push(candidate.token);
      }
    }
  }

  /**
   * The earlier applyOps entries (`partialTxn: true`) of a large transaction whose last entry (with `count`) is
   * `entry`, oldest first: they are found back in the oplog by session and transaction number.
   */
  private partialTransactionEntries(entry: StoredDocument): OplogEntryView[] {
    // Entries are decoded without caching them: a stream reads each once, and the oplog is large.
    const last = entry.decode();
    const o = last.o as Document | undefined;
    if (last.op !== 'c' || !o || !Array.isArray(o.applyOps) || o.count === undefined) return [];
    const total = Number(o.count);
    let seen = o.applyOps.length;
    const out: OplogEntryView[] = [];
    for (const earlier of this.state.oplog.collection.naturalOrder(entry.recordId, true)) {
      if (seen >= total) break;
      const d = earlier.decode();
      if (d.op !== 'c' || d.o?.partialTxn !== true || !valuesEqual(d.lsid, last.lsid) || !valuesEqual(d.txnNumber, last.txnNumber)) continue;
      out.unshift({ raw: earlier.raw, doc: d });
      seen += (d.o.applyOps as unknown[]).length;
    }
    if (seen < total) throw nonResumable('ChangeStreamHistoryLost', HISTORY_LOST_MESSAGE);
    return out;
  }

  private tokenNotFound(): CommandError {
    return nonResumable('ChangeStreamFatalError', `cannot resume stream; the resume token was not found. ${JSON.stringify(this.mustFind)}`);
  }

  /** Adds the requested post- and pre-images (updateLookup, whenAvailable, required). */
  private renderWithImages(event: ChangeEvent): Document {
    const { fullDocument, fullDocumentBeforeChange, showExpandedEvents } = this.options;
    const images: EventImages = {};
    const needsPreImage = fullDocumentBeforeChange !== 'off' && ['update', 'replace', 'delete'].includes(event.operationType);
    const needsPostImage = event.operationType === 'update' && fullDocument !== 'default';
    let preImage: Buffer | undefined;
    if ((needsPreImage || (needsPostImage && fullDocument !== 'updateLookup')) && event.uuid) {
      preImage = findPreImage(this.state, {
        uuid: event.uuid, ts: event.applyOpsTs, applyOpsIndex: event.applyOpsIndex,
        lsid: event.lsid, txnNumber: event.txnNumber, txnOpIndex: event.txnOpIndex,
      });
    }
    if (needsPostImage) {
      if (fullDocument === 'updateLookup') images.fullDocument = this.lookUp(event) ?? null;
      else if (preImage && event.diff) images.fullDocument = applyOplogDiff(deserialize(preImage, EXACT_DECODE), event.diff);
      else if (fullDocument === 'required') throw missingImage('post-image', event);
      else images.fullDocument = null;
    }
    if (needsPreImage) {
      if (preImage) images.fullDocumentBeforeChange = new RawBson(preImage);
      else if (fullDocumentBeforeChange === 'required') throw missingImage('pre-image', event);
      else images.fullDocumentBeforeChange = null;
    }
    return renderEvent(event, { showExpandedEvents }, images);
  }

  /** updateLookup: the document's current version, if it is still in the same collection. */
  private lookUp(event: ChangeEvent): RawBson | undefined {
    const coll = this.state.catalog.getCollection(event.ns.db, event.ns.coll ?? '');
    if (!coll || !event.documentKey || (event.uuid && Buffer.compare(coll.uuid.buffer, event.uuid.buffer) !== 0)) return undefined;
    const doc = coll.findById(event.documentKey._id);
    if (!doc) return undefined;
    for (const [k, v] of Object.entries(event.documentKey)) {
      if (k !== '_id' && !valuesEqual(doc.doc[k], v)) return undefined;
    }
    return doc.toRaw();
  }

  /** The recordId just before the first entry at or after `time` (scanning back from the newest). */
  private positionBefore(time: Timestamp): number {
    let position = this.state.oplog.last()?.recordId ?? 0;
    for (const entry of this.state.oplog.collection.naturalOrder(0, true)) {
      if ((entry.field('ts') as Timestamp).compare(time) < 0) break;
      position = entry.recordId - 1;
    }
    return position;
  }

  /**
   * A start point is lost when the oplog no longer reaches back to it: entries were evicted and the oldest one left
   * is after it.
   */
  private assertHistoryAt(time: Timestamp): void {
    const first = this.state.oplog.first();
    if (first && first.recordId > 1 && (first.field('ts') as Timestamp).compare(time) > 0) {
      throw nonResumable('ChangeStreamHistoryLost', HISTORY_LOST_MESSAGE);
    }
  }

  /** Entries after the position were evicted before being read (the oplog rolled over under the stream). */
  private assertNotRolledOver(): void {
    const first = this.state.oplog.first();
    if (first && first.recordId > this.position + 1) {
      throw nonResumable('ChangeStreamHistoryLost', HISTORY_LOST_MESSAGE);
    }
  }
}

function missingImage(kind: 'pre-image' | 'post-image', event: ChangeEvent): CommandError {
  return new CommandError('NoMatchingDocument', `Change stream was configured to require a ${kind} for all update, delete and replace events, but the ${kind} was not found for event: ${JSON.stringify({ _id: event.token })}`, {}, 47);
}

/** Decodes the raw parts (fullDocument, pre-image) of an event so that stages can read them. */
function decodeRaw(doc: Document): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    out[k] = v instanceof RawBson ? v.toDocument() : v;
  }
  return out;
}

function approximateSize(doc: Document): number {
  let size = 0;
  for (const v of Object.values(doc)) size += v instanceof RawBson ? v.bytes.length : 0;
  return size + calculateObjectSize(Object.fromEntries(Object.entries(doc).filter(([, v]) => !(v instanceof RawBson))));
}
