/**
 * A seeded random workload on a source deployment, shared by the tests of continuous sync: inserts with `_id`s of
 * several BSON types and documents with integer-like keys, updates ($set, $unset, $inc, $push, $pull), replacements,
 * deletes, bursts on one hot document, upserts, multi-document transactions, and DDL (create, drop, createIndexes,
 * dropIndexes, renameCollection).
 *
 * Operation `i` draws from its own generator (`randomFor(i, seed)`); the workload's bookkeeping (which `_id`s and
 * collections exist) evolves only through the operations, one after the other, so the same seed always produces
 * the same source state, whatever runs next to it. Operations that may legitimately fail on the source (a delete of
 * a document already deleted is not a failure; a rename racing nothing is) never leave the bookkeeping wrong: state
 * changes are recorded after the source acknowledged them.
 */
import { Decimal128, Double, Int32, Long, ObjectId, type Document, type MongoClient } from 'mongodb';
import { randomFor, randomInt, TEST_SEED, type Random } from './random.js';
import type { AnyDocument } from './documents.js';

/** The database the workload writes into (every collection of it is synced). */
export const WORKLOAD_DB = 'work';

/** Collections that always exist (DDL touches others). */
const STABLE_COLLECTIONS = ['orders', 'users', 'events'] as const;

/** Workload settings. */
export interface WorkloadOptions {
  readonly seed?: number;
  /** Index of the first operation (a workload continued by a second one starts where the first stopped). */
  readonly firstOperation?: number;
  /** Pause between operations in ms (0: as fast as the source answers). */
  readonly pauseMs?: number;
  /** Stop after this many operations (default: until `stop()`). */
  readonly maxOperations?: number;
  /** Whether DDL operations run from the start (default true); see {@link RunningWorkload.enableDdl}. */
  readonly ddl?: boolean;
}

/** A running workload. */
export interface RunningWorkload {
  /** Operations done so far. */
  readonly operations: () => number;
  /** Operations done so far by kind (`insert`, `update`, `transaction`, `rename`, ...). */
  readonly counts: () => Readonly<Record<string, number>>;
  /** Stops after the current operation; rejects with the first failed operation's error (seed in the message). */
  stop(): Promise<number>;
  /** Settles when the workload stops by itself (maxOperations) or fails. */
  readonly done: Promise<number>;
  /**
   * Lets DDL operations run from now on, or not (their draws then update the hot document instead). `sync start`
   * reads the source's catalog collection by collection at every start and fails when one vanishes in between, so
   * tests hold DDL back until a run is past that read. Resolves once the operation in flight (which may be DDL)
   * is over.
   */
  allowDdl(allowed: boolean): Promise<void>;
}

/** What the workload knows about the source. */
export interface WorkloadState {
  /** `_id`s per collection, in insertion order (deleted ones removed). */
  readonly ids: Map<string, unknown[]>;
  /** Collections created by DDL operations that still exist. */
  readonly extra: string[];
  counter: number;
  renames: number;
  /** DDL operations allowed. */
  ddl: boolean;
  /** Operations done by kind. */
  readonly counts: Record<string, number>;
}

/** Seeded documents for a collection before any sync starts (so that the copy has something to do). */
export function seedDocuments(collection: string, count: number, seed = TEST_SEED): Document[] {
  const docs: Document[] = [];
  const offset = [...collection].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 0);
  for (let i = 0; i < count; i++) docs.push({ _id: idOfKind(i % 6, i), ...makeDocument(randomFor(i + offset, seed)) });
  return docs;
}

/** Loads seeded documents into the stable collections of the workload database. */
export async function preloadWorkload(source: MongoClient, perCollection: number, seed = TEST_SEED): Promise<void> {
  for (const name of STABLE_COLLECTIONS) {
    const docs = seedDocuments(name, perCollection, seed);
    for (let i = 0; i < docs.length; i += 500) await source.db(WORKLOAD_DB).collection(name).insertMany(docs.slice(i, i + 500));
  }
}

/** An `_id` of one of six BSON types from a unique counter; the type brackets never collide with each other. */
function idOfKind(kind: number, n: number): unknown {
  switch (kind) {
    case 0: return n;
    case 1: return `s${n}`;
    case 2: return new ObjectId(n.toString(16).padStart(24, '0'));
    case 3: return { k: n, tag: 'x' };
    case 4: return Long.fromNumber(1_000_000_000_000 + n);
    default: return new Date(1_600_000_000_000 + n);
  }
}

