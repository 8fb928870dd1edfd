/**
 * Copy partitions: one document per `_id` range of a collection, with its checkpoint (the last `_id` written),
 * so that a restart resumes mid-collection and finished partitions are never copied again.
 */
import type { Document, MongoClient } from 'mongodb';
import { internalCollection } from './internal_db.js';
import { EXACT_BSON_OPTIONS } from '../bson/exact_options.js';

/** Partition progress. */
export const PARTITION_STATUSES = Object.freeze(['pending', 'copying', 'done'] as const);
export type PartitionStatus = (typeof PARTITION_STATUSES)[number];

/** A persisted partition. */
export interface PartitionDocument {
  /** `<migrationId>/<db>.<coll>/<index>`. */
  _id: string;
  migrationId: string;
  db: string;
  coll: string;
  /** Position of the partition in its collection, from 0. */
  index: number;
  /**
   * Range in `_id` index order: `min` inclusive, `max` exclusive (find's `min`/`max` index bounds, which follow
   * the index's BSON order across types, unlike type-bracketed `$gte`/`$lt`). Absent = unbounded on that side.
   */
  min?: Document;
  max?: Document;
  /** Copy in natural order in one partition (capped collections). */
  natural: boolean;
  status: PartitionStatus;
  /** `{_id: <last _id written>}`; absent until the first batch. */
  lastKey?: Document;
  docsCopied: number;
  bytesCopied: number;
}

/** Reads and writes partition documents. */
export class PartitionStore {
  constructor(private readonly destination: MongoClient) {}

  private get collection() {
    return internalCollection<PartitionDocument>(this.destination, 'partitions');
  }

  /**
   * The partitions of one migration in copy order (by namespace, then index). Bounds and checkpoints are decoded
   * with their exact types: a Long `_id` promoted to a JS number could round past a document and skip it.
   */
  async list(migrationId: string): Promise<PartitionDocument[]> {
    const docs = await this.collection
      .find({ migrationId }, { ...EXACT_BSON_OPTIONS })
      .sort({ db: 1, coll: 1, index: 1 })
      .toArray();
    return docs.map((d) => ({ ...d, index: Number(d.index), docsCopied: Number(d.docsCopied), bytesCopied: Number(d.bytesCopied) }));
  }

  async hasPartitions(migrationId: string, db: string, coll: string): Promise<boolean> {
    return (await this.collection.findOne({ migrationId, db, coll })) !== null;
  }

  /** Saves a collection's partitions; rerunning after a crash mid-save replaces them (none was copied yet). */
  async saveAll(partitions: PartitionDocument[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.collection.bulkWrite(
      partitions.map((p) => ({ replaceOne: { filter: { _id: p._id }, replacement: p, upsert: true } })),
      { ordered: true },
    );
  }

  /** Records a batch written: the checkpoint moves to `lastKey` and the counters grow. */
  async checkpoint(id: string, lastKey: Document, docs: number, bytes: number): Promise<void> {
    await this.collection.updateOne(
      { _id: id },
      { $set: { lastKey, status: 'copying' }, $inc: { docsCopied: docs, bytesCopied: bytes } },
    );
  }

  async markDone(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { status: 'done' } });
  }
}
