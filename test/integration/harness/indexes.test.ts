import { Double, Long, MongoClient, MongoServerError, type Db, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * Index commands and unique enforcement as mongod 7.0 answers them (IndexCatalogImpl conflict rules, coll_mod.cpp
 * for collMod index changes, CannotConvertIndexToUniqueInfo for the violations, OpObserverImpl::onCreateIndex /
 * onStartIndexBuild / onCommitIndexBuild / onDropIndex / onCollMod for the oplog entries).
 */
describe('embedded server indexes', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  beforeEach(async () => {
    db = client.db(`idx_${expect.getState().currentTestName?.replace(/[^a-z0-9]/gi, '').slice(0, 40)}`);
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  async function insertError(coll: string, doc: Document): Promise<MongoServerError> {
    return db.collection<AnyDocument>(coll).insertOne(doc).then(() => { throw new Error('insert succeeded'); }, (e: MongoServerError) => e);
  }

  async function lastOplogEntry(): Promise<Document> {
    const [last] = await client.db('local').collection('oplog.rs').find().sort({ $natural: -1 }).limit(1).toArray();
    return last;
  }

  async function commandEntries(since: Document): Promise<Document[]> {
    return client.db('local').collection('oplog.rs').find({ ts: { $gt: since.ts }, ns: `${db.databaseName}.$cmd` }, { promoteLongs: false }).toArray();
  }

  it('creates an index, creating the collection, and lists specs in mongod order', async () => {
    const reply = await db.command({ createIndexes: 'c', indexes: [{ key: { a: 1, b: -1 }, name: 'a_1_b_-1', unique: true, sparse: 1 }] });
    expect(reply).toMatchObject({ ok: 1, numIndexesBefore: 1, numIndexesAfter: 2, createdCollectionAutomatically: true });
    const specs = await db.collection<AnyDocument>('c').listIndexes().toArray();
    expect(specs).toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1', unique: true, sparse: true },
    ]);
    expect(Object.keys(specs[1])).toEqual(['v', 'key', 'name', 'unique', 'sparse']);
  });

  it('answers "all indexes already exist" for an identical index', async () => {
    await db.collection<AnyDocument>('c').createIndex({ a: 1 });
    const reply = await db.command({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(reply).toMatchObject({ ok: 1, numIndexesBefore: 2, numIndexesAfter: 2, note: 'all indexes already exist' });
  });

  it('refuses the same name with another key (86) and the same key under another name (85)', async () => {
    await db.collection<AnyDocument>('c').createIndex({ a: 1 });
    await expect(db.command({ createIndexes: 'c', indexes: [{ key: { b: 1 }, name: 'a_1' }] })).rejects.toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
    const error = await db.command({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'other' }] }).catch((e) => e);
    expect(error).toMatchObject({ code: 85, codeName: 'IndexOptionsConflict' });
    expect(error.message).toBe('Index already exists with a different name: a_1');
    await expect(db.command({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1', expireAfterSeconds: 5 }] })).rejects.toMatchObject({ code: 85 });
  });

  it.each([
    [{ a: 0 }, 'Values in the index key pattern cannot be 0.'],
    [{ a: 'nope' }, "Unknown index plugin 'nope'"],
    [{ a: true }, 'Values in v:2 index key pattern cannot be of type bool'],
    [{}, 'Index keys cannot be empty.'],
  ])('refuses the key pattern %j with CannotCreateIndex', async (key, message) => {
    const error = await db.command({ createIndexes: 'c', indexes: [{ key, name: 'bad' }] }).catch((e) => e);
    expect(error).toMatchObject({ code: 67, codeName: 'CannotCreateIndex' });
    expect(error.message).toContain(message);
  });

  it('keeps text, 2dsphere, hashed, wildcard and 2d indexes as catalog entries', async () => {
    const coll = db.collection<AnyDocument>('geo');
    await coll.createIndex({ body: 'text' });
    await coll.createIndex({ loc: '2dsphere' });
    await coll.createIndex({ h: 'hashed' });
    await coll.createIndex({ '$**': 1 });
    await coll.createIndex({ p: '2d' });
    const specs = await coll.listIndexes().toArray();
    expect(specs.map((s) => s.name)).toEqual(['_id_', 'body_text', 'loc_2dsphere', 'h_hashed', '$**_1', 'p_2d']);
    expect(specs[1]).toEqual({
      v: 2, key: { _fts: 'text', _ftsx: 1 }, name: 'body_text', weights: { body: 1 }, default_language: 'english',
      language_override: 'language', textIndexVersion: 3,
    });
    expect(specs[2]['2dsphereIndexVersion']).toBe(3);
    await coll.insertOne({ body: 'x', loc: { type: 'Point', coordinates: [0, 0] }, h: 1, p: [0, 0] });
  });

  it('raises E11000 with keyPattern, keyValue and mongod errmsg on a duplicate', async () => {
    await db.collection<AnyDocument>('u').createIndex({ email: 1 }, { unique: true });
    await db.collection<AnyDocument>('u').insertOne({ email: 'a@x' });
    const error = await insertError('u', { email: 'a@x' });
    expect(error).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@x' } });
    expect(error.errmsg).toBe(`E11000 duplicate key error collection: ${db.databaseName}.u index: email_1 dup key: { email: "a@x" }`);
  });

  it('treats 1, 1.0 and NumberLong(1) as the same key', async () => {
    await db.collection<AnyDocument>('n').createIndex({ a: 1 }, { unique: true });
    await db.collection<AnyDocument>('n').insertOne({ a: 1 });
    expect((await insertError('n', { a: new Double(1) })).code).toBe(11000);
    expect((await insertError('n', { a: Long.fromNumber(1) })).code).toBe(11000);
  });

  it('makes null and missing collide unless the index is sparse or partial', async () => {
    await db.collection<AnyDocument>('plain').createIndex({ a: 1 }, { unique: true });
    await db.collection<AnyDocument>('plain').insertOne({ x: 1 });
    expect((await insertError('plain', { a: null })).keyValue).toEqual({ a: null });
    await db.collection<AnyDocument>('sparse').createIndex({ a: 1 }, { unique: true, sparse: true });
    await db.collection<AnyDocument>('sparse').insertMany([{ x: 1 }, { x: 2 }]);
    await db.collection<AnyDocument>('partial').createIndex({ a: 1 }, { unique: true, partialFilterExpression: { a: { $gt: 5 } } });
    await db.collection<AnyDocument>('partial').insertMany([{ a: 1 }, { a: 1 }, { a: 6 }]);
    expect((await insertError('partial', { a: 6 })).code).toBe(11000);
  });

  it('enforces compound and multikey unique indexes', async () => {
    await db.collection<AnyDocument>('comp').createIndex({ a: 1, b: 1 }, { unique: true });
    await db.collection<AnyDocument>('comp').insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }]);
    expect((await insertError('comp', { a: 1, b: 2 })).keyValue).toEqual({ a: 1, b: 2 });
    await db.collection<AnyDocument>('multi').createIndex({ tags: 1 }, { unique: true });
    await db.collection<AnyDocument>('multi').insertOne({ tags: ['x', 'y', 'y'] });
    expect((await insertError('multi', { tags: 'y' })).keyValue).toEqual({ tags: 'y' });
  });

  it('refuses parallel arrays in a compound index (171)', async () => {
    await db.collection<AnyDocument>('par').createIndex({ a: 1, b: 1 });
    expect((await insertError('par', { a: [1], b: [2] })).code).toBe(171);
  });

  it('enforces uniqueness on updates', async () => {
    const coll = db.collection<AnyDocument>('upd');
    await coll.createIndex({ a: 1 }, { unique: true });
    await coll.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    await expect(coll.updateOne({ _id: 2 }, { $set: { a: 1 } })).rejects.toMatchObject({ code: 11000, keyValue: { a: 1 } });
    await coll.updateOne({ _id: 2 }, { $set: { b: 1 } });
  });

  it('fails a unique index build over duplicates with E11000', async () => {
    await db.collection<AnyDocument>('dups').insertMany([{ a: 1 }, { a: 1 }]);
    const error = await db.collection<AnyDocument>('dups').createIndex({ a: 1 }, { unique: true }).catch((e) => e);
    expect(error).toMatchObject({ code: 11000, keyValue: { a: 1 } });
    expect(error.message).toMatch(/^Index build failed: .* :: caused by :: E11000 duplicate key error collection: .*dups index: a_1 dup key: \{ a: 1 \}$/);
    expect((await db.collection<AnyDocument>('dups').listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('drops indexes by name, key, list and "*", never _id_', async () => {
    const coll = db.collection<AnyDocument>('d');
    await coll.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: 1 } }, { key: { e: 1 } }]);
    expect(await db.command({ dropIndexes: 'd', index: 'a_1' })).toMatchObject({ ok: 1, nIndexesWas: 5 });
    await db.command({ dropIndexes: 'd', index: { b: 1 } });
    await db.command({ dropIndexes: 'd', index: ['c_1'] });
    await expect(db.command({ dropIndexes: 'd', index: '_id_' })).rejects.toMatchObject({ code: 72, codeName: 'InvalidOptions' });
    await expect(db.command({ dropIndexes: 'd', index: 'nope' })).rejects.toMatchObject({ code: 27, codeName: 'IndexNotFound' });
    await db.command({ dropIndexes: 'd', index: '*' });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('answers NamespaceNotFound for listIndexes of a missing collection', async () => {
    await expect(db.command({ listIndexes: 'missing' })).rejects.toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
  });

  it('hides an index and changes its TTL with collMod, replying old and new values', async () => {
    await db.collection<AnyDocument>('m').createIndex({ t: 1 }, { expireAfterSeconds: 100 });
    expect(await db.command({ collMod: 'm', index: { keyPattern: { t: 1 }, hidden: true } })).toMatchObject({ ok: 1, hidden_old: false, hidden_new: true });
    expect(await db.command({ collMod: 'm', index: { name: 't_1', expireAfterSeconds: 50 } })).toMatchObject({ expireAfterSeconds_old: 100, expireAfterSeconds_new: 50 });
    const [, spec] = await db.collection<AnyDocument>('m').listIndexes().toArray();
    expect(spec).toEqual({ v: 2, key: { t: 1 }, name: 't_1', expireAfterSeconds: 50, hidden: true });
    await expect(db.command({ collMod: 'm', index: { name: 'nope', hidden: true } })).rejects.toMatchObject({ code: 27 });
    await expect(db.command({ collMod: 'm', index: { name: '_id_', hidden: true } })).rejects.toMatchObject({ code: 2 });
  });

  it('converts an index to unique only after prepareUnique, refusing existing duplicates (359)', async () => {
    const coll = db.collection<AnyDocument>('conv');
    await coll.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 1 }, { _id: 3, a: 2 }]);
    await coll.createIndex({ a: 1 });
    await expect(db.command({ collMod: 'conv', index: { keyPattern: { a: 1 }, unique: true } })).rejects.toMatchObject({ code: 72 });
    expect(await db.command({ collMod: 'conv', index: { keyPattern: { a: 1 }, prepareUnique: true } })).toMatchObject({ prepareUnique_old: false, prepareUnique_new: true });
    expect((await insertError('conv', { a: 2 })).code).toBe(11000);
    const error = await db.command({ collMod: 'conv', index: { keyPattern: { a: 1 }, unique: true }, dryRun: true }).catch((e) => e);
    expect(error).toMatchObject({ code: 359, codeName: 'CannotConvertIndexToUnique', violations: [{ ids: [1, 2] }] });
    await coll.deleteOne({ _id: 2 });
    await expect(db.command({ collMod: 'conv', index: { keyPattern: { a: 1 }, unique: true }, dryRun: true })).resolves.toMatchObject({ ok: 1 });
    expect(await db.command({ collMod: 'conv', index: { keyPattern: { a: 1 }, unique: true } })).toMatchObject({ ok: 1, unique_new: true });
    expect((await coll.listIndexes().toArray())[1]).toMatchObject({ unique: true });
  });

  itEmbedded('logs createIndexes per index on an empty collection and a two-phase build otherwise', async () => {
    await db.createCollection('o');
    let start = await lastOplogEntry();
    await db.collection<AnyDocument>('o').createIndexes([{ key: { a: 1 } }, { key: { b: 1 }, unique: true }]);
    let entries = await commandEntries(start);
    expect(entries.map((e) => e.o)).toEqual([
      { createIndexes: 'o', v: 2, key: { a: 1 }, name: 'a_1' },
      { createIndexes: 'o', v: 2, key: { b: 1 }, name: 'b_1', unique: true },
    ]);
    await db.collection<AnyDocument>('o').insertOne({ c: 1 });
    start = await lastOplogEntry();
    await db.collection<AnyDocument>('o').createIndex({ c: 1 });
    entries = await commandEntries(start);
    expect(entries.map((e) => Object.keys(e.o)[0])).toEqual(['startIndexBuild', 'commitIndexBuild']);
    expect(entries[1].o).toMatchObject({ commitIndexBuild: 'o', indexes: [{ v: 2, key: { c: 1 }, name: 'c_1' }] });
    expect(entries[1].o.indexBuildUUID).toEqual(entries[0].o.indexBuildUUID);
  });

  itEmbedded('logs dropIndexes with the dropped spec in o2 and collMod index changes by name', async () => {
    await db.collection<AnyDocument>('o').createIndex({ a: 1 }, { expireAfterSeconds: 10 });
    const start = await lastOplogEntry();
    await db.command({ collMod: 'o', index: { keyPattern: { a: 1 }, expireAfterSeconds: 20, hidden: true } });
    await db.command({ dropIndexes: 'o', index: 'a_1' });
    const [collMod, dropIndexes] = await commandEntries(start);
    expect(collMod.o).toEqual({ collMod: 'o', index: { name: 'a_1', expireAfterSeconds: Long.fromNumber(20), hidden: true } });
    expect(collMod.o2.indexOptions_old).toEqual({ expireAfterSeconds: Long.fromNumber(10), hidden: false });
    expect(dropIndexes.o).toEqual({ dropIndexes: 'o', index: 'a_1' });
    // collMod rewrote both options: the catalog re-appends each as it sets it, the TTL as a long.
    expect(dropIndexes.o2).toEqual({ v: 2, key: { a: 1 }, name: 'a_1', expireAfterSeconds: Long.fromNumber(20), hidden: true });
  });
});
