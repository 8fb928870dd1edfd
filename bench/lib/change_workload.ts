/**
 * The seeded mixed write workload of the `changes` suite: inserts, `$set`/`$unset`/`$inc`/`$push` updates,
 * replacements and deletes over several collections, a share of the updates aimed at a few hot documents.
 *
 * Every write leaves a `seq` field (the write's number, increasing in the order writes are issued) in the document
 * it produces, so that a document state seen later on the destination tells which source write it reflects (see
 * oplog_lag.ts). `_id`s are never reused: an insert takes a fresh one and a deleted document never comes back, so a
 * delete on the destination belongs to exactly one source delete. Every write changes its document (at least
 * `seq`), so each one is exactly one change event.
 */
import { Double, Int32, type AnyBulkWriteOperation, type Document, type MongoClient } from 'mongodb';
import type { AnyDocument } from '../../test/tools/documents.js';
import { randomInt, seededRandom, TEST_SEED, type Random } from '../../test/tools/random.js';
import { benchDocument } from './documents.js';

/** The kinds of writes, and their share of the mix (they add up to 1). */
export const WRITE_MIX = Object.freeze({
  insert: 0.3,
  set: 0.15,
  unset: 0.08,
  inc: 0.12,
  push: 0.1,
  replace: 0.1,
  delete: 0.15,
} as const);
export type WriteKind = keyof typeof WRITE_MIX;

/** Share of updates and replacements that hit one of the hot documents. */
export const HOT_SHARE = 0.25;
/** Hot documents per collection. */
export const HOT_PER_COLLECTION = 2;

/** One write of the workload. */
export interface WorkloadWrite {
  readonly coll: string;
  readonly kind: WriteKind;
  readonly id: number;
  readonly seq: number;
  readonly op: AnyBulkWriteOperation<AnyDocument>;
}

const CITIES = ['Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Tallinn', 'Recife', 'Perth', 'Quebec'];
const TAGS = ['red', 'green', 'blue', 'amber', 'teal', 'onyx', 'rose', 'sage'];

/** The live `_id`s of one collection; removal swaps with the last element (O(1)). */
class IdPool {
  private readonly ids: number[] = [];
  private readonly index = new Map<number, number>();

  get size(): number {
    return this.ids.length;
  }

  add(id: number): void {
    this.index.set(id, this.ids.length);
    this.ids.push(id);
  }

  pick(random: Random): number {
    return this.ids[randomInt(random, this.ids.length)];
  }

  remove(id: number): void {
    const at = this.index.get(id);
    if (at === undefined) return;
    const last = this.ids.pop()!;
    this.index.delete(id);
    if (last !== id) {
      this.ids[at] = last;
      this.index.set(last, at);
    }
  }
}

/**
 * The generator. Documents `0 .. initialDocs - 1` are the initial ones (`initialDocuments()`), spread over the
 * collections round-robin; the first {@link HOT_PER_COLLECTION} of each collection are its hot documents, never
 * deleted. `next()` returns the writes one by one, always the same sequence for the same seed.
 */
export class ChangeWorkload {
  readonly collections: readonly string[];
  private readonly random: Random;
  private readonly live: IdPool[];
  private readonly hot: number[][];
  private nextId: number;
  private seq = 0;

  constructor(collections: number, private readonly initialDocs: number, private readonly seed = TEST_SEED) {
    this.collections = Array.from({ length: collections }, (_, i) => `coll${i}`);
    this.random = seededRandom(seed ^ 0x5eed);
    this.live = this.collections.map(() => new IdPool());
    this.hot = this.collections.map(() => []);
    for (let id = 0; id < initialDocs; id++) {
      const c = id % collections;
      if (this.hot[c].length < HOT_PER_COLLECTION) this.hot[c].push(id);
      else this.live[c].add(id);
    }
    this.nextId = initialDocs;
  }

  /** The initial documents of each collection (written before the migration starts). */
  initialDocuments(): Map<string, Document[]> {
    const out = new Map<string, Document[]>(this.collections.map((c) => [c, []]));
    for (let id = 0; id < this.initialDocs; id++) out.get(this.collections[id % this.collections.length])!.push({ ...benchDocument(id, this.seed), seq: 0 });
    return out;
  }

