import { Long, MongoClient, type Db, type Document } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/**
 * collMod's index conversions and option changes as mongod 7.0/8.0 answer them, which a migration's commit and
 * reverse rely on. What mongod does, from its source:
 * - coll_mod.cpp parseCollModRequest: `unique` is only ever `true` (`unique: false` is BadValue "Cannot make index
 *   non-unique"); it needs `prepareUnique: true` first (InvalidOptions); making a unique index unique, hiding a
 *   hidden one or preparing a prepared one is a no-op left out of the reply and the oplog entry; `prepareUnique`
 *   that changes something may not be combined with any other modification; `dryRun` needs `index.unique: true`
 *   alone. The index options are IDL safeBools. The unique conversion has been on by default since 6.0 (its
 *   feature flag gCollModIndexUnique was enabled in 6.0; the 6.0 manual documents the procedure).
 * - The way back from unique is `forceNonUnique: true` (SERVER-63578, 6.0; not in the manual but in every
 *   coll_mod.cpp since, and named in SERVER-99288): reply `forceNonUnique_new: true`, `unique` leaves the spec.
 * - coll_mod_index.cpp: replies `expireAfterSeconds_old` (when there was one) and `_new` as longs, `hidden_old` and
 *   `hidden_new`, `unique_new`, `prepareUnique_old` and `_new`, `forceNonUnique_new`. Converting to unique resets
 *   prepareUnique (the field leaves the spec).
 * - bson_collection_catalog_entry.cpp update*Setting: each changed option is removed from the spec and appended
 *   at its end (`hidden`, `unique` and `prepareUnique` only when true; expireAfterSeconds as a long), so
 *   listIndexes shows them in the order collMod last set them. An expireAfterSeconds equal to the stored int or
 *   long is not rewritten.
 * - OpObserverImpl::onCollMod / makeCollModCmdObj: `o.index` is `{name, expireAfterSeconds, hidden, unique,
 *   prepareUnique, forceNonUnique}` (those that changed, the name even when the command gave a key pattern),
 *   `o2: {collectionOptions_old: {uuid, ...}, indexOptions_old: {expireAfterSeconds, hidden, prepareUnique}}`; a
 *   change stream with showExpandedEvents turns it into a `modify` event with `operationDescription` (o without
 *   collMod) and `stateBeforeChange: {collectionOptions, indexOptions}`.
 */
