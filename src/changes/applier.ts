/**
 * The pool of writers that applies document writes to the destination.
 *
 * Each write goes to the writer chosen by its routing key (namespace and normalized `_id`, see write_routing.ts), so
 * that the writes of one document are applied in the order they were enqueued; writes of different documents may be
 * applied in any order. A writer takes up to `maxBatchWrites` writes from its queue, combines those of one document
 * (a later total write supersedes the earlier ones), and sends one ordered bulkWrite per namespace.
 *
 * The queue is bounded by count and by bytes: `enqueue` waits while `maxQueuedWrites` writes, or writes of
 * `maxQueuedBytes` change events, are queued or in flight, which holds the reader back (memory stays bounded
 * whatever the backlog and whatever the documents' size; one write larger than the bound still passes alone). `drain` waits until every enqueued write is applied: DDL
 * barriers call it first.
 *
 * A failed write (other than a best-effort one) stops the pool: every later call rejects with that error.
 */
import { MongoBulkWriteError, MongoInvalidArgumentError, MongoNetworkError, MongoServerError, type AnyBulkWriteOperation, type Document, type MongoClient } from 'mongodb';
import type { Namespace } from '../catalog/namespace.js';
import type { DocumentWrite } from './event_translation.js';
import { combineWrites, type KeyedWrite } from './write_routing.js';

/** Pool settings. */
export interface ChangeApplierOptions {
  /** Number of writers (concurrent bulk writes), at least 1. */
  readonly writers: number;
  /** Most writes queued or in flight across all writers. */
  readonly maxQueuedWrites: number;
  /** Most bytes (of the change events the writes come from) queued or in flight across all writers. */
  readonly maxQueuedBytes: number;
  /** Most writes one writer takes for one round of bulk writes. */
  readonly maxBatchWrites: number;
}

/** A write handed to the pool. */
export interface QueuedWrite {
  readonly ns: Namespace;
  /** Writer index, from `writerFor(routingKey(...))`. */
  readonly writer: number;
  /** Type-exact document identity, for combining. */
  readonly exactKey: string;
  readonly write: DocumentWrite;
  /** The segment the write belongs to (reported back once applied). */
  readonly segment: number;
  /** Size of the change event the write comes from: what it holds in memory until applied. */
  readonly bytes: number;
}

/** Called after writes are applied, with how many writes of each segment. */
export type WritesAppliedListener = (countsBySegment: ReadonlyMap<number, number>) => void;

/** The writer pool. */
export class ChangeApplier {
  private readonly queues: QueuedWrite[][];
  private readonly wakeWriter: (() => void)[];
  private readonly loops: Promise<void>[] = [];
  private outstanding = 0;
  private outstandingBytes = 0;
  private waiters: (() => void)[] = [];
  private failure: unknown;
  private closed = false;
  /** Writes sent to the destination (after combining), for status. */
  writesSent = 0;

  constructor(
    private readonly destination: MongoClient,
    private readonly options: ChangeApplierOptions,
    private readonly onApplied: WritesAppliedListener,
    /** Told at once when a writer fails, so that the run stops reading instead of waiting for the next enqueue. */
    private readonly onFailure: (error: unknown) => void = () => {},
  ) {
    this.queues = Array.from({ length: options.writers }, () => []);
    this.wakeWriter = Array.from({ length: options.writers }, () => () => {});
    for (let i = 0; i < options.writers; i++) this.loops.push(this.writerLoop(i));
  }

  /** Writes queued or in flight. */
  get queuedWrites(): number {
    return this.outstanding;
  }

  /** Queues a write, waiting while the queue is full. */
  async enqueue(item: QueuedWrite): Promise<void> {
    while (this.failure === undefined && this.outstanding > 0 &&
      (this.outstanding >= this.options.maxQueuedWrites || this.outstandingBytes + item.bytes > this.options.maxQueuedBytes)) {
      await this.nextChange();
    }
    this.throwIfFailed();
    if (this.closed) throw new Error('the change applier is closed');
    this.outstanding++;
    this.outstandingBytes += item.bytes;
    this.queues[item.writer].push(item);
    this.wakeWriter[item.writer]();
  }

  /** Waits until every queued write is applied. */
  async drain(): Promise<void> {
    while (this.failure === undefined && this.outstanding > 0) await this.nextChange();
    this.throwIfFailed();
  }

