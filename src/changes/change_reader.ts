/**
 * Reads the source's deployment-wide change stream in batches, with the position each batch reaches.
 *
 * The stream is opened with the `aggregate` and `getMore` commands themselves rather than the driver's
 * `ChangeStream`: the events must be read as raw bytes (a JS object moves integer-like keys such as "2024" to the
 * front, so a document decoded even with `promoteValues: false` would not be written back byte for byte), and
 * `ChangeStream` refuses raw documents (it reads each event's `_id`); it also hides `postBatchResumeToken` per batch,
 * which is what lets an idle stream's checkpoint move. The commands run with `raw: true`, which makes the driver
 * return the reply's embedded documents (the `cursor`) as bytes.
 *
 * Resuming is not done here: a network error or a failover ends the iteration with the error, and the caller
 * reopens the stream after the last *applied* position (STYLE §5), not after the last read one.
 *
 * https://www.mongodb.com/docs/manual/reference/command/aggregate/ (`$changeStream`),
 * https://github.com/mongodb/specifications/blob/master/source/change-streams/change-streams.md (resume tokens)
 */
import { MongoServerError, type ClientSession, type Document, type Long, type MongoClient, type Timestamp } from 'mongodb';
import type { NamespaceFilterOptions } from '../catalog/namespace_filter.js';
import { clusterTimeOfToken, decodeChangeEvent, type ResumePoint, type SourceChangeEvent } from './change_event.js';
import { BSON_TYPES, decodeElement, elementsByName, rawElements, rawValueBytes } from '../bson/raw_elements.js';
import { changeStreamMatch } from './stream_filter.js';

/** Where a stream starts: at a cluster time (T0, inclusive) or after a resume token (a checkpoint). */
export type StreamStart =
  | { readonly startAtOperationTime: Timestamp }
  | { readonly startAfter: Document };

/** Reader settings. */
export interface ChangeReaderOptions {
  readonly filter: NamespaceFilterOptions;
  /** Most events per getMore. */
  readonly batchSize: number;
  /** How long a getMore waits for new events on an idle stream, in milliseconds. */
  readonly maxAwaitTimeMs: number;
}

/** One batch of the stream. */
export interface ChangeBatch {
  readonly events: readonly SourceChangeEvent[];
  /** The position after this batch (its postBatchResumeToken). */
  readonly point: ResumePoint;
}

/**
 * Server error codes after which the stream cannot be resumed from the same position: the migration must fail with
 * a hint (ChangeStreamHistoryLost: the oplog no longer holds the checkpoint; start the migration over).
 */
export const FINAL_CHANGE_STREAM_CODES = Object.freeze({
  ChangeStreamHistoryLost: 286,
  ChangeStreamFatalError: 280,
  CappedPositionLost: 136,
  InvalidResumeToken: 260,
} as const);

/** True when the error ends the stream for good (see {@link FINAL_CHANGE_STREAM_CODES}). */
export function isFinalChangeStreamError(error: unknown): boolean {
  if (!(error instanceof MongoServerError)) return false;
  const codes: readonly number[] = Object.values(FINAL_CHANGE_STREAM_CODES);
  return codes.includes(Number(error.code)) || (typeof error.codeName === 'string' && error.codeName in FINAL_CHANGE_STREAM_CODES);
}

/** The start of a run: after the stored checkpoint when there is one, else at T0. */
export function streamStartFor(checkpoint: ResumePoint | undefined, t0: Timestamp): StreamStart {
  if (checkpoint?.resumeToken !== undefined) return { startAfter: checkpoint.resumeToken };
  return { startAtOperationTime: checkpoint?.clusterTime ?? t0 };
}

/** The resume point a run starts from, before the stream reports any position. */
export function startPointOf(start: StreamStart, checkpoint?: ResumePoint): ResumePoint {
  if (checkpoint !== undefined) return checkpoint;
  if ('startAtOperationTime' in start) return { kind: 'start', clusterTime: start.startAtOperationTime };
  const clusterTime = clusterTimeOfToken(start.startAfter);
  if (clusterTime === undefined) throw new Error('cannot read the cluster time of the resume token to start after');
  return { kind: 'start', resumeToken: start.startAfter, clusterTime };
}

/** Reads the change stream of a source deployment. */
export class ChangeReader {
  constructor(
    private readonly source: MongoClient,
    private readonly options: ChangeReaderOptions,
  ) {}

