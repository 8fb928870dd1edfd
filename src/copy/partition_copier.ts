/**
 * Copies one partition: reads its `_id` range from the source as exact bytes, writes them to the destination in
 * batches bounded by bytes and by count, and checkpoints the last `_id` written after each batch. A rerun resumes
 * from the checkpoint; documents of a batch that was written but not checkpointed come back as duplicate `_id`
 * errors, which mean "already copied".
 *
 * The bytes read are written as they are (raw_insert.ts) when the driver allows it; otherwise each document is
 * decoded into a value the driver serializes back to the same bytes (`toExactDocument`).
 */
import { BSON, MongoBulkWriteError, MongoServerError, type Document, type FindOptions, type MongoClient } from 'mongodb';
import type { PartitionDocument } from '../state/partition_store.js';
import { assertWritable, exactIdOf, toExactDocument, UnwritableValueError, type ExactDocument } from '../bson/exact_document.js';
import { CopyError, ERROR_CODES } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { withRetry } from '../topology/retry.js';
import { isTransient } from '../topology/server_errors.js';
import { loadRawInserter, type RawInserter, type RawWriteError } from './raw_insert.js';
import { DocumentBatch } from './document_batch.js';
import { collectionSize } from './collection_size.js';

/** mongod's maxBsonObjectSize: the largest user document. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** Most documents in one insert, well under mongod's maxWriteBatchSize (100,000). */
export const MAX_BATCH_DOCUMENTS = 10_000;

/** Bytes the copier asks for in one reply of the source (find/getMore), whatever the size of the documents. */
export const READ_REPLY_BYTES = 1024 * 1024;

/** Documents per reply when the collection's average document size is unknown (about 1 KB documents). */
const DEFAULT_READ_BATCH = 1000;

/**
 * The cursor batch size that makes replies of about {@link READ_REPLY_BYTES}: small documents come 10,000 at a time
 * (fewer round trips), large ones a few at a time (less memory). 0 or unknown sizes give the default.
 */
export function readBatchSize(averageDocumentBytes: number): number {
  if (!(averageDocumentBytes > 0)) return DEFAULT_READ_BATCH;
  return Math.min(MAX_BATCH_DOCUMENTS, Math.max(1, Math.round(READ_REPLY_BYTES / averageDocumentBytes)));
}

/** Duplicate key: on the destination during the copy only the `_id` index is unique. */
const DUPLICATE_KEY = 11000;

/** The checkpoint calls the copier makes (PartitionStore provides them). */
export interface PartitionCheckpoints {
  checkpoint(id: string, lastKey: Document, docs: number, bytes: number): Promise<void>;
  markDone(id: string): Promise<void>;
}

/** What copying a partition did in this run. */
export interface PartitionCopyResult {
  readonly docs: number;
  readonly bytes: number;
}

/** Progress callback: called after each batch. */
export type BatchWrittenListener = (ns: string, docs: number, bytes: number) => void;

export interface PartitionCopierOptions {
  readonly batchSizeBytes: number;
  readonly onBatch?: BatchWrittenListener;
  /**
   * How documents are handed to the driver: `raw` (the default) sends the bytes read as they are when the driver
   * allows it (raw_insert.ts) and falls back to `decoded` otherwise; `decoded` always goes through `toExactDocument`.
   */
  readonly writeMode?: WriteMode;
}

/** See {@link PartitionCopierOptions.writeMode}. */
export type WriteMode = 'raw' | 'decoded';

/** Attempts of one batch's write after transient errors (the raw path has no retryable writes of the driver). */
export const BATCH_WRITE_ATTEMPTS = 5;

/** Copies partitions from the source to the destination. */
export class PartitionCopier {
  private rawInserter: Promise<RawInserter | undefined> | undefined;
  /** Read batch size by namespace, from the collection's average document size (measured once). */
  private readonly readBatchSizes = new Map<string, Promise<number>>();
  /** Batch buffers of finished partitions, for the next ones: no partition grows its buffers from scratch again. */
  private readonly idleBatches: DocumentBatch[] = [];

