import { Decimal128, Double, Int32, Long, MongoClient, type Db } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/** Test documents choose their own `_id` types. */
type AnyDoc = { _id: number | string; [key: string]: unknown };

describe('aggregate', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    db = client.db('aggregate_test');
    await db.dropDatabase();
    await db.collection<AnyDoc>('sales').insertMany([
      { _id: 1, item: 'a', price: new Int32(10), qty: new Int32(2), tags: ['x', 'y'], when: new Date('2024-01-15T10:00:00Z') },
      { _id: 2, item: 'b', price: new Int32(20), qty: new Int32(1), tags: ['y'], when: new Date('2024-02-01T00:00:00Z') },
      { _id: 3, item: 'a', price: new Int32(5), qty: new Int32(10), tags: [], when: new Date('2024-02-20T12:30:00Z') },
      { _id: 4, item: 'c', price: new Double(2.5), qty: new Int32(4), when: new Date('2024-03-01T00:00:00Z') },
    ]);
    await db.collection<AnyDoc>('items').insertMany([
      { _id: 'a', name: 'Apple' },
      { _id: 'b', name: 'Banana' },
    ]);
  });

  afterAll(() => disconnect(client, deployment));

  const promoteOff = { promoteValues: false, promoteLongs: false } as const;

  it('groups with $sum keeping int type, and $avg as a double', async () => {
    const out = await db.collection('sales').aggregate([
      { $group: { _id: '$item', total: { $sum: { $multiply: ['$price', '$qty'] } }, avg: { $avg: '$qty' }, n: { $count: {} } } },
      { $sort: { _id: 1 } },
    ], promoteOff).toArray();
    expect(out.map((d) => d._id)).toEqual(['a', 'b', 'c']);
    expect(out[0].total).toBeInstanceOf(Int32);
    expect((out[0].total as Int32).value).toBe(70);
    expect(out[0].avg).toBeInstanceOf(Double);
    expect((out[0].avg as Double).value).toBe(6);
    expect(out[2].total).toBeInstanceOf(Double);
    expect((out[2].total as Double).value).toBe(10);
    expect((out[0].n as Int32).value).toBe(2);
  });

  it('overflows an int $sum to a long', async () => {
    const out = await db.aggregate([
      { $documents: [{ v: new Int32(2147483647) }, { v: new Int32(1) }] },
      { $group: { _id: null, s: { $sum: '$v' } } },
    ], promoteOff).toArray();
    expect(out[0].s).toBeInstanceOf(Long);
    expect((out[0].s as Long).toString()).toBe('2147483648');
  });

  it('counts documents through countDocuments ($group with $sum)', async () => {
    expect(await db.collection('sales').countDocuments({ item: 'a' })).toBe(2);
    expect(await db.collection('sales').countDocuments()).toBe(4);
    expect(await db.collection('missing').countDocuments()).toBe(0);
  });

  it('returns untouched documents byte for byte and in cursor batches', async () => {
    const docs = Array.from({ length: 250 }, (_, i) => ({ _id: i, v: new Decimal128(`${i}.50`) }));
    await db.collection<AnyDoc>('many').insertMany(docs);
    const out = await db.collection('many').aggregate([{ $match: { _id: { $gte: 10 } } }, { $sort: { _id: -1 } }, { $skip: 5 }], { batchSize: 20 }).toArray();
    expect(out).toHaveLength(235);
    expect(out[0]._id).toBe(244);
    expect((out[0].v as Decimal128).toString()).toBe('244.50');
  });

  it('unwinds with index and preserves empty arrays', async () => {
    const out = await db.collection('sales').aggregate([
      { $unwind: { path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } },
      { $project: { _id: 1, tags: 1, i: 1 } },
    ], promoteOff).toArray();
    expect(out.map((d) => [(d._id as Int32).value, d.tags ?? 'none', d.i === null ? null : (d.i as Long).toNumber()])).toEqual([
      [1, 'x', 0], [1, 'y', 1], [2, 'y', 0], [3, 'none', null], [4, 'none', null],
    ]);
  });

  it('joins with $lookup by fields and by pipeline with let', async () => {
    const byField = await db.collection('sales').aggregate([
      { $match: { _id: { $in: [1, 4] } } },
      { $lookup: { from: 'items', localField: 'item', foreignField: '_id', as: 'info' } },
      { $project: { info: 1 } },
    ]).toArray();
    expect(byField).toEqual([{ _id: 1, info: [{ _id: 'a', name: 'Apple' }] }, { _id: 4, info: [] }]);
    const byPipeline = await db.collection('items').aggregate([
      { $lookup: { from: 'sales', let: { it: '$_id' }, pipeline: [{ $match: { $expr: { $eq: ['$item', '$$it'] } } }, { $count: 'n' }], as: 'sales' } },
    ]).toArray();
    expect(byPipeline).toEqual([{ _id: 'a', name: 'Apple', sales: [{ n: 2 }] }, { _id: 'b', name: 'Banana', sales: [{ n: 1 }] }]);
  });

  it('runs $facet, $bucket and $sortByCount', async () => {
    const [facets] = await db.collection('sales').aggregate([
      {
        $facet: {
          byItem: [{ $sortByCount: '$item' }, { $limit: 1 }],
          buckets: [{ $bucket: { groupBy: '$price', boundaries: [0, 10, 100], default: 'other' } }],
        },
      },
    ]).toArray();
    expect(facets.byItem).toEqual([{ _id: 'a', count: 2 }]);
    expect(facets.buckets).toEqual([{ _id: 0, count: 2 }, { _id: 10, count: 2 }]);
  });

  it('evaluates string, date and conditional expressions', async () => {
    const out = await db.collection('sales').aggregate([
      { $match: { _id: 1 } },
      {
        $project: {
          _id: 0,
          label: { $concat: [{ $toUpper: '$item' }, '-', { $toString: '$price' }] },
          month: { $month: '$when' },
          day: { $dateToString: { date: '$when', format: '%Y-%m-%d' } },
          big: { $cond: [{ $gte: ['$price', 10] }, 'yes', 'no'] },
          firstTag: { $arrayElemAt: ['$tags', 0] },
        },
      },
    ]).toArray();
    expect(out).toEqual([{ label: 'A-10', month: 1, day: '2024-01-15', big: 'yes', firstTag: 'x' }]);
  });

  it('refuses an unknown stage with 40324', async () => {
    await expect(db.collection('sales').aggregate([{ $foo: {} }]).toArray()).rejects.toMatchObject({
      code: 40324,
      message: expect.stringContaining("Unrecognized pipeline stage name: '$foo'"),
    });
  });

  it('refuses $divide by zero with 2 BadValue', async () => {
    await expect(db.collection('sales').aggregate([{ $project: { x: { $divide: ['$price', 0] } } }]).toArray()).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining("can't $divide by zero"),
    });
  });

  it('refuses an unknown expression operator with 168', async () => {
    await expect(db.collection('sales').aggregate([{ $project: { x: { $nope: 1 } } }]).toArray()).rejects.toMatchObject({ code: 168 });
  });

  it('returns nothing for a missing collection', async () => {
    expect(await db.collection('nothing_here').aggregate([{ $match: {} }]).toArray()).toEqual([]);
  });

  it('accepts the let option', async () => {
    const out = await db.collection('sales').aggregate(
      [{ $match: { $expr: { $eq: ['$item', '$$wanted'] } } }, { $project: { _id: 1 } }],
      { let: { wanted: 'b' } },
    ).toArray();
    expect(out).toEqual([{ _id: 2 }]);
  });

  it('writes results with $out', async () => {
    await db.collection('sales').aggregate([{ $match: { item: 'a' } }, { $project: { price: 1 } }, { $out: 'sales_a' }]).toArray();
    expect(await db.collection('sales_a').find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, price: 10 }, { _id: 3, price: 5 }]);
  });

  it('reports $collStats count and storage stats', async () => {
    const [stats] = await db.collection('sales').aggregate([{ $collStats: { count: {}, storageStats: {} } }]).toArray();
    expect(stats.ns).toBe('aggregate_test.sales');
    expect(stats.count).toBe(4);
    expect(stats.storageStats.count).toBe(4);
  });

  it('serves $documents with aggregate: 1 and $unionWith', async () => {
    const out = await db.aggregate([
      { $documents: [{ x: 1 }] },
      { $unionWith: { coll: 'items', pipeline: [{ $project: { _id: 0, name: 1 } }] } },
    ]).toArray();
    expect(out).toEqual([{ x: 1 }, { name: 'Apple' }, { name: 'Banana' }]);
  });
});