  /** The aggregate pipeline: `$changeStream` then the namespace `$match`. */
  pipeline(start: StreamStart): Document[] {
    return [
      {
        $changeStream: {
          allChangesForCluster: true,
          fullDocument: 'updateLookup',
          showExpandedEvents: true,
          ...start,
        },
      },
      changeStreamMatch(this.options.filter),
    ];
  }

  /**
   * Batches from `start` on, until `signal` aborts (the iteration then ends after the current getMore) or an error
   * is thrown. Empty batches are yielded too: their position moves the checkpoint of an idle stream.
   */
  async *batches(start: StreamStart, signal: AbortSignal, initial?: ResumePoint): AsyncGenerator<ChangeBatch> {
    const admin = this.source.db('admin');
    const session: ClientSession = this.source.startSession();
    let cursorId: Long | number | undefined;
    let last = startPointOf(start, initial);
    try {
      const opened = (await admin.command(
        { aggregate: 1, pipeline: this.pipeline(start), cursor: { batchSize: this.options.batchSize } },
        { raw: true, session },
      )) as Document;
      let reply = parseCursor(opened.cursor as Uint8Array, 'firstBatch', last);
      cursorId = reply.id;
      last = reply.batch.point;
      yield reply.batch;
      while (!signal.aborted) {
        if (isZero(cursorId)) throw new Error('the change stream cursor was closed by the server');
        const more = (await admin.command(
          {
            getMore: cursorId,
            collection: '$cmd.aggregate',
            batchSize: this.options.batchSize,
            maxTimeMS: this.options.maxAwaitTimeMs,
          },
          { raw: true, session },
        )) as Document;
        reply = parseCursor(more.cursor as Uint8Array, 'nextBatch', last);
        cursorId = reply.id;
        last = reply.batch.point;
        yield reply.batch;
      }
    } finally {
      if (cursorId !== undefined && !isZero(cursorId)) {
        await admin.command({ killCursors: '$cmd.aggregate', cursors: [cursorId] }, { session }).catch(() => undefined);
      }
      await session.endSession().catch(() => undefined);
    }
  }
}

function isZero(id: Long | number): boolean {
  return typeof id === 'number' ? id === 0 : id.isZero();
}

/** Takes a cursor reply apart: id, raw events decoded one by one, and the position after the batch. */
function parseCursor(raw: Uint8Array, batchField: string, previous: ResumePoint): { id: Long | number; batch: ChangeBatch } {
  const elements = elementsByName(raw);
  const idElement = elements.get('id');
  const id = (idElement ? decodeElement(raw, idElement) : 0) as Long | number;
  const batchElement = elements.get(batchField);
  const events: SourceChangeEvent[] = [];
  if (batchElement && batchElement.type === BSON_TYPES.array) {
    const array = rawValueBytes(raw, batchElement);
    for (const item of rawElements(array)) events.push(decodeChangeEvent(rawValueBytes(array, item)));
  }
  const tokenElement = elements.get('postBatchResumeToken');
  const token = tokenElement ? (decodeElement(raw, tokenElement) as Document) : undefined;
  return { id, batch: { events, point: positionAfter(events, token, previous) } };
}

/**
 * The position after a batch: the postBatchResumeToken, which is the last event's token or a high-water mark
 * beyond it; without one (servers before 4.0.7), the last event's token.
 */
export function positionAfter(events: readonly SourceChangeEvent[], token: Document | undefined, previous: ResumePoint): ResumePoint {
  const lastEvent = events[events.length - 1];
  if (token === undefined || typeof token._data !== 'string') {
    return lastEvent ? { kind: 'event', resumeToken: lastEvent.resumeToken, clusterTime: lastEvent.clusterTime } : previous;
  }
  if (lastEvent && lastEvent.resumeToken._data === token._data) {
    return { kind: 'event', resumeToken: token, clusterTime: lastEvent.clusterTime };
  }
  const clusterTime = clusterTimeOfToken(token) ?? lastEvent?.clusterTime ?? previous.clusterTime;
  // A high-water mark equal to where the stream started tells nothing new (the stream has scanned nothing yet).
  if (previous.kind === 'start' && events.length === 0 && previous.resumeToken === undefined
    && clusterTime.equals(previous.clusterTime)) {
    return previous;
  }
  return { kind: 'highWaterMark', resumeToken: token, clusterTime };
}