  constructor(
    private readonly source: MongoClient,
    private readonly destination: MongoClient,
    private readonly checkpoints: PartitionCheckpoints,
    private readonly logger: Logger,
    private readonly options: PartitionCopierOptions,
  ) {}

  /** The write mode the copier actually uses: `raw` only when the driver supports it. */
  async effectiveWriteMode(): Promise<WriteMode> {
    return (await this.inserter()) ? 'raw' : 'decoded';
  }

  private inserter(): Promise<RawInserter | undefined> {
    if (!this.rawInserter) {
      this.rawInserter = this.options.writeMode === 'decoded' ? Promise.resolve(undefined) : loadRawInserter();
      void this.rawInserter.then((inserter) => {
        if (!inserter && this.options.writeMode !== 'decoded') {
          this.logger.info('this driver version cannot send documents as raw bytes; the copy decodes and re-encodes them (slower, as exact)');
        }
      });
    }
    return this.rawInserter;
  }

  /**
   * Reads the partition while the previous batch is being written: one write is in flight at a time, so batches
   * (and their checkpoints) land in order, and reading the next batch overlaps the write of the last one.
   */
  async copy(partition: PartitionDocument, signal: AbortSignal): Promise<PartitionCopyResult> {
    const cursor = this.source
      .db(partition.db)
      .collection(partition.coll)
      .find({}, this.findOptions(partition, await this.readBatchSize(partition)));
    // Two buffers take turns: one fills while the other is written. Memory per partition is thus bounded by two
    // batches (plus the driver's reply being read and message being sent), whatever the collection's size.
    let filling = this.idleBatches.pop() ?? new DocumentBatch();
    let written = this.idleBatches.pop() ?? new DocumentBatch();
    const totals = { docs: 0, bytes: 0 };
    let writing: Promise<void> = Promise.resolve();
    // A failed write is kept here (the promise gets a handler at once, so it is never an unhandled rejection) and
    // rethrown at the next flush or at the end.
    let failure: { error: unknown } | undefined;
    const flush = async () => {
      if (filling.count === 0) return;
      await writing;
      if (failure) throw failure.error;
      const full = filling;
      filling = written;
      filling.clear();
      written = full;
      writing = this.writeBatch(partition, full, totals, signal).catch((error: unknown) => {
        failure = { error };
      });
    };
    try {
      // A reply's documents at a time (readBufferedDocuments), not one promise per document.
      while (!signal.aborted && !failure && (cursor.bufferedCount() > 0 || (await cursor.hasNext()))) {
        for (const raw of cursor.readBufferedDocuments() as unknown as Uint8Array[]) {
          if (filling.count > 0 && filling.byteLength + raw.byteLength > this.options.batchSizeBytes) await flush();
          filling.append(raw);
          if (filling.count >= MAX_BATCH_DOCUMENTS) await flush();
        }
      }
      if (!signal.aborted && !failure) await flush();
      await writing;
      if (failure) throw failure.error;
      if (!signal.aborted) await this.checkpoints.markDone(partition._id);
    } finally {
      await writing;
      await cursor.close();
      filling.clear();
      written.clear();
      this.idleBatches.push(filling, written);
    }
    return totals;
  }

  /** Writes one batch, then moves the partition's checkpoint past it. */
  private async writeBatch(partition: PartitionDocument, batch: DocumentBatch, totals: { docs: number; bytes: number }, signal: AbortSignal): Promise<void> {
    const count = batch.count;
    const size = batch.byteLength;
    const inserter = await this.inserter();
    if (inserter) {
      const bytes = batch.bytesOf(0, count);
      for (let i = 0; i < count; i++) checkWritable(partition, bytes, batch.offsetOf(i));
    }
    const write = inserter
      ? () => this.writeRaw(inserter, partition, batch)
      : () => this.write(partition, Array.from({ length: count }, (_, i) => batch.document(i)));
    // Rewriting a batch is harmless: what an earlier attempt inserted comes back as duplicate _ids.
    await withRetry(write, {
      isRetryable: isTransient,
      initialDelayMs: 200,
      maxDelayMs: 5_000,
      maxAttempts: BATCH_WRITE_ATTEMPTS,
      signal,
      logger: this.logger,
      what: `the write of a batch of ${partition.db}.${partition.coll}`,
    });
    const lastKey = { _id: exactIdOf(batch.document(count - 1)) };
    await this.checkpoints.checkpoint(partition._id, lastKey, count, size);
    const ns = `${partition.db}.${partition.coll}`;
    this.logger.debug('batch written', { ns, partitionId: partition._id, count, sizeBytes: size });
    this.options.onBatch?.(ns, count, size);
    totals.docs += count;
    totals.bytes += size;
  }

