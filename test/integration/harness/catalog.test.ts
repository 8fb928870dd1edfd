import { Long, MongoClient, type Db, type Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * The catalog commands as mongod 7.0 answers them. Reply shapes and oplog entries follow mongod's sources:
 * CollectionOptions::appendBSON (option order, capped size rounding), create_command's checkCollectionOptions
 * (identical create is ok), SERVER-43894 (drop of a missing collection is ok since 7.0), and OpObserverImpl
 * (op_observer_impl.cpp) for the oplog entries of each DDL.
 */
describe('embedded server catalog commands', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  beforeEach(async () => {
    db = client.db(`catalog_${expect.getState().currentTestName?.replace(/[^a-z0-9]/gi, '').slice(0, 40)}`);
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  async function collectionInfo(name: string): Promise<Document | undefined> {
    const [info] = await db.listCollections({ name }).toArray();
    return info;
  }

  async function ddlEntries(since: Document): Promise<Document[]> {
    return client.db('local').collection('oplog.rs')
      .find({ ts: { $gt: since.ts }, ns: { $in: [`${db.databaseName}.$cmd`, `${db.databaseName}.system.views`] } }, { promoteLongs: false })
      .toArray();
  }

  async function lastOplogEntry(): Promise<Document> {
    const [last] = await client.db('local').collection('oplog.rs').find().sort({ $natural: -1 }).limit(1).toArray();
    return last;
  }

  it('lists a collection with its options, uuid and _id index', async () => {
    await db.createCollection('plain');
    const info = await collectionInfo('plain');
    expect(info).toMatchObject({ name: 'plain', type: 'collection', options: {}, info: { readOnly: false }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } });
    expect(info?.info.uuid).toBeDefined();
    expect(Object.keys(info!)).toEqual(['name', 'type', 'options', 'info', 'idIndex']);
  });

  it.each([
    [100, 4096],
    [4096, 4096],
    [5000, 5120],
    [8192, 8192],
  ])('rounds a capped size of %d bytes to %d', async (size, stored) => {
    await db.createCollection('capped', { capped: true, size });
    expect((await collectionInfo('capped'))?.options).toEqual({ capped: true, size: stored });
  });

  it('keeps capped options in mongod order with max', async () => {
    await db.createCollection('c', { max: 10, size: 10000, capped: true });
    const options = (await collectionInfo('c'))?.options;
    expect(options).toEqual({ capped: true, size: 10240, max: 10 });
    expect(Object.keys(options!)).toEqual(['capped', 'size', 'max']);
  });

  it('requires size for a capped collection', async () => {
    await expect(db.command({ create: 'c', capped: true })).rejects.toMatchObject({ code: 72, codeName: 'InvalidOptions' });
  });

  it('accepts an identical create and refuses one with other options (NamespaceExists 48)', async () => {
    await db.createCollection('same', { validator: { a: { $exists: true } } });
    await expect(db.command({ create: 'same', validator: { a: { $exists: true } } })).resolves.toMatchObject({ ok: 1 });
    const error = await db.command({ create: 'same' }).catch((e) => e);
    expect(error).toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    expect(error.message).toMatch(new RegExp(`^namespace ${db.databaseName}\\.same already exists, but with different options: \\{ uuid: UUID\\("`));
  });

  it('rejects unknown create options', async () => {
    await expect(db.command({ create: 'x', bogus: 1 })).rejects.toMatchObject({ code: 40415 });
  });

  it('drops a collection, and answers ok for a missing one (mongod 7.0)', async () => {
    await db.createCollection('gone');
    await db.collection<AnyDocument>('gone').createIndex({ a: 1 });
    const reply = await db.command({ drop: 'gone' });
    expect(reply).toMatchObject({ ok: 1, nIndexesWas: 2, ns: `${db.databaseName}.gone` });
    await expect(db.command({ drop: 'gone' })).resolves.toMatchObject({ ok: 1 });
    expect(await collectionInfo('gone')).toBeUndefined();
  });

  it('creates a clustered collection: listed with clusteredIndex and no idIndex', async () => {
    await db.createCollection('clustered', { clusteredIndex: { key: { _id: 1 }, unique: true } });
    const info = await collectionInfo('clustered');
    expect(info?.options).toEqual({ clusteredIndex: { v: 2, key: { _id: 1 }, name: '_id_', unique: true } });
    expect(info?.idIndex).toBeUndefined();
    const indexes = await db.collection<AnyDocument>('clustered').listIndexes().toArray();
    expect(indexes).toEqual([{ v: 2, key: { _id: 1 }, name: '_id_', unique: true, clustered: true }]);
  });

  it('creates views: type view, read-only, listed after collections with system.views', async () => {
    await db.collection<AnyDocument>('source').insertMany([{ a: 1 }, { a: 2 }]);
    await db.createCollection('view', { viewOn: 'source', pipeline: [{ $match: { a: 1 } }] });
    const info = await collectionInfo('view');
    expect(info).toEqual({ name: 'view', type: 'view', options: { viewOn: 'source', pipeline: [{ $match: { a: 1 } }] }, info: { readOnly: true } });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['source', 'view', 'system.views']));
    const definition = await db.collection<AnyDocument>('system.views').findOne({ _id: `${db.databaseName}.view` as never });
    expect(definition).toEqual({ _id: `${db.databaseName}.view`, viewOn: 'source', pipeline: [{ $match: { a: 1 } }] });
    await expect(db.collection<AnyDocument>('view').insertOne({ a: 3 })).rejects.toMatchObject({ code: 166 });
  });

  it('modifies and drops a view', async () => {
    await db.createCollection('v', { viewOn: 'a', pipeline: [] });
    await db.command({ collMod: 'v', viewOn: 'b', pipeline: [{ $project: { x: 1 } }] });
    expect((await collectionInfo('v'))?.options).toEqual({ viewOn: 'b', pipeline: [{ $project: { x: 1 } }] });
    await db.command({ drop: 'v' });
    expect(await collectionInfo('v')).toBeUndefined();
    expect(await db.collection<AnyDocument>('system.views').countDocuments()).toBe(0);
  });

  it('creates a time series collection listed with type timeseries', async () => {
    await db.createCollection('ts', { timeseries: { timeField: 't', metaField: 'm' } });
    const info = await collectionInfo('ts');
    expect(info).toMatchObject({
      name: 'ts',
      type: 'timeseries',
      options: { timeseries: { timeField: 't', metaField: 'm', granularity: 'seconds', bucketMaxSpanSeconds: 3600 } },
      info: { readOnly: false },
    });
  });

  it('stores a collation in its full form', async () => {
    await db.createCollection('fr', { collation: { locale: 'fr' } });
    expect((await collectionInfo('fr'))?.options.collation).toMatchObject({ locale: 'fr', strength: 3, caseLevel: false, version: expect.any(String) });
  });

  it('filters listCollections and answers nameOnly', async () => {
    await db.createCollection('a1');
    await db.createCollection('b1', { capped: true, size: 4096 });
    expect((await db.listCollections({ 'options.capped': true }).toArray()).map((c) => c.name)).toEqual(['b1']);
    expect(await db.listCollections({ name: 'a1' }, { nameOnly: true }).toArray()).toEqual([{ name: 'a1', type: 'collection' }]);
  });

  it('renames within a database, with dropTarget, and reports the errors mongod gives', async () => {
    const ns = (c: string) => `${db.databaseName}.${c}`;
    await db.collection<AnyDocument>('from').insertOne({ _id: 1 });
    await db.collection<AnyDocument>('other').insertOne({ _id: 2 });
    await expect(client.db('admin').command({ renameCollection: ns('missing'), to: ns('x') })).rejects.toMatchObject({ code: 26 });
    await expect(client.db('admin').command({ renameCollection: ns('from'), to: ns('other') })).rejects.toMatchObject({ code: 48 });
    await expect(db.command({ renameCollection: ns('from'), to: ns('x') })).rejects.toMatchObject({ code: 13 });
    await client.db('admin').command({ renameCollection: ns('from'), to: ns('other'), dropTarget: true });
    expect(await db.collection<AnyDocument>('other').find().toArray()).toEqual([{ _id: 1 }]);
    expect(await collectionInfo('from')).toBeUndefined();
  });

  it('renames across databases, keeping documents and indexes', async () => {
    const target = client.db(`${db.databaseName}_t`);
    await target.dropDatabase();
    await db.collection<AnyDocument>('moving').insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    await db.collection<AnyDocument>('moving').createIndex({ a: 1 }, { unique: true });
    await client.db('admin').command({ renameCollection: `${db.databaseName}.moving`, to: `${target.databaseName}.moved` });
    expect(await target.collection<AnyDocument>('moved').find().toArray()).toEqual([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    expect((await target.collection<AnyDocument>('moved').listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
    expect(await collectionInfo('moving')).toBeUndefined();
  });

  it('drops a database and lists databases with admin, config and local', async () => {
    await db.collection<AnyDocument>('x').insertOne({ a: 1 });
    expect(await db.command({ dropDatabase: 1 })).toMatchObject({ ok: 1, dropped: db.databaseName });
    await db.collection<AnyDocument>('x').insertOne({ a: 1 });
    const all = await client.db('admin').command({ listDatabases: 1 });
    const names = all.databases.map((d: Document) => d.name);
    expect(names).toEqual(expect.arrayContaining(['admin', 'config', 'local', db.databaseName]));
    const mine = all.databases.find((d: Document) => d.name === db.databaseName);
    expect(mine).toMatchObject({ empty: false });
    expect(mine.sizeOnDisk).toBeGreaterThan(0);
    expect(all.totalSize).toBeGreaterThan(0);
    const filtered = await client.db('admin').command({ listDatabases: 1, nameOnly: true, filter: { name: db.databaseName } });
    expect(filtered.databases).toEqual([{ name: db.databaseName }]);
  });

  it('reports dbStats and collStats', async () => {
    await db.collection<AnyDocument>('s').insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    await db.collection<AnyDocument>('s').createIndex({ a: 1 });
    const dbStats = await db.command({ dbStats: 1 });
    expect(dbStats).toMatchObject({ db: db.databaseName, collections: 1, views: 0, objects: 3, indexes: 2, scaleFactor: 1 });
    expect(dbStats.dataSize).toBeGreaterThan(0);
    const stats = await db.command({ collStats: 's', scale: 1 });
    expect(stats).toMatchObject({ ns: `${db.databaseName}.s`, count: 3, nindexes: 2, capped: false, scaleFactor: 1 });
    expect(stats.avgObjSize).toBe(Math.floor(stats.size / 3));
    expect(Object.keys(stats.indexSizes)).toEqual(['_id_', 'a_1']);
  });

  itEmbedded('logs create, capped create, drop and dropDatabase as mongod 7.0 (op_observer_impl.cpp)', async () => {
    const start = await lastOplogEntry();
    await db.createCollection('c1');
    await db.createCollection('c2', { capped: true, size: 5000, max: 3 });
    await db.collection<AnyDocument>('c1').insertOne({ _id: 1 });
    await db.command({ drop: 'c1' });
    await db.dropDatabase();
    const entries = await ddlEntries(start);
    expect(entries.map((e) => e.o)).toEqual([
      { create: 'c1', idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
      { create: 'c2', capped: true, size: 5120, max: 3, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
      { drop: 'c1' },
      { drop: 'c2' },
      { dropDatabase: 1 },
    ]);
    expect(entries[2].o2).toEqual({ numRecords: Long.fromNumber(1) });
    expect(entries[0].ui).toBeDefined();
    expect(entries[4].ui).toBeUndefined();
  });

  itEmbedded('logs renameCollection with dropTarget and o2.numRecords', async () => {
    await db.collection<AnyDocument>('r1').insertOne({ _id: 1 });
    await db.collection<AnyDocument>('r2').insertMany([{ _id: 1 }, { _id: 2 }]);
    const r2Uuid = (await collectionInfo('r2'))?.info.uuid;
    const start = await lastOplogEntry();
    await client.db('admin').command({ renameCollection: `${db.databaseName}.r1`, to: `${db.databaseName}.r2`, dropTarget: true });
    const [entry] = await ddlEntries(start);
    expect(entry.o).toEqual({ renameCollection: `${db.databaseName}.r1`, to: `${db.databaseName}.r2`, stayTemp: false, dropTarget: r2Uuid });
    expect(entry.o2).toEqual({ numRecords: Long.fromNumber(2) });
  });

  itEmbedded('logs a view creation as an insert into system.views', async () => {
    const start = await lastOplogEntry();
    await db.createCollection('v', { viewOn: 'c', pipeline: [] });
    const entries = await ddlEntries(start);
    expect(entries.map((e) => [e.op, e.ns, e.o])).toEqual([
      ['c', `${db.databaseName}.$cmd`, { create: 'system.views', idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }],
      ['i', `${db.databaseName}.system.views`, { _id: `${db.databaseName}.v`, viewOn: 'c', pipeline: [] }],
    ]);
  });

  itEmbedded('logs collMod with the old options in o2 (collectionOptions_old)', async () => {
    await db.createCollection('m', { validator: { a: 1 } });
    const uuid = (await collectionInfo('m'))?.info.uuid;
    const start = await lastOplogEntry();
    await db.command({ collMod: 'm', validator: { b: 1 }, validationLevel: 'moderate' });
    const [entry] = await ddlEntries(start);
    expect(entry.o).toEqual({ collMod: 'm', validator: { b: 1 }, validationLevel: 'moderate' });
    expect(entry.o2).toEqual({ collectionOptions_old: { uuid, validator: { a: 1 } } });
    expect((await collectionInfo('m'))?.options).toEqual({ validator: { b: 1 }, validationLevel: 'moderate' });
  });
});