  /** The hot documents' `_id`s by collection. */
  hotIds(): ReadonlyMap<string, readonly number[]> {
    return new Map(this.collections.map((c, i) => [c, this.hot[i]]));
  }

  /** Number of writes generated so far (the last `seq`). */
  get generated(): number {
    return this.seq;
  }

  /** The next write. */
  next(): WorkloadWrite {
    const random = this.random;
    const c = randomInt(random, this.collections.length);
    const coll = this.collections[c];
    const seq = ++this.seq;
    let kind = pickKind(random());
    // Deletes need a non-hot live document; a collection emptied by deletes gets an insert instead.
    if (kind === 'delete' && this.live[c].size === 0) kind = 'insert';
    if (kind === 'insert') {
      const id = this.nextId++;
      this.live[c].add(id);
      return { coll, kind, id, seq, op: { insertOne: { document: { ...benchDocument(id, this.seed), seq } } } };
    }
    if (kind === 'delete') {
      const id = this.live[c].pick(random);
      this.live[c].remove(id);
      return { coll, kind, id, seq, op: { deleteOne: { filter: { _id: id } } } };
    }
    const id = random() < HOT_SHARE || this.live[c].size === 0 ? this.hot[c][randomInt(random, this.hot[c].length)] : this.live[c].pick(random);
    const filter = { _id: id };
    switch (kind) {
      case 'set':
        return { coll, kind, id, seq, op: { updateOne: { filter, update: { $set: { seq, price: new Double(randomInt(random, 100_000) / 100), 'customer.city': CITIES[randomInt(random, CITIES.length)] } } } } };
      case 'unset':
        return { coll, kind, id, seq, op: { updateOne: { filter, update: { $set: { seq }, $unset: { [random() < 0.5 ? 'customer.email' : 'sku']: '' } } } } };
      case 'inc':
        return { coll, kind, id, seq, op: { updateOne: { filter, update: { $set: { seq }, $inc: { qty: new Int32(1), hits: new Int32(1) } } } } };
      case 'push':
        // $slice keeps the hot documents' arrays bounded, as applications do.
        return { coll, kind, id, seq, op: { updateOne: { filter, update: { $set: { seq }, $push: { tags: { $each: [TAGS[randomInt(random, TAGS.length)]], $slice: -8 } } as AnyDocument } } } };
      default: {
        const { _id: _ignored, ...replacement } = benchDocument(seq + 10_000_000, this.seed);
        return { coll, kind, id, seq, op: { replaceOne: { filter, replacement: { ...replacement, seq } } } };
      }
    }
  }

  /** The next `count` writes. */
  take(count: number): WorkloadWrite[] {
    const out: WorkloadWrite[] = [];
    for (let i = 0; i < count; i++) out.push(this.next());
    return out;
  }
}

function pickKind(r: number): WriteKind {
  let acc = 0;
  for (const [kind, share] of Object.entries(WRITE_MIX) as [WriteKind, number][]) {
    acc += share;
    if (r < acc) return kind;
  }
  return 'insert';
}

/**
 * Writes a group of workload writes: one ordered `bulkWrite` per collection (so one document's writes keep their
 * order), the collections side by side, as several application threads would.
 */
export async function writeWorkload(client: MongoClient, db: string, writes: readonly WorkloadWrite[]): Promise<void> {
  const byColl = new Map<string, AnyBulkWriteOperation<AnyDocument>[]>();
  for (const w of writes) {
    let ops = byColl.get(w.coll);
    if (ops === undefined) byColl.set(w.coll, (ops = []));
    ops.push(w.op);
  }
  await Promise.all([...byColl].map(([coll, ops]) => client.db(db).collection<AnyDocument>(coll).bulkWrite(ops, { ordered: true })));
}

/** Counts of each kind among writes. */
export function kindCounts(writes: Iterable<WorkloadWrite>): Record<WriteKind, number> {
  const counts = Object.fromEntries(Object.keys(WRITE_MIX).map((k) => [k, 0])) as Record<WriteKind, number>;
  for (const w of writes) counts[w.kind]++;
  return counts;
}