  private readBatchSize(partition: PartitionDocument): Promise<number> {
    const ns = `${partition.db}.${partition.coll}`;
    let size = this.readBatchSizes.get(ns);
    if (!size) {
      size = collectionSize(this.source.db(partition.db).collection(partition.coll)).then(
        (measured) => readBatchSize(measured.averageDocumentBytes),
        // The size only tunes the reads: without it they are as good as before.
        () => DEFAULT_READ_BATCH,
      );
      this.readBatchSizes.set(ns, size);
    }
    return size;
  }

  private findOptions(partition: PartitionDocument, batchSize: number): FindOptions {
    const options: FindOptions = { raw: true, batchSize };
    if (partition.natural) return { ...options, sort: { $natural: 1 } };
    // Resume at the checkpoint: min is inclusive, and the document at it is a duplicate that write() accepts.
    const min = partition.lastKey ?? partition.min;
    return {
      ...options,
      hint: { _id: 1 },
      sort: { _id: 1 },
      ...(min ? { min } : {}),
      ...(partition.max ? { max: partition.max } : {}),
    };
  }

  /**
   * Writes the bytes as they are. Duplicate `_id`s mean "already copied"; an ordered (capped) insert stops at the
   * first, so what follows it is inserted again.
   */
  private async writeRaw(inserter: RawInserter, partition: PartitionDocument, batch: DocumentBatch): Promise<void> {
    const db = this.destination.db(partition.db);
    let from = 0;
    while (from < batch.count) {
      const reply = await inserter.insert(db, partition.coll, batch, { ordered: partition.natural, from });
      const refused = reply.writeErrors.find((e) => !(e.code === DUPLICATE_KEY && isIdKeyPattern(e.keyPattern)));
      if (refused) throw writeErrorOf(partition, refused);
      if (!partition.natural || reply.writeErrors.length === 0) return;
      from = Math.max(...reply.writeErrors.map((e) => e.index)) + 1;
    }
  }

  /** Writes decoded documents (the driver serializes them back to the same bytes). */
  private async write(partition: PartitionDocument, batch: Uint8Array[]): Promise<void> {
    const collection = this.destination.db(partition.db).collection(partition.coll);
    if (batch.some((raw) => raw.byteLength >= MAX_BSON_OBJECT_SIZE)) return this.writeOneByOne(partition, batch);
    try {
      await collection.insertMany(batch.map((raw) => exactDocumentOf(partition, raw)), {
        ordered: partition.natural,
        forceServerObjectId: true,
        bypassDocumentValidation: true,
      });
    } catch (error) {
      if (error instanceof MongoBulkWriteError && onlyDuplicateIds(error)) {
        if (partition.natural) await this.writeRemainder(partition, batch, error);
        return;
      }
      throw error;
    }
  }