/** A document without `_id` (the caller puts it first, as the server does). */
function makeDocument(random: Random): Document {
  const doc: Document = {
    qty: new Int32(randomInt(random, 100)),
    price: new Double(Math.round(random() * 10_000) / 100),
    dec: Decimal128.fromString(`${randomInt(random, 1000)}.25`),
    tags: Array.from({ length: randomInt(random, 4) }, (_, i) => `t${i}`),
    nested: { a: new Int32(1), b: { c: 'x'.repeat(randomInt(random, 30)) } },
  };
  // Integer-like keys: a decoded JS object would move them to the front; the sync must keep their order.
  if (random() < 0.4) doc.years = new Map<string, unknown>([['2024', new Int32(1)], ['10', 2], ['b', 3], ['7', 'x']]);
  return doc;
}

/** Starts the workload on `source` (see the module comment). */
export function startWorkload(source: MongoClient, options: WorkloadOptions = {}): RunningWorkload {
  const seed = options.seed ?? TEST_SEED;
  const state: WorkloadState = { ids: new Map(), extra: [], counter: 0, renames: 0, ddl: options.ddl ?? true, counts: {} };
  let stopping = false;
  let done = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const first = options.firstOperation ?? 0;
  const run = (async () => {
    await loadState(source, state);
    for (let i = first; !stopping && (options.maxOperations === undefined || done < options.maxOperations); i++) {
      try {
        inFlight = workloadOperation(source, randomFor(i, seed), i, state);
        await inFlight;
      } catch (error) {
        throw new Error(`workload operation ${i} (seed ${seed}) failed: ${(error as Error).message}`, { cause: error });
      }
      done++;
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
    return done;
  })();
  run.catch(() => undefined);
  return {
    operations: () => done,
    counts: () => ({ ...state.counts }),
    stop: async () => {
      stopping = true;
      return run;
    },
    done: run,
    allowDdl: async (allowed) => {
      state.ddl = allowed;
      await inFlight.catch(() => undefined);
    },
  };
}

/** Reads which `_id`s and collections the source holds (a workload may start on a preloaded source). */
async function loadState(source: MongoClient, state: WorkloadState): Promise<void> {
  const db = source.db(WORKLOAD_DB);
  const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  for (const name of STABLE_COLLECTIONS) {
    const ids = (await db.collection(name).find({}, { projection: { _id: 1 }, sort: { _id: 1 } }).toArray()).map((d) => d._id as unknown);
    state.ids.set(name, ids);
    state.counter = Math.max(state.counter, ids.length);
  }
  // Transactions update the hot document: its collection must exist before one runs.
  if (!existing.includes('hot')) await db.createCollection('hot');
  for (const name of existing.sort()) {
    if (!(STABLE_COLLECTIONS as readonly string[]).includes(name) && name !== 'hot') state.extra.push(name);
  }
  // New _ids start far above the preloaded ones.
  state.counter += 1_000_000;
}

function byId(id: unknown): Document {
  return { _id: id };
}

/** One operation (exported so that a test can replay one alone). */
export async function workloadOperation(source: MongoClient, random: Random, index: number, state: WorkloadState): Promise<void> {
  const db = source.db(WORKLOAD_DB);
  const collName = STABLE_COLLECTIONS[randomInt(random, STABLE_COLLECTIONS.length)];
  const collection = db.collection<AnyDocument>(collName);
  const ids = state.ids.get(collName) ?? [];
  const pickId = (): unknown => (ids.length === 0 ? -1 : ids[randomInt(random, ids.length)]);
  const roll = random();
  const count = (kind: string) => (state.counts[kind] = (state.counts[kind] ?? 0) + 1);
  if (roll < 0.2) {
    count('insert');
    const id = idOfKind(randomInt(random, 6), state.counter++);
    await collection.insertOne({ _id: id, ...makeDocument(random) } as AnyDocument);
    ids.push(id);
    state.ids.set(collName, ids);
  } else if (roll < 0.4) {
    count('update');
    const updates: Document[] = [
      { $set: { qty: new Int32(randomInt(random, 100)), 'nested.b.c': `v${index}` } },
      { $set: { 'years.2024': new Int32(index), 'years.10': `s${index}` } },
      { $unset: { price: '', 'nested.a': '' } },
      { $inc: { qty: new Int32(1), counter: Long.fromNumber(2) } },
      { $push: { tags: { $each: [`p${index}`, `q${index}`], $slice: -4 } } },
      { $pull: { tags: { $in: ['t0', `p${index - 1}`] } } },
      { $set: { [`f${randomInt(random, 5)}`]: new ObjectId(index.toString(16).padStart(24, '0')) } },
    ];
    await collection.updateOne(byId(pickId()), updates[randomInt(random, updates.length)]);
  } else if (roll < 0.48) {
    count('replace');
    await collection.replaceOne(byId(pickId()), { ...makeDocument(random), replacedAt: index } as AnyDocument);
  } else if (roll < 0.56) {
    count('delete');
    const at = ids.length === 0 ? -1 : randomInt(random, ids.length);
    if (at >= 0) {
      await collection.deleteOne(byId(ids[at]));
      ids.splice(at, 1);
    }
  } else if (roll < 0.72 || (!state.ddl && roll >= 0.86 && roll < 0.97)) {
    // The hot document: many updates of one document.
    count('hot');
    await db.collection<AnyDocument>('hot').updateOne(
      { _id: 'hot' },
      { $inc: { n: new Int32(1) }, $set: { [`k${randomInt(random, 8)}`]: index }, $push: { last: { $each: [index], $slice: -5 } } } as Document,
      { upsert: true },
    );
  } else if (roll < 0.78) {
    // Upserts: of a new _id (an insert) or an existing one (an update).
    count('upsert');
    const fresh = random() < 0.5;
    const id = fresh ? state.counter++ : pickId();
    await collection.updateOne(byId(id), { $set: { upserted: index }, $setOnInsert: { created: new Int32(index) } }, { upsert: true });
    if (fresh) ids.push(id);
  } else if (roll < 0.86) {
    count('transaction');
    await transaction(source, random, index, state);
  } else if (roll < 0.91) {
    count('createOrDrop');
    await createOrDropCollection(source, random, index, state);
  } else if (roll < 0.95) {
    count('index');
    const indexes = await collection.listIndexes().toArray();
    if (indexes.some((i) => i.name === 'qty_tags')) await collection.dropIndex('qty_tags');
    else await collection.createIndex({ qty: 1, tags: 1 }, { name: 'qty_tags' });
  } else if (roll < 0.97) {
    count('rename');
    await renameCollection(source, random, index, state);
  } else {
    count('updateMany');
    await collection.updateMany({ qty: { $lt: new Int32(15) } }, { $set: { low: index } });
  }
}

/** Inserts, updates and a delete over two collections in one transaction. */
async function transaction(source: MongoClient, random: Random, index: number, state: WorkloadState): Promise<void> {
  const db = source.db(WORKLOAD_DB);
  const orders = state.ids.get('orders') ?? [];
  const users = state.ids.get('users') ?? [];
  const newIds = [state.counter++, state.counter++];
  const updated = orders.length === 0 ? -1 : orders[randomInt(random, orders.length)];
  const deleteAt = users.length > 1 ? randomInt(random, users.length) : -1;
  const deleted = deleteAt >= 0 ? users[deleteAt] : undefined;
  const session = source.startSession();
  try {
    await session.withTransaction(async () => {
      await db.collection<AnyDocument>('orders').insertMany(newIds.map((id) => ({ _id: id, tx: index, qty: new Int32(1) })), { session });
      await db.collection<AnyDocument>('orders').updateOne(byId(updated), { $inc: { qty: new Int32(10) }, $set: { tx: index } }, { session });
      if (deleted !== undefined) await db.collection<AnyDocument>('users').deleteOne(byId(deleted), { session });
      await db.collection<AnyDocument>('hot').updateOne({ _id: 'hot' }, { $set: { tx: index } }, { session, upsert: true });
    });
  } finally {
    await session.endSession();
  }
  orders.push(...newIds);
  state.ids.set('orders', orders);
  if (deleteAt >= 0) users.splice(deleteAt, 1);
}

async function createOrDropCollection(source: MongoClient, random: Random, index: number, state: WorkloadState): Promise<void> {
  const db = source.db(WORKLOAD_DB);
  if (state.extra.length > 0 && random() < 0.5) {
    const at = randomInt(random, state.extra.length);
    await db.collection(state.extra[at]).drop();
    state.extra.splice(at, 1);
    return;
  }
  const name = `tmp${index}`;
  await db.createCollection(name);
  state.extra.push(name);
  await db.collection<AnyDocument>(name).insertMany([{ _id: 1, index }, { _id: 'two', index, years: new Map([['3', 1], ['1', 2]]) }]);
  await db.collection<AnyDocument>(name).createIndex({ index: 1 });
}

/** A collection filled, updated, then renamed: its update events are read after the rename. */
async function renameCollection(source: MongoClient, random: Random, index: number, state: WorkloadState): Promise<void> {
  const db = source.db(WORKLOAD_DB);
  const name = `staged${index}`;
  await db.collection<AnyDocument>(name).insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 1, arr: [1, 2, 3, 4] }]);
  await db.collection<AnyDocument>(name).updateOne({ _id: 1 }, { $set: { v: 2 }, $unset: { missing: '' } });
  await db.collection<AnyDocument>(name).updateOne({ _id: 2 }, { $push: { arr: { $each: [], $slice: 2 } }, $inc: { v: new Int32(5) } } as Document);
  const target = `renamed${state.renames++}_${randomInt(random, 1000)}`;
  await db.collection(name).rename(target);
  state.extra.push(target);
}
