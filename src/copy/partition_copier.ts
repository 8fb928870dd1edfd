/**
 * Copies one partition: reads its `_id` range from the source as exact bytes, writes them to the destination in
 * batches bounded by bytes and by count, and checkpoints the last `_id` written after each batch. A rerun resumes
 * from the checkpoint; documents of a batch that was written but not checkpointed come back as duplicate `_id`
 * errors, which mean "already copied".
 */
import { BSON, MongoBulkWriteError, MongoServerError, type Document, type FindOptions, type MongoClient } from 'mongodb';
import type { PartitionDocument } from '../state/partition_store.js';
import { exactIdOf, toExactDocument, UnwritableValueError, type ExactDocument } from '../bson/exact_document.js';
import { CopyError, ERROR_CODES } from '../errors.js';
import type { Logger } from '../log/logger.js';

/** mongod's maxBsonObjectSize: the largest user document. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** Most documents in one insert, well under mongod's maxWriteBatchSize (100,000). */
export const MAX_BATCH_DOCUMENTS = 10_000;

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
}

/** Copies partitions from the source to the destination. */
export class PartitionCopier {
  constructor(
    private readonly source: MongoClient,
    private readonly destination: MongoClient,
    private readonly checkpoints: PartitionCheckpoints,
    private readonly logger: Logger,
    private readonly options: PartitionCopierOptions,
  ) {}

  /**
   * Reads the partition while the previous batch is being written: one write is in flight at a time, so batches
   * (and their checkpoints) land in order, and reading the next batch overlaps the write of the last one.
   */
  async copy(partition: PartitionDocument, signal: AbortSignal): Promise<PartitionCopyResult> {
    const cursor = this.source
      .db(partition.db)
      .collection(partition.coll)
      .find({}, this.findOptions(partition));
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const totals = { docs: 0, bytes: 0 };
    let writing: Promise<void> = Promise.resolve();
    // A failed write is kept here (the promise gets a handler at once, so it is never an unhandled rejection) and
    // rethrown at the next flush or at the end.
    let failure: { error: unknown } | undefined;
    const flush = async () => {
      if (batch.length === 0) return;
      const docs = batch;
      const size = batchBytes;
      batch = [];
      batchBytes = 0;
      await writing;
      if (failure) throw failure.error;
      writing = this.writeBatch(partition, docs, size, totals).catch((error: unknown) => {
        failure = { error };
      });
    };
    try {
      for await (const raw of cursor as AsyncIterable<Uint8Array>) {
        if (signal.aborted || failure) break;
        if (batch.length > 0 && batchBytes + raw.byteLength > this.options.batchSizeBytes) await flush();
        batch.push(raw);
        batchBytes += raw.byteLength;
        if (batch.length >= MAX_BATCH_DOCUMENTS) await flush();
      }
      if (!signal.aborted && !failure) await flush();
      await writing;
      if (failure) throw failure.error;
      if (!signal.aborted) await this.checkpoints.markDone(partition._id);
    } finally {
      await writing;
      await cursor.close();
    }
    return totals;
  }

  /** Writes one batch, then moves the partition's checkpoint past it. */
  private async writeBatch(partition: PartitionDocument, batch: Uint8Array[], size: number, totals: { docs: number; bytes: number }): Promise<void> {
    await this.write(partition, batch);
    const lastKey = { _id: exactIdOf(batch[batch.length - 1]) };
    await this.checkpoints.checkpoint(partition._id, lastKey, batch.length, size);
    const ns = `${partition.db}.${partition.coll}`;
    this.logger.debug('batch written', { ns, partitionId: partition._id, count: batch.length, sizeBytes: size });
    this.options.onBatch?.(ns, batch.length, size);
    totals.docs += batch.length;
    totals.bytes += size;
  }

  private findOptions(partition: PartitionDocument): FindOptions {
    const options: FindOptions = { raw: true, batchSize: 1000 };
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
    if (!(error instanceof UnwritableValueError)) throw error;
    const id = exactIdOf(raw);
    throw new CopyError(
      ERROR_CODES.COPY_UNWRITABLE_VALUE,
      `Document ${formatId(id)} of ${partition.db}.${partition.coll} holds ${error.where}, a legacy BSON value that cannot be copied unchanged; the copy stopped rather than alter it.`,
      {
        cause: error,
        hint: 'Rewrite that field on the source ($unset an undefined value, store a DBPointer as a DBRef), or exclude the namespace, then run `sync start` again.',
        details: { ns: `${partition.db}.${partition.coll}` },
      },
    );
  }
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
  return errors.every((e) => e.code === DUPLICATE_KEY && isIdKeyPattern(e.errInfo?.keyPattern ?? (e as unknown as { err?: Document }).err?.keyPattern));
}

function isIdKeyPattern(pattern: unknown): boolean {
  // mongod reports the key pattern of the violated index; absent on some versions, then the _id index is the only
  // unique one on the destination during the copy.
  if (pattern === undefined) return true;
  const keys = Object.keys(pattern as Document);
  return keys.length === 1 && keys[0] === '_id';
}
