import { Double, Int32, Long, MongoClient, type Collection, type Document } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/** Test documents have plain (non-ObjectId) _id values. */
interface TestDoc extends Document {
  _id: number;
}

// Query semantics through the driver: filters, sort, projection, skip and limit behave as on mongod 7.0.
describe('embedded server queries', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let coll: Collection<TestDoc>;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    coll = client.db('query_test').collection<TestDoc>('items');
    await coll.drop().catch(() => undefined);
    await coll.insertMany([
      { _id: 1, n: new Int32(5), tags: ['a', 'b'], sub: { x: 1 } },
      { _id: 2, n: new Double(7.5), tags: ['b'], sub: { x: 2 } },
      { _id: 3, n: new Long(9), tags: [], sub: [{ x: 3 }, { x: 4 }] },
      { _id: 4, n: 'text', name: 'Zed' },
      { _id: 5, name: 'alpha' },
    ]);
  });

  afterAll(() => disconnect(client, deployment));

  const ids = async (filter: Document, options: Document = {}): Promise<unknown[]> =>
    (await coll.find(filter, options).toArray()).map((d) => d._id);

  it('brackets comparisons by type and compares numbers across types', async () => {
    expect(await ids({ n: { $gt: 6 } })).toEqual([2, 3]);
    expect(await ids({ n: { $gte: 'a' } })).toEqual([4]);
    expect(await ids({ n: 9 })).toEqual([3]);
  });

  it('matches null against missing fields', async () => {
    expect(await ids({ n: null })).toEqual([5]);
    expect(await ids({ name: { $exists: false } })).toEqual([1, 2, 3]);
  });

  it('traverses arrays in paths and elements', async () => {
    expect(await ids({ tags: 'b' })).toEqual([1, 2]);
    expect(await ids({ 'sub.x': 4 })).toEqual([3]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ sub: { $elemMatch: { x: { $gt: 3 } } } })).toEqual([3]);
    expect(await ids({ tags: { $all: ['a', 'b'] } })).toEqual([1]);
  });

  it('supports $in with regexes, $or, $nor, $not and $type', async () => {
    expect(await ids({ name: { $in: [/^al/, 'Zed'] } })).toEqual([4, 5]);
    expect(await ids({ $or: [{ _id: 1 }, { name: 'alpha' }] })).toEqual([1, 5]);
    expect(await ids({ $nor: [{ n: { $type: 'number' } }] })).toEqual([4, 5]);
    expect(await ids({ n: { $not: { $type: 'string' } } })).toEqual([1, 2, 3, 5]);
    expect(await ids({ n: { $type: 'long' } })).toEqual([3]);
  });

  it('evaluates $expr', async () => {
    expect(await ids({ $expr: { $eq: ['$_id', { $add: [1, 1] }] } })).toEqual([2]);
  });

  it('sorts arrays by their min ascending and max descending, missing as null', async () => {
    expect(await ids({}, { sort: { n: 1, _id: 1 } })).toEqual([5, 1, 2, 3, 4]);
    expect(await ids({}, { sort: { tags: -1, _id: 1 } })).toEqual([1, 2, 4, 5, 3]);
  });

  it('applies skip and limit after the sort', async () => {
    expect(await ids({}, { sort: { _id: -1 }, skip: 1, limit: 2 })).toEqual([4, 3]);
  });

  it('projects inclusions, exclusions, $slice and positional $', async () => {
    expect(await coll.findOne({ _id: 1 }, { projection: { tags: 1 } })).toEqual({ _id: 1, tags: ['a', 'b'] });
    expect(await coll.findOne({ _id: 1 }, { projection: { tags: 0, sub: 0, _id: 0 } })).toEqual({ n: 5 });
    expect(await coll.findOne({ _id: 1 }, { projection: { tags: { $slice: -1 }, n: 1 } })).toEqual({ _id: 1, n: 5, tags: ['b'] });
    expect(await coll.findOne({ tags: 'b', _id: 1 }, { projection: { 'tags.$': 1 } })).toEqual({ _id: 1, tags: ['b'] });
    expect(await coll.findOne({ _id: 1 }, { projection: { double: { $multiply: ['$n', 2] }, _id: 0 } })).toEqual({ double: 10 });
  });

  it('reports mongod errors for invalid filters and projections', async () => {
    await expect(coll.find({ n: { $foo: 1 } }).toArray()).rejects.toMatchObject({ code: 2, message: 'unknown operator: $foo' });
    await expect(coll.find({}, { projection: { a: 1, b: 0 } }).toArray()).rejects.toMatchObject({ code: 31254 });
  });

  it('counts with the count command and estimatedDocumentCount', async () => {
    expect(await client.db('query_test').command({ count: 'items', query: { n: { $type: 'number' } } })).toMatchObject({ n: 3 });
    expect(await client.db('query_test').command({ count: 'items', query: {}, skip: 1, limit: 2 })).toMatchObject({ n: 2 });
    expect(await coll.estimatedDocumentCount()).toBe(5);
  });

  it('answers distinct with array values unwound and equal numbers merged', async () => {
    expect(await coll.distinct('tags')).toEqual(['a', 'b']);
    expect(await coll.distinct('sub.x', { _id: { $gte: 2 } })).toEqual([2, 3, 4]);
  });
});

