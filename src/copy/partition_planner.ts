/**
 * Splits a collection into `_id` ranges that are copied and checkpointed independently.
 *
 * Ranges are `min`/`max` index bounds on the `_id` index (min inclusive, max exclusive): positions in the index's
 * key order, which sorts mixed `_id` types by type first and then by value. Unlike `$gte`/`$lt` queries, which are
 * type-bracketed, such bounds cover every `_id` between them whatever its type, so one list of ranges spans all the
 * type brackets of a collection with no gaps: the first range has no `min`, the last no `max`.
 */
import type { Collection, Document } from 'mongodb';
import { exactIdOf } from '../bson/exact_document.js';

/** One planned range, before it is stored as a PartitionDocument. */
export interface PlannedRange {
  readonly min?: Document;
  readonly max?: Document;
}

/** How many documents go in one partition for a target partition size. At least one. */
export function documentsPerPartition(partitionSizeBytes: number, averageDocumentBytes: number): number {
  const average = averageDocumentBytes > 0 ? averageDocumentBytes : 1;
  return Math.max(1, Math.floor(partitionSizeBytes / average));
}

/**
 * Turns boundary `_id`s (in index order, strictly increasing) into contiguous ranges:
 * [-inf, b1), [b1, b2), ..., [bn, +inf). No boundaries gives one range over the whole collection.
 */
export function rangesFromBoundaries(boundaries: readonly unknown[]): PlannedRange[] {
  if (boundaries.length === 0) return [{}];
  const ranges: PlannedRange[] = [{ max: { _id: boundaries[0] } }];
  for (let i = 1; i < boundaries.length; i++) {
    ranges.push({ min: { _id: boundaries[i - 1] }, max: { _id: boundaries[i] } });
  }
  ranges.push({ min: { _id: boundaries[boundaries.length - 1] } });
  return ranges;
}

/**
 * Picks every `perPartition`-th `_id` of an index-ordered stream of `_id`s as a boundary (the first `_id` is never
 * one: the first range is unbounded below).
 */
export async function pickBoundaries(ids: AsyncIterable<unknown>, perPartition: number): Promise<unknown[]> {
  const boundaries: unknown[] = [];
  let seen = 0;
  for await (const id of ids) {
    if (seen > 0 && seen % perPartition === 0) boundaries.push(id);
    seen++;
  }
  return boundaries;
}

/**
 * The same boundaries as {@link pickBoundaries} over the collection's `_id` index, found by the server instead of
 * read: each is the `_id` `perPartition` index entries after the previous boundary (a `skip` from `min`: the previous
 * boundary, inclusive), so one query per partition returns one `_id`, instead of every `_id` of the collection
 * travelling to the tool and being decoded there.
 */
export async function findBoundaries(collection: Collection<Document>, perPartition: number): Promise<unknown[]> {
  const boundaries: unknown[] = [];
  let from: Document | undefined;
  for (;;) {
    const [next] = await collection
      .find({}, { raw: true, projection: { _id: 1 }, sort: { _id: 1 }, hint: { _id: 1 }, skip: perPartition, limit: 1, ...(from ? { min: from } : {}) })
      .toArray();
    if (next === undefined) return boundaries;
    const id = exactIdOf(next as unknown as Uint8Array);
    boundaries.push(id);
    from = { _id: id };
  }
}