  /**
   * The driver's bulk inserts refuse a document of exactly maxBsonObjectSize (their check is `>=`), which mongod
   * accepts; insertOne has no such check. A batch holding one is written a document at a time, in order.
   */
  private async writeOneByOne(partition: PartitionDocument, batch: Uint8Array[]): Promise<void> {
    const collection = this.destination.db(partition.db).collection(partition.coll);
    for (const raw of batch) {
      try {
        await collection.insertOne(exactDocumentOf(partition, raw), { forceServerObjectId: true, bypassDocumentValidation: true });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY && isIdKeyPattern(error.keyPattern))) throw error;
      }
    }
  }

  /** Ordered (capped) inserts stop at the first duplicate: insert what follows it. */
  private async writeRemainder(partition: PartitionDocument, batch: Uint8Array[], error: MongoBulkWriteError): Promise<void> {
    const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    const stoppedAt = Math.max(...errors.map((e) => e.index));
    if (stoppedAt + 1 < batch.length) await this.write(partition, batch.slice(stoppedAt + 1));
  }
}

/** The document to write, or a CopyError naming the namespace, the `_id` and the value it cannot write. */
function exactDocumentOf(partition: PartitionDocument, raw: Uint8Array): ExactDocument {
  try {
    return toExactDocument(raw);
  } catch (error) {
    throw unwritableError(partition, raw, error);
  }
}

/**
 * Refuses, on the raw path, the documents the decoded path cannot write (legacy undefined and DBPointer values): both
 * paths then copy the same documents, and the change application, which decodes documents, never meets one that the
 * copy let through.
 */
function checkWritable(partition: PartitionDocument, bytes: Buffer, offset: number): void {
  try {
    assertWritable(bytes, offset);
  } catch (error) {
    throw unwritableError(partition, bytes.subarray(offset, offset + bytes.readInt32LE(offset)), error);
  }
}

/** A write error the destination returned for a document, as the driver's error for it. */
function writeErrorOf(partition: PartitionDocument, error: RawWriteError): MongoServerError {
  return new MongoServerError({
    message: `insert into ${partition.db}.${partition.coll} refused a document: ${error.errmsg}`,
    errmsg: error.errmsg,
    code: error.code,
    ...(error.keyPattern ? { keyPattern: error.keyPattern } : {}),
  });
}

/** A CopyError naming the namespace, the `_id` and the value the copy cannot write; other errors unchanged. */
function unwritableError(partition: PartitionDocument, raw: Uint8Array, error: unknown): unknown {
  if (!(error instanceof UnwritableValueError)) return error;
  const id = exactIdOf(raw);
  return new CopyError(
    ERROR_CODES.COPY_UNWRITABLE_VALUE,
    `Document ${formatId(id)} of ${partition.db}.${partition.coll} holds ${error.where}, a legacy BSON value that cannot be copied unchanged; the copy stopped rather than alter it.`,
    {
      cause: error,
      hint: 'Rewrite that field on the source ($unset an undefined value, store a DBPointer as a DBRef), or exclude the namespace, then run `sync start` again.',
      details: { ns: `${partition.db}.${partition.coll}` },
    },
  );
}

function formatId(id: unknown): string {
  try {
    return `{_id: ${JSON.stringify(BSON.EJSON.serialize({ v: id }, { relaxed: false }).v)}}`;
  } catch {
    return '(an _id that cannot be printed)';
  }
}

function onlyDuplicateIds(error: MongoBulkWriteError): boolean {
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (errors.length === 0 || error.writeConcernError) return false;
  return errors.every((e) => e.code === DUPLICATE_KEY && isIdIndexMessage(e.errmsg));
}

/**
 * Whether a duplicate key message names the `_id` index (`E11000 duplicate key error collection: db.c index: _id_
 * dup key: ...`). Read from the message because the driver's bulk WriteError drops the server's `keyPattern`; a
 * message of another form is taken as `_id`'s, as isIdKeyPattern takes a missing pattern.
 */
function isIdIndexMessage(message: string | undefined): boolean {
  const index = / index: (\S+) dup key/.exec(message ?? '')?.[1];
  return index === undefined || index === '_id_';
}

function isIdKeyPattern(pattern: unknown): boolean {
  // mongod reports the key pattern of the violated index; absent on some versions, then the _id index is the only
  // unique one on the destination during the copy.
  if (pattern === undefined) return true;
  const keys = Object.keys(pattern as Document);
  return keys.length === 1 && keys[0] === '_id';
}
