import { MongoClient, MongoBulkWriteError, type Collection } from 'mongodb';
import type { Document } from 'mongodb';
import { itEmbedded, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/** Test documents have plain (non-ObjectId) _id values. */
interface TestDoc extends Document {
  _id: number;
}

describe('embedded server CRUD commands', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let coll: Collection<TestDoc>;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    coll = client.db('crud_test').collection<TestDoc>('docs');
  });

  beforeEach(async () => {
    await coll.deleteMany({});
    await coll.insertMany([{ _id: 1, x: 1 }, { _id: 2, x: 2 }, { _id: 3, x: 3 }]);
  });

  afterAll(() => disconnect(client, deployment));

  it('deletes one or many documents', async () => {
    expect(await coll.deleteOne({ x: { $gte: 2 } })).toMatchObject({ deletedCount: 1 });
    expect(await coll.deleteMany({ x: { $gte: 1 } })).toMatchObject({ deletedCount: 2 });
    expect(await coll.countDocuments()).toBe(0);
  });

  it('findOneAndUpdate returns the document before or after, in sort order', async () => {
    const before = await coll.findOneAndUpdate({}, { $inc: { x: 10 } }, { sort: { x: -1 } });
    expect(before).toEqual({ _id: 3, x: 3 });
    const after = await coll.findOneAndUpdate({ _id: 3 }, { $inc: { x: 1 } }, { returnDocument: 'after', projection: { _id: 0 } });
    expect(after).toEqual({ x: 14 });
  });

  it('findOneAndUpdate upserts and reports it in lastErrorObject', async () => {
    const reply = await coll.findOneAndUpdate({ _id: 9 }, { $set: { x: 9 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(reply.value).toEqual({ _id: 9, x: 9 });
    expect(reply.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 9 });
  });

  it('findOneAndDelete and findOneAndReplace', async () => {
    expect(await coll.findOneAndDelete({ x: 1 })).toEqual({ _id: 1, x: 1 });
    expect(await coll.findOneAndReplace({ _id: 2 }, { y: 1 }, { returnDocument: 'after' })).toEqual({ _id: 2, y: 1 });
    expect(await coll.findOneAndDelete({ x: 100 })).toBeNull();
  });

  it('refuses findAndModify with both remove and update', async () => {
    await expect(client.db('crud_test').command({ findAndModify: 'docs', query: {}, remove: true, update: { $set: { a: 1 } } }))
      .rejects.toMatchObject({ code: 9, message: 'Cannot specify both an update and remove=true' });
  });

  it('reports E11000 from the _id index when an upsert collides', async () => {
    const unique = client.db('crud_test').collection<TestDoc>('unique');
    await unique.deleteMany({});
    await unique.insertOne({ _id: 1, k: 'a' });
    await expect(unique.updateOne({ k: 'b', _id: { $in: [1] } }, { $set: { _id: 1 } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
  });

  it('returns write errors per statement, stopping at the first when ordered', async () => {
    const ops = [
      { updateOne: { filter: { _id: 1 }, update: { $inc: { x: 'bad' } } } },
      { updateOne: { filter: { _id: 2 }, update: { $set: { y: 1 } } } },
    ] as never[];
    const ordered = await coll.bulkWrite(ops, { ordered: true }).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect((ordered as MongoBulkWriteError).result.modifiedCount).toBe(0);
    const unordered = await coll.bulkWrite(ops, { ordered: false }).catch((e: unknown) => e);
    expect((unordered as MongoBulkWriteError).result.modifiedCount).toBe(1);
    expect((unordered as MongoBulkWriteError).writeErrors).toMatchObject([{ index: 0, code: 14 }]);
  });

  itEmbedded('writes no oplog entry for a no-op update', async () => {
    const oplog = client.db('local').collection<TestDoc>('oplog.rs');
    const before = await oplog.countDocuments({ ns: 'crud_test.docs' });
    await coll.updateOne({ _id: 1 }, { $set: { x: 1 } });
    expect(await oplog.countDocuments({ ns: 'crud_test.docs' })).toBe(before);
    await coll.updateOne({ _id: 1 }, { $set: { x: 5 } });
    expect(await oplog.countDocuments({ ns: 'crud_test.docs', op: 'u' })).toBeGreaterThan(0);
  });

  it('refuses writes to a view with CommandNotSupportedOnView', async () => {
    const db = client.db('crud_test');
    await db.collection<TestDoc>('v').drop().catch(() => undefined);
    await db.createCollection('v', { viewOn: 'docs', pipeline: [] });
    await expect(db.collection<TestDoc>('v').updateOne({}, { $set: { a: 1 } })).rejects.toMatchObject({ code: 166 });
    await expect(db.collection<TestDoc>('v').deleteMany({})).rejects.toMatchObject({ code: 166 });
  });
});

describe('embedded server write statement validation', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    await client.db('crud_validation').collection<TestDoc>('docs').insertOne({ _id: 1, x: 1 });
  });

  afterAll(() => disconnect(client, deployment));

  it('refuses a hint that names no index', async () => {
    await expect(client.db('crud_validation').collection<TestDoc>('docs').deleteOne({ x: 1 }, { hint: 'nope_1' })).rejects.toMatchObject({ code: 2 });
    expect(await client.db('crud_validation').collection<TestDoc>('docs').updateOne({ _id: 1 }, { $set: { y: 1 } }, { hint: { _id: 1 } })).toMatchObject({ modifiedCount: 1 });
  });

  it('refuses unknown statement fields as mongod 7.0 does (update with sort is 8.0)', async () => {
    await expect(client.db('crud_validation').command({ update: 'docs', updates: [{ q: {}, u: { $set: { a: 1 } }, sort: { x: 1 } }] }))
      .rejects.toMatchObject({ code: 40415 });
  });

  it('passes statement constants c to pipeline updates', async () => {
    await client.db('crud_validation').command({ update: 'docs', updates: [{ q: { _id: 1 }, u: [{ $set: { z: '$$v' } }], c: { v: 42 } }] });
    expect(await client.db('crud_validation').collection<TestDoc>('docs').findOne({ _id: 1 })).toMatchObject({ z: 42 });
  });
});