describe('embedded server queries with let and on views', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    const db = client.db('query_let');
    await db.collection<TestDoc>('base').insertMany([{ _id: 1, k: 'a', t: [1, 2] }, { _id: 2, k: 'b', t: [2, 3] }, { _id: 3, k: 'a' }]);
    await db.createCollection('only_a', { viewOn: 'base', pipeline: [{ $match: { k: 'a' } }] });
  });

  afterAll(() => disconnect(client, deployment));

  it('evaluates let values once and passes them to $expr in find, update and delete', async () => {
    const coll = client.db('query_let').collection<TestDoc>('base');
    expect(await coll.find({ $expr: { $eq: ['$_id', '$$id'] } }, { let: { id: 2 } }).toArray()).toEqual([{ _id: 2, k: 'b', t: [2, 3] }]);
    await coll.updateMany({ $expr: { $eq: ['$k', '$$k'] } }, [{ $set: { tag: '$$tag' } }], { let: { k: 'a', tag: { $literal: 'lit' } } });
    expect(await coll.countDocuments({ tag: 'lit' })).toBe(2);
    await coll.updateMany({}, { $unset: { tag: '' } });
  });

  it('answers count and distinct on a view through its pipeline', async () => {
    const db = client.db('query_let');
    expect(await db.command({ count: 'only_a', query: {} })).toMatchObject({ n: 2 });
    expect(await db.collection<TestDoc>('only_a').distinct('t')).toEqual([1, 2]);
  });
});

describe('embedded server collations', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterAll(() => disconnect(client, deployment));

  it('matches, updates and sorts strings by an operation collation', async () => {
    const coll = client.db('query_collation').collection<TestDoc>('words');
    await coll.insertMany([{ _id: 1, w: 'ping' }, { _id: 2, w: 'Pong' }, { _id: 3, w: 'apple' }]);
    const collation = { locale: 'en_US', strength: 2 };
    expect(await coll.find({ w: 'PING' }, { collation }).toArray()).toEqual([{ _id: 1, w: 'ping' }]);
    expect(await coll.find({ w: 'PING' }).toArray()).toEqual([]);
    expect(await coll.updateOne({ w: 'PONG' }, { $set: { hit: true } }, { collation })).toMatchObject({ modifiedCount: 1 });
    expect((await coll.find({}, { sort: { w: 1 }, collation }).toArray()).map((d) => d._id)).toEqual([3, 1, 2]);
  });

  it('uses the collection default collation when the operation has none', async () => {
    const db = client.db('query_collation');
    await db.createCollection('ci', { collation: { locale: 'en', strength: 1 } });
    await db.collection<TestDoc>('ci').insertOne({ _id: 1, w: 'Café' });
    expect(await db.collection<TestDoc>('ci').find({ w: 'cafe' }).toArray()).toHaveLength(1);
    expect(await db.command({ count: 'ci', query: { w: 'CAFE' } })).toMatchObject({ n: 1 });
    expect(await db.collection<TestDoc>('ci').deleteOne({ w: 'CAFÉ' })).toMatchObject({ deletedCount: 1 });
  });
});