  /** Applies what is queued, then stops the writers. Rejects with the pool's failure, if any. */
  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      this.closed = true;
      this.wakeWriter.forEach((wake) => wake());
      await Promise.all(this.loops);
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private async writerLoop(index: number): Promise<void> {
    const queue = this.queues[index];
    while (this.failure === undefined) {
      if (queue.length === 0) {
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wakeWriter[index] = resolve));
        continue;
      }
      const batch = queue.splice(0, this.options.maxBatchWrites);
      try {
        await this.writeBatch(batch);
      } catch (error) {
        // The first failure is the cause; the writers failing after it usually fail because of it (a cleared pool).
        this.failure ??= error;
        this.notify();
        this.onFailure(error);
        return;
      }
      this.outstanding -= batch.length;
      for (const item of batch) this.outstandingBytes -= item.bytes;
      const counts = new Map<number, number>();
      for (const item of batch) counts.set(item.segment, (counts.get(item.segment) ?? 0) + 1);
      this.onApplied(counts);
      this.notify();
    }
  }

  /** One bulkWrite per namespace; namespaces are independent, so they run side by side. */
  private async writeBatch(batch: readonly QueuedWrite[]): Promise<void> {
    const byNamespace = new Map<string, { ns: Namespace; writes: KeyedWrite<undefined>[] }>();
    for (const item of batch) {
      const key = `${item.ns.db}\u0000${item.ns.coll}`;
      let group = byNamespace.get(key);
      if (group === undefined) byNamespace.set(key, (group = { ns: item.ns, writes: [] }));
      group.writes.push({ exactKey: item.exactKey, write: item.write, tag: undefined });
    }
    await Promise.all([...byNamespace.values()].map(({ ns, writes }) => {
      const { kept } = combineWrites(writes);
      return this.bulkWrite(ns, kept.map((k) => k.write));
    }));
  }

  private async bulkWrite(ns: Namespace, writes: readonly DocumentWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const collection = this.destination.db(ns.db).collection(ns.coll);
    this.writesSent += writes.length;
    try {
      await collection.bulkWrite(writes.map(toBulkOperation), { ordered: true, bypassDocumentValidation: true });
    } catch (error) {
      if (isDocumentAtSizeLimit(error)) return this.writeOneByOne(ns, writes);
      const failedAt = bestEffortFailure(error, writes);
      if (failedAt === undefined) throw withNetworkClass(error);
      // An ordered bulk stops at its first error: the writes after a failed best-effort update still apply.
      await this.bulkWrite(ns, writes.slice(failedAt + 1));
    }
  }

  /** Applies writes one operation at a time, in order (a batch holding a document at the size limit). */
  private async writeOneByOne(ns: Namespace, writes: readonly DocumentWrite[]): Promise<void> {
    const collection = this.destination.db(ns.db).collection(ns.coll);
    for (const write of writes) {
      try {
        switch (write.kind) {
          case 'replace': await collection.replaceOne(write.filter as Document, write.replacement as Document, { upsert: true, bypassDocumentValidation: true }); break;
          case 'delete': await collection.deleteOne(write.filter as Document); break;
          case 'update': await collection.updateOne(write.filter as Document, write.update, { upsert: false, bypassDocumentValidation: true }); break;
        }
      } catch (error) {
        if (!(write.kind === 'update' && write.bestEffort && error instanceof MongoServerError)) throw error;
      }
    }
  }
}

/**
 * The driver's bulk writes refuse a document of exactly maxBsonObjectSize (their check is `>=`) that mongod accepts;
 * single-document operations have no such check.
 */
function isDocumentAtSizeLimit(error: unknown): boolean {
  return error instanceof MongoInvalidArgumentError && /larger than the maximum size/.test(error.message);
}

/**
 * The driver's bulk API wraps the failure of a whole command (not a write error) into a MongoBulkWriteError, which is
 * a MongoServerError: a network error or a cleared connection pool (after another operation's ShutdownInProgress or
 * NotWritablePrimary) then loses its class and would fail the migration as if the server had refused the write,
 * instead of being retried from the checkpoint. The wrapper copies the network error's own fields, so its
 * `beforeHandshake` field (set on every MongoNetworkError) tells it apart; it becomes a MongoNetworkError again, with
 * the same labels and the wrapper as its cause.
 */
export function withNetworkClass(error: unknown): unknown {
  if (!(error instanceof MongoBulkWriteError) || error.writeConcernError !== undefined || !('beforeHandshake' in error)) return error;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length > 0) return error;
  const network = new MongoNetworkError(error.message, { cause: error });
  for (const label of error.errorLabels) network.addErrorLabel(label);
  return network;
}

/** The index of the failed write when the only error is a best-effort update's write error, else undefined. */
function bestEffortFailure(error: unknown, writes: readonly DocumentWrite[]): number | undefined {
  if (!(error instanceof MongoBulkWriteError) || error.writeConcernError) return undefined;
  const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (errors.length !== 1) return undefined;
  const index = errors[0].index;
  const write = writes[index];
  return write !== undefined && write.kind === 'update' && write.bestEffort ? index : undefined;
}

function toBulkOperation(write: DocumentWrite): AnyBulkWriteOperation<Document> {
  switch (write.kind) {
    case 'replace':
      return { replaceOne: { filter: write.filter as Document, replacement: write.replacement as Document, upsert: true } };
    case 'delete':
      return { deleteOne: { filter: write.filter as Document } };
    case 'update':
      return { updateOne: { filter: write.filter as Document, update: write.update, upsert: false } };
  }
}