describe('collMod index conversions', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment, client } = await connectedDeployment());
  });

  beforeEach(async () => {
    db = client.db(`collmod_${expect.getState().currentTestName?.replace(/[^a-z0-9]/gi, '').slice(0, 40)}`);
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  /** A collMod reply without the fields every reply has, in its order. */
  async function collMod(command: Document): Promise<Document> {
    const reply = await db.command(command, { promoteLongs: false });
    const { ok, $clusterTime, operationTime, ...fields } = reply;
    expect(ok).toBe(1);
    return fields;
  }

  /** The spec of index `name` as listIndexes returns it, with longs kept as Long. */
  async function spec(coll: string, name: string): Promise<Document> {
    const reply = await db.command({ listIndexes: coll }, { promoteLongs: false });
    return (reply.cursor.firstBatch as Document[]).find((s) => s.name === name) as Document;
  }

  async function collectionInfo(name: string): Promise<Document> {
    return (await db.listCollections({ name }).toArray())[0] as Document;
  }

  async function failure(command: Document): Promise<Document> {
    return db.command(command).then(() => { throw new Error(`${JSON.stringify(command)} succeeded`); }, (e: Document) => e);
  }

  /** The collMod oplog entries of this test's database written after `since` (or all). */
  async function collModEntries(): Promise<Document[]> {
    return client.db('local').collection('oplog.rs')
      .find({ ns: `${db.databaseName}.$cmd`, 'o.collMod': { $exists: true } }, { promoteLongs: false })
      .sort({ $natural: 1 })
      .toArray();
  }

  it('converts an index to unique in two steps, prepareUnique then unique, and the spec loses prepareUnique', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    await coll.createIndex({ a: 1 });
    expect(await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, prepareUnique: true } })).toEqual({ prepareUnique_old: false, prepareUnique_new: true });
    const prepared = await spec('c', 'a_1');
    expect(Object.keys(prepared)).toEqual(['v', 'key', 'name', 'prepareUnique']);
    expect(prepared.prepareUnique).toBe(true);
    await expect(coll.insertOne({ _id: 3, a: 1 })).rejects.toMatchObject({ code: 11000 });
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', unique: true } })).toEqual({ unique_new: true });
    expect(await spec('c', 'a_1')).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', unique: true });
    expect(Object.keys(await spec('c', 'a_1'))).toEqual(['v', 'key', 'name', 'unique']);
    await expect(coll.insertOne({ _id: 4, a: 2 })).rejects.toMatchObject({ code: 11000 });
    // Again: a no-op that replies nothing; so is prepareUnique on a unique index.
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', unique: true } })).toEqual({});
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } })).toEqual({});
    expect(await spec('c', 'a_1')).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', unique: true });
  });

  it('refuses unique before prepareUnique, and unique: false', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', unique: true } })).rejects.toMatchObject({
      code: 72, codeName: 'InvalidOptions', errmsg: "Cannot make index unique with 'prepareUnique=false'. Run collMod to set it first.",
    });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', unique: false } })).rejects.toMatchObject({
      code: 2, codeName: 'BadValue', errmsg: 'Cannot make index non-unique',
    });
    await coll.createIndex({ b: 1 }, { unique: true });
    await expect(db.command({ collMod: 'c', index: { name: 'b_1', unique: false } })).rejects.toMatchObject({ code: 2 });
    await expect(db.command({ collMod: 'c', index: { name: 'b_1', unique: true, forceNonUnique: true } })).rejects.toMatchObject({ code: 72 });
    await expect(db.command({ collMod: 'c', index: { name: 'b_1', forceNonUnique: false } })).rejects.toMatchObject({
      code: 2, errmsg: "'forceNonUnique: false' is not supported",
    });
  });

  it('lists the duplicates in CannotConvertIndexToUnique, by key then insertion, with or without dryRun', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.insertMany([{ _id: 'x', a: 2 }, { _id: 'y', a: 1 }, { _id: 'z', a: 2 }, { _id: 'w', a: 1 }, { _id: 'v', a: 3 }]);
    await coll.createIndex({ a: 1 });
    await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } });
    for (const dryRun of [{ dryRun: true }, {}]) {
      const error = await failure({ collMod: 'c', index: { name: 'a_1', unique: true }, ...dryRun });
      expect(error).toMatchObject({
        code: 359,
        codeName: 'CannotConvertIndexToUnique',
        errmsg: 'Cannot convert the index to unique. Please resolve conflicting documents before running collMod again.',
        violations: [{ ids: ['y', 'w'] }, { ids: ['x', 'z'] }],
      });
    }
    expect(await spec('c', 'a_1')).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', prepareUnique: true });
    await coll.deleteMany({ _id: { $in: ['w', 'z'] } });
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', unique: true }, dryRun: true })).toEqual({});
    expect(await spec('c', 'a_1')).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', prepareUnique: true });
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', unique: true }, dryRun: false })).toEqual({ unique_new: true });
  });

  it('takes dryRun only for a lone unique: true', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 });
    await expect(db.command({ collMod: 'c', dryRun: true })).rejects.toMatchObject({
      code: 72, errmsg: 'dry run mode requires an valid index modification.',
    });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', hidden: true }, dryRun: true })).rejects.toMatchObject({
      code: 72, errmsg: 'dry run mode requires an index modification with unique: true.',
    });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', unique: true }, dryRun: true })).rejects.toMatchObject({
      code: 72, errmsg: "Cannot make index unique with 'prepareUnique=false'. Run collMod to set it first.",
    });
    await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', unique: true, hidden: true }, dryRun: true })).rejects.toMatchObject({
      code: 72, errmsg: 'unique: true cannot be combined with any other modification in dry run mode.',
    });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', unique: true }, validationLevel: 'moderate', dryRun: true })).rejects.toMatchObject({ code: 72 });
    // A dry run changes nothing, so logs nothing.
    expect(await collModEntries()).toHaveLength(1);
  });

  it('refuses a prepareUnique change combined with any other modification, but not a no-op one', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', prepareUnique: true, hidden: true } })).rejects.toMatchObject({
      code: 72, errmsg: 'prepareUnique cannot be combined with any other modification.',
    });
    await expect(db.command({ collMod: 'c', index: { name: 'a_1', prepareUnique: true }, validationLevel: 'moderate' })).rejects.toMatchObject({ code: 72 });
    await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } });
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true, hidden: true } })).toEqual({ hidden_old: false, hidden_new: true });
    // prepareUnique: false undoes it (the reverse of a conversion that was never completed).
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: false } })).toEqual({ prepareUnique_old: true, prepareUnique_new: false });
    expect(await spec('c', 'a_1')).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', hidden: true });
  });

  it('converts a unique index back with forceNonUnique, which then accepts duplicates', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 }, { unique: true, sparse: true });
    await coll.insertOne({ _id: 1, a: 1 });
    expect(await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, forceNonUnique: true } })).toEqual({ forceNonUnique_new: true });
    const after = await spec('c', 'a_1');
    expect(after).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', sparse: true });
    expect(Object.keys(after)).toEqual(['v', 'key', 'name', 'sparse']);
    await coll.insertOne({ _id: 2, a: 1 });
    expect(await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, forceNonUnique: true } })).toEqual({});
    // And to unique again only through prepareUnique.
    await coll.deleteOne({ _id: 2 });
    await collMod({ collMod: 'c', index: { name: 'a_1', prepareUnique: true } });
    expect(await collMod({ collMod: 'c', index: { name: 'a_1', unique: true } })).toEqual({ unique_new: true });
    expect(Object.keys(await spec('c', 'a_1'))).toEqual(['v', 'key', 'name', 'sparse', 'unique']);
  });

  it('changes expireAfterSeconds and hidden, replying old and new values and moving each option to the end of the spec', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ t: 1 }, { sparse: true });
    expect(await collMod({ collMod: 'c', index: { name: 't_1', expireAfterSeconds: 60 } })).toEqual({ expireAfterSeconds_new: Long.fromNumber(60) });
    expect(await spec('c', 't_1')).toEqual({ v: 2, key: { t: 1 }, name: 't_1', sparse: true, expireAfterSeconds: Long.fromNumber(60) });
    expect(await collMod({ collMod: 'c', index: { name: 't_1', hidden: true } })).toEqual({ hidden_old: false, hidden_new: true });
    expect(await collMod({ collMod: 'c', index: { name: 't_1', hidden: 1 } })).toEqual({});
    expect(await collMod({ collMod: 'c', index: { name: 't_1', expireAfterSeconds: 30 } })).toEqual({
      expireAfterSeconds_old: Long.fromNumber(60), expireAfterSeconds_new: Long.fromNumber(30),
    });
    expect(Object.keys(await spec('c', 't_1'))).toEqual(['v', 'key', 'name', 'sparse', 'hidden', 'expireAfterSeconds']);
    // The same value again: replied, but the spec is not rewritten.
    expect(await collMod({ collMod: 'c', index: { name: 't_1', expireAfterSeconds: 30 } })).toEqual({
      expireAfterSeconds_old: Long.fromNumber(30), expireAfterSeconds_new: Long.fromNumber(30),
    });
    expect(Object.keys(await spec('c', 't_1'))).toEqual(['v', 'key', 'name', 'sparse', 'hidden', 'expireAfterSeconds']);
    // Both in one collMod, replied in that order; unhiding removes the field.
    expect(await collMod({ collMod: 'c', index: { keyPattern: { t: 1 }, hidden: false, expireAfterSeconds: 10 } })).toEqual({
      expireAfterSeconds_old: Long.fromNumber(30), expireAfterSeconds_new: Long.fromNumber(10), hidden_old: true, hidden_new: false,
    });
    expect(await spec('c', 't_1')).toEqual({ v: 2, key: { t: 1 }, name: 't_1', sparse: true, expireAfterSeconds: Long.fromNumber(10) });
  });

  it('keeps an expireAfterSeconds created as an int until collMod changes it', async () => {
    await db.collection<AnyDocument>('c').createIndex({ t: 1 }, { expireAfterSeconds: 100, hidden: true });
    expect(Object.keys(await spec('c', 't_1'))).toEqual(['v', 'key', 'name', 'expireAfterSeconds', 'hidden']);
    await collMod({ collMod: 'c', index: { name: 't_1', expireAfterSeconds: 100 } });
    expect(Object.keys(await spec('c', 't_1'))).toEqual(['v', 'key', 'name', 'expireAfterSeconds', 'hidden']);
    expect((await spec('c', 't_1')).expireAfterSeconds).toBe(100);
  });

  it('logs each index change by name with the old options in o2', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 });
    const uuid = (await collectionInfo('c')).info.uuid;
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, prepareUnique: true } });
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, unique: true } });
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, unique: true } });
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, forceNonUnique: true } });
    await collMod({ collMod: 'c', index: { name: 'a_1', expireAfterSeconds: 5, hidden: true } });
    const entries = await collModEntries();
    expect(entries.map((e) => e.o)).toEqual([
      { collMod: 'c', index: { name: 'a_1', prepareUnique: true } },
      { collMod: 'c', index: { name: 'a_1', unique: true } },
      // The no-op still logs a collMod, without `index`.
      { collMod: 'c' },
      { collMod: 'c', index: { name: 'a_1', forceNonUnique: true } },
      { collMod: 'c', index: { name: 'a_1', expireAfterSeconds: Long.fromNumber(5), hidden: true } },
    ]);
    expect(entries.map((e) => e.o2)).toEqual([
      { collectionOptions_old: { uuid }, indexOptions_old: { prepareUnique: false } },
      { collectionOptions_old: { uuid }, indexOptions_old: {} },
      { collectionOptions_old: { uuid } },
      { collectionOptions_old: { uuid }, indexOptions_old: {} },
      { collectionOptions_old: { uuid }, indexOptions_old: { hidden: false } },
    ]);
    expect(entries.every((e) => e.op === 'c' && e.ui?.toString('hex') === uuid.toString('hex'))).toBe(true);
  });

  it('reports the conversions to a change stream with showExpandedEvents as modify events', async () => {
    const coll = db.collection<AnyDocument>('c');
    await coll.createIndex({ a: 1 });
    const stream = db.watch([], { showExpandedEvents: true });
    await stream.tryNext();
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, prepareUnique: true } });
    await collMod({ collMod: 'c', index: { keyPattern: { a: 1 }, unique: true } });
    await collMod({ collMod: 'c', index: { name: 'a_1', forceNonUnique: true } });
    const events: Document[] = [];
    while (events.length < 3) {
      const next = await stream.tryNext();
      if (next) events.push(next);
    }
    await stream.close();
    const uuid = (await collectionInfo('c')).info.uuid;
    expect(events.map((e) => e.operationType)).toEqual(['modify', 'modify', 'modify']);
    expect(events.map((e) => e.ns)).toEqual(Array(3).fill({ db: db.databaseName, coll: 'c' }));
    expect(events.map((e) => e.operationDescription)).toEqual([
      { index: { name: 'a_1', prepareUnique: true } },
      { index: { name: 'a_1', unique: true } },
      { index: { name: 'a_1', forceNonUnique: true } },
    ]);
    expect(events.map((e) => e.stateBeforeChange)).toEqual([
      { collectionOptions: { uuid }, indexOptions: { prepareUnique: false } },
      { collectionOptions: { uuid }, indexOptions: {} },
      { collectionOptions: { uuid }, indexOptions: {} },
    ]);
  });

  // collMod cappedSize/cappedMax (mongod 6.0+, coll_mod.cpp + collection_options.cpp): the size may be rounded up to
  // a multiple of 256 (7.0 does; the CappedCollectionsRelaxedSize feature flag of later versions keeps it as given);
  // a max of 0 or less means no maximum and is stored as 2^31 - 1 (jstests/core/capped_resize.js); the oplog entry
  // carries the values as given.
  it('resizes a capped collection, and logs the sizes as given', async () => {
    await db.createCollection('capped', { capped: true, size: 4096, max: 100 });
    expect(await collMod({ collMod: 'capped', cappedSize: 10_000, cappedMax: 50 })).toEqual({});
    const info = await collectionInfo('capped');
    expect([10_000, 10_240]).toContain(info.options.size);
    expect(info.options).toMatchObject({ capped: true, max: 50 });
    expect(Object.keys(info.options)).toEqual(['capped', 'size', 'max']);
    await collMod({ collMod: 'capped', cappedMax: 0 });
    expect((await collectionInfo('capped')).options).toMatchObject({ capped: true, max: 2 ** 31 - 1 });
    const entries = await collModEntries();
    expect(entries.map((e) => e.o)).toEqual([{ collMod: 'capped', cappedSize: 10_000, cappedMax: 50 }, { collMod: 'capped', cappedMax: 0 }]);
    expect(entries[0].o2.collectionOptions_old).toMatchObject({ capped: true, size: 4096, max: 100 });
    await expect(db.command({ collMod: 'capped', index: { name: '_id_', expireAfterSeconds: 5 } })).rejects.toMatchObject({ code: 72 });
  });
});
