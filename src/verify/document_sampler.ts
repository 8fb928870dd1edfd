/**
 * Finds which documents differ once the hashes of a namespace differ: both sides are walked together in `_id`
 * order, comparing exact bytes, and the walk stops as soon as enough samples are found (or both sides end).
 *
 * Both walks must use the order in which this module compares `_id`s (the simple collation's BSON order of
 * `raw_bson_order.ts`); for a collection whose default collation is not simple, the query asks for the simple
 * collation explicitly, which costs the server a sort instead of an `_id` index walk.
 */
import { BSON, type Collection, type Document } from 'mongodb';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';
import { compareRawIds, rawIdElement } from './raw_bson_order.js';
import { rawDocuments } from './raw_documents.js';
import type { DocumentSample } from './verify_report.js';

/** Samples reported per namespace unless told otherwise. */
export const DEFAULT_MAX_SAMPLES = 10;

/** Options of {@link sampleDifferences}. */
export interface SampleOptions {
  /** Stop after this many differing documents. */
  readonly maxSamples: number;
  /** Sort with the simple collation (the collection's default collation is another one). */
  readonly simpleCollation: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Walks two collections in `_id` order and returns up to `maxSamples` differing documents. */
export function sampleDifferences(
  source: Collection<Document>,
  destination: Collection<Document>,
  options: SampleOptions,
): Promise<DocumentSample[]> {
  const read = (collection: Collection<Document>) =>
    rawDocuments(collection, {
      sort: { _id: 1 },
      ...(options.simpleCollation ? { collation: { locale: 'simple' } } : {}),
      signal: options.signal,
    });
  return findDifferences(read(source), read(destination), options.maxSamples);
}

/**
 * The merge of two streams of raw documents, each sorted by `_id` in BSON order: a document whose `_id` only
 * one side has is missing or extra, one whose bytes differ is `contentDiffers`. Both streams are closed when the
 * walk stops early.
 */
export async function findDifferences(
  sourceDocuments: AsyncIterable<Uint8Array>,
  destinationDocuments: AsyncIterable<Uint8Array>,
  maxSamples: number,
): Promise<DocumentSample[]> {
  const samples: DocumentSample[] = [];
  const left = sourceDocuments[Symbol.asyncIterator]();
  const right = destinationDocuments[Symbol.asyncIterator]();
  try {
    let a = await left.next();
    let b = await right.next();
    while (samples.length < maxSamples && (a.done !== true || b.done !== true)) {
      const order = a.done === true ? 1 : b.done === true ? -1 : compareRawIds(a.value, b.value);
      if (order === 0) {
        // Equal `_id`s in BSON order may still differ in type (Int32 1 and Double 1.0): the bytes decide.
        if (Buffer.compare(a.value as Uint8Array, b.value as Uint8Array) !== 0) {
          samples.push({ _id: idText(a.value as Uint8Array), difference: 'contentDiffers' });
        }
        [a, b] = await Promise.all([left.next(), right.next()]);
      } else if (order < 0) {
        samples.push({ _id: idText(a.value as Uint8Array), difference: 'missingOnDestination' });
        a = await left.next();
      } else {
        samples.push({ _id: idText(b.value as Uint8Array), difference: 'extraOnDestination' });
        b = await right.next();
      }
    }
  } finally {
    await Promise.all([left.return?.(), right.return?.()]);
  }
  return samples;
}

/** The `_id` of a raw document as canonical Extended JSON, which shows its BSON type. */
export function idText(document: Uint8Array): string {
  const element = rawIdElement(document);
  if (element === undefined) return '(no _id)';
  // The element alone, wrapped in a document of its own, decodes with its exact type.
  const bytes = element.bytes;
  const nameStart = element.valueStart - '_id'.length - 2;
  const body = bytes.subarray(nameStart, element.end);
  const wrapper = Buffer.alloc(4 + body.length + 1);
  wrapper.writeInt32LE(wrapper.length, 0);
  body.copy(wrapper, 4);
  const decoded = BSON.deserialize(wrapper, EXACT_BSON_OPTIONS);
  return BSON.EJSON.stringify(decoded._id as Document, { relaxed: false });
}
