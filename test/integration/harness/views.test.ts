import { MongoClient, type Db } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/** Test documents choose their own `_id` types. */
type AnyDoc = { _id: number | string; [key: string]: unknown };

describe('views', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    db = client.db('views_test');
    await db.dropDatabase();
    await db.collection<AnyDoc>('people').insertMany([
      { _id: 1, name: 'ann', age: 31, city: 'Oslo' },
      { _id: 2, name: 'bob', age: 17, city: 'Rome' },
      { _id: 3, name: 'cid', age: 45, city: 'Oslo' },
      { _id: 4, name: 'dee', age: 22, city: 'Lima' },
    ]);
    await db.createCollection('adults', { viewOn: 'people', pipeline: [{ $match: { age: { $gte: 18 } } }] });
    await db.createCollection('adult_names', { viewOn: 'adults', pipeline: [{ $project: { name: 1, city: 1 } }] });
  });

  afterAll(() => disconnect(client, deployment));

  it('aggregates over the view pipeline', async () => {
    const out = await db.collection('adults').aggregate([{ $group: { _id: '$city', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(out).toEqual([{ _id: 'Lima', n: 1 }, { _id: 'Oslo', n: 2 }]);
  });

  it('answers find with filter, sort, skip, limit and projection on a view', async () => {
    const out = await db.collection('adults').find({ city: 'Oslo' }, { projection: { _id: 0, name: 1 } }).sort({ age: -1 }).toArray();
    expect(out).toEqual([{ name: 'cid' }, { name: 'ann' }]);
    const page = await db.collection('adults').find().sort({ _id: 1 }).skip(1).limit(1).toArray();
    expect(page).toEqual([{ _id: 3, name: 'cid', age: 45, city: 'Oslo' }]);
  });

  it('resolves views defined on views', async () => {
    const out = await db.collection('adult_names').find({}).sort({ _id: 1 }).toArray();
    expect(out).toEqual([
      { _id: 1, name: 'ann', city: 'Oslo' },
      { _id: 3, name: 'cid', city: 'Oslo' },
      { _id: 4, name: 'dee', city: 'Lima' },
    ]);
  });

  it('counts documents of a view', async () => {
    expect(await db.collection('adults').countDocuments()).toBe(3);
    expect(await db.collection('adult_names').countDocuments({ city: 'Oslo' })).toBe(2);
  });

  it('refuses inserts into a view with 166 CommandNotSupportedOnView', async () => {
    await expect(db.collection('adults').insertOne({ name: 'eve' })).rejects.toMatchObject({ code: 166, codeName: 'CommandNotSupportedOnView' });
  });

  it('follows the view pipeline as the source changes', async () => {
    await db.collection<AnyDoc>('people').insertOne({ _id: 5, name: 'eve', age: 60, city: 'Rome' });
    expect(await db.collection('adults').countDocuments()).toBe(4);
    await db.collection<AnyDoc>('people').deleteOne({ _id: 5 });
  });
});
