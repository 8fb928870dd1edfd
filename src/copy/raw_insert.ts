/**
 * Inserts documents given as their BSON bytes, without decoding and re-encoding them: the bytes read from the source
 * are sent as they are, in the insert command's OP_MSG document sequence (a kind-1 section). The destination then
 * receives the very bytes the source returned, and the copy saves the decoding, the re-encoding and the garbage of
 * both (most of the tool's CPU time and memory when documents go through JS values).
 *
 * The driver has no public API for it: its inserts serialize JS values. It does send pre-serialized documents when a
 * command carries an instance of its `DocumentSequence` class (insertMany builds one since driver 6.x), and a
 * `runCommand` carrying one is sent the same way. That class is internal to the driver, so it is loaded defensively:
 * when it is missing or does not behave as expected (another driver version), {@link loadRawInserter} answers
 * undefined and the copier goes back to decoded documents (`toExactDocument`), which are slower but as exact.
 */
import type { Db, Document, WriteConcern } from 'mongodb';
import type { DocumentBatch } from './document_batch.js';

/**
 * Most bytes of documents in one insert command; a larger document goes alone (up to mongod's 16 MiB). The driver
 * copies a command's bytes three times on the way to the socket (the sequence, the sections, the message), so
 * commands much smaller than a batch keep those copies, and the process's memory, small; a batch of
 * `copy.batchSizeBytes` is sent as several commands before its checkpoint.
 */
export const INSERT_COMMAND_BYTES = 2 * 1024 * 1024;

/** One document the server refused, by its index in the batch given to {@link RawInserter.insert}. */
export interface RawWriteError {
  readonly index: number;
  readonly code: number;
  readonly errmsg: string;
  /** Key pattern of the unique index a duplicate key violated (absent on some server versions). */
  readonly keyPattern?: Document;
}

/** What an insert did: documents inserted, and the write errors (an ordered insert stops at the first). */
export interface RawInsertReply {
  readonly inserted: number;
  readonly writeErrors: readonly RawWriteError[];
}

/** Inserts raw BSON documents into a collection. */
export interface RawInserter {
  /** Inserts the documents of `batch` from index `from` (default 0) on. */
  insert(db: Db, coll: string, batch: DocumentBatch, options: { readonly ordered: boolean; readonly from?: number }): Promise<RawInsertReply>;
}

/** The part of the driver's DocumentSequence this module uses. */
interface DocumentSequence {
  push(document: unknown, bytes: Uint8Array): number;
  toBin(): Uint8Array;
}
type DocumentSequenceClass = new (field: string) => DocumentSequence;

/** Where the driver keeps the class; read through a variable so that TypeScript does not look for its types. */
const DRIVER_COMMANDS_MODULE: string = 'mongodb/lib/cmap/commands.js';

let loading: Promise<RawInserter | undefined> | undefined;

/**
 * The raw inserter, or undefined when this driver version cannot send pre-serialized documents (see the module
 * comment). Loaded once per process.
 */
export function loadRawInserter(): Promise<RawInserter | undefined> {
  loading ??= import(DRIVER_COMMANDS_MODULE).then(
    (module: unknown) => {
      const sequenceClass = (module as { DocumentSequence?: unknown }).DocumentSequence;
      return isUsableSequenceClass(sequenceClass) ? new SequenceInserter(sequenceClass) : undefined;
    },
    () => undefined,
  );
  return loading;
}

/**
 * Whether `candidate` builds the kind-1 section this module expects: checked on a sample document, so that a
 * driver whose class changed shape is not used (its commands would be refused, or worse, sent differently).
 */
export function isUsableSequenceClass(candidate: unknown): candidate is DocumentSequenceClass {
  if (typeof candidate !== 'function') return false;
  try {
    const sample = Buffer.from([0x0d, 0, 0, 0, 0x10, 0x61, 0, 0x01, 0, 0, 0, 0]); // {a: Int32(1)}
    sample.writeInt32LE(sample.length, 0);
    const sequence = new (candidate as DocumentSequenceClass)('documents');
    if (typeof sequence.push !== 'function' || typeof sequence.toBin !== 'function') return false;
    sequence.push(sample, sample);
    return Buffer.from(sequence.toBin()).equals(kindOneSection('documents', [sample]));
  } catch {
    return false;
  }
}

/** An OP_MSG kind-1 section: kind byte, int32 size (itself, the identifier, the documents), identifier, documents. */
export function kindOneSection(field: string, documents: readonly Uint8Array[]): Buffer {
  const identifier = Buffer.from(`${field}\0`, 'utf8');
  const size = 4 + identifier.length + documents.reduce((sum, d) => sum + d.byteLength, 0);
  const header = Buffer.alloc(5);
  header[0] = 1;
  header.writeInt32LE(size, 1);
  return Buffer.concat([header, identifier, ...documents]);
}

/**
 * Splits documents `[from, count)` into consecutive runs of at most `maxBytes` each (a larger document goes alone):
 * `[start, end)` index pairs. `offsetOf(i)` is where document `i` starts, `offsetOf(count)` where the last ends.
 */
export function splitByBytes(offsetOf: (index: number) => number, from: number, count: number, maxBytes: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = from;
  for (let i = from; i < count; i++) {
    if (i > start && offsetOf(i + 1) - offsetOf(start) > maxBytes) {
      runs.push([start, i]);
      start = i;
    }
  }
  if (count > start) runs.push([start, count]);
  return runs;
}

class SequenceInserter implements RawInserter {
  constructor(private readonly sequenceClass: DocumentSequenceClass) {}

  async insert(db: Db, coll: string, batch: DocumentBatch, options: { readonly ordered: boolean; readonly from?: number }): Promise<RawInsertReply> {
    let inserted = 0;
    const writeErrors: RawWriteError[] = [];
    for (const [start, end] of splitByBytes((i) => batch.offsetOf(i), options.from ?? 0, batch.count, INSERT_COMMAND_BYTES)) {
      const sequence = new this.sequenceClass('documents');
      // The run goes in as one chunk: a kind-1 section is its documents end to end. The first argument only feeds
      // the driver's command monitoring.
      const bytes = batch.bytesOf(start, end);
      sequence.push(bytes, bytes);
      const command: Document = { insert: coll, documents: sequence, ordered: options.ordered, bypassDocumentValidation: true };
      const writeConcern = writeConcernDocument(db.writeConcern);
      if (writeConcern) command.writeConcern = writeConcern;
      // A writeConcernError or ok: 0 makes the driver throw (MongoWriteConcernError, MongoServerError).
      const reply = await db.command(command);
      inserted += Number(reply.n ?? 0);
      const errors = (reply.writeErrors ?? []) as Document[];
      for (const e of errors) {
        writeErrors.push({ index: start + Number(e.index), code: Number(e.code), errmsg: String(e.errmsg ?? ''), ...(e.keyPattern ? { keyPattern: e.keyPattern as Document } : {}) });
      }
      if (options.ordered && errors.length > 0) break;
    }
    return { inserted, writeErrors };
  }
}

/** The write concern the driver would send for `db`'s operations (runCommand does not add it by itself). */
function writeConcernDocument(concern: WriteConcern | undefined): Document | undefined {
  if (!concern) return undefined;
  const out: Document = {};
  if (concern.w !== undefined) out.w = concern.w;
  if (concern.journal !== undefined) out.j = concern.journal;
  if (concern.wtimeoutMS !== undefined) out.wtimeout = concern.wtimeoutMS;
  return Object.keys(out).length > 0 ? out : undefined;
}
