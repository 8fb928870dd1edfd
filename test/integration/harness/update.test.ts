import { Double, Int32, Long, MongoClient, type Collection } from 'mongodb';
import type { Document } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/** Test documents have plain (non-ObjectId) _id values. */
interface TestDoc extends Document {
  _id: number;
}

// Update operators through the driver, checked with promoteValues off so that types (Int32/Double/Long) show.
describe('embedded server updates', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let coll: Collection<TestDoc>;
  const exact = { promoteValues: false } as const;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
    coll = client.db('update_test').collection<TestDoc>('docs');
  });

  beforeEach(async () => {
    await coll.deleteMany({});
  });

  afterAll(() => disconnect(client, deployment));

  it('keeps existing fields in place and appends new ones in name order', async () => {
    await coll.insertOne({ _id: 1, b: 1, a: 1 });
    await coll.updateOne({ _id: 1 }, { $set: { z: 1, c: 1, b: 2 } });
    const doc = await coll.findOne({ _id: 1 });
    expect(Object.keys(doc!)).toEqual(['_id', 'b', 'a', 'c', 'z']);
  });

  it('keeps the stored order of integer-like field names', async () => {
    await client.db('update_test').command({ insert: 'docs', documents: [{ _id: 1, name: 'x', '2024': 1 }] });
    await coll.updateOne({ _id: 1 }, { $set: { name: 'y' } });
    const raw = await client.db('update_test').collection<TestDoc>('docs').findOne({ _id: 1 }, { raw: true });
    const keys: string[] = [];
    const buf = Buffer.from(raw as unknown as Uint8Array);
    for (let p = 4; buf[p] !== 0;) {
      const end = buf.indexOf(0, p + 1);
      keys.push(buf.toString('utf8', p + 1, end));
      const type = buf[p];
      p = end + 1 + (type === 0x02 ? 4 + buf.readInt32LE(end + 1) : type === 0x10 ? 4 : 8);
    }
    // JS objects enumerate "2024" first; the driver serializes it first too, so the stored order is _id, 2024, name.
    expect(keys).toEqual(['_id', '2024', 'name']);
  });

  it('keeps numeric types: int stays int, overflow becomes long, double wins', async () => {
    await coll.insertOne({ _id: 1, i: new Int32(1), big: new Int32(2147483647), d: new Int32(1) });
    await coll.updateOne({ _id: 1 }, { $inc: { i: new Int32(1), big: new Int32(1), d: new Double(0.5) } });
    const doc = await coll.findOne({ _id: 1 }, exact);
    expect(doc!.i).toEqual(new Int32(2));
    expect(doc!.big).toEqual(Long.fromNumber(2147483648));
    expect(doc!.d).toEqual(new Double(1.5));
  });

  it('counts a no-op update in n but not in nModified', async () => {
    await coll.insertOne({ _id: 1, a: 1 });
    const result = await coll.updateOne({ _id: 1 }, { $set: { a: 1 } });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it('updates many documents and array elements with $[] and arrayFilters', async () => {
    await coll.insertMany([{ _id: 1, g: 1, v: [1, 5, 9] }, { _id: 2, g: 1, v: [2, 6] }, { _id: 3, g: 2, v: [] }]);
    const many = await coll.updateMany({ g: 1 }, { $set: { 'v.$[big]': 0 } }, { arrayFilters: [{ big: { $gte: 5 } }] });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect((await coll.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d.v)).toEqual([[1, 0, 0], [2, 0], []]);
    await coll.updateMany({}, { $inc: { 'v.$[]': 1 } });
    expect((await coll.findOne({ _id: 2 }))!.v).toEqual([3, 1]);
  });

  it('updates the array element the query matched with the positional $', async () => {
    await coll.insertOne({ _id: 1, items: [{ k: 'a', n: 1 }, { k: 'b', n: 1 }] });
    await coll.updateOne({ 'items.k': 'b' }, { $inc: { 'items.$.n': 5 } });
    expect((await coll.findOne({ _id: 1 }))!.items).toEqual([{ k: 'a', n: 1 }, { k: 'b', n: 6 }]);
  });

  it('applies $push with modifiers, $addToSet, $pull and $rename', async () => {
    await coll.insertOne({ _id: 1, a: [3, 1], s: [1], p: [1, 2, 3, 4], old: 'x' });
    // The driver's update typings do not follow an index-signature schema into modifiers, hence the plain Document.
    const update: Document = {
      $push: { a: { $each: [2], $sort: 1, $slice: 2 } },
      $addToSet: { s: { $each: [1, 2] } },
      $pull: { p: { $gte: 3 } },
      $rename: { old: 'renamed' },
    };
    await coll.updateOne({ _id: 1 }, update);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, a: [1, 2], s: [1, 2], p: [1, 2], renamed: 'x' });
  });

  it('upserts with the query equality and $setOnInsert, reporting the new _id', async () => {
    const result = await coll.updateOne({ _id: 7, k: 'q' }, { $set: { a: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1, upsertedId: 7 });
    expect(await coll.findOne({ _id: 7 })).toEqual({ _id: 7, k: 'q', a: 1, created: true });
    const generated = await coll.updateOne({ k: 'new' }, { $set: { a: 2 } }, { upsert: true });
    expect(generated.upsertedId).toBeDefined();
  });

  it('refuses an upsert that would change the _id its query sets', async () => {
    await expect(coll.updateOne({ _id: 20 }, { $set: { _id: 21 } }, { upsert: true })).rejects.toMatchObject({ code: 66 });
    await expect(coll.replaceOne({ _id: 20 }, { _id: 21 }, { upsert: true })).rejects.toMatchObject({ code: 66 });
    expect(await coll.countDocuments({ _id: { $in: [20, 21] } })).toBe(0);
  });

  it('replaces documents keeping _id', async () => {
    await coll.insertOne({ _id: 1, a: 1 });
    const result = await coll.replaceOne({ _id: 1 }, { b: 2 });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, b: 2 });
  });

  it('applies pipeline updates', async () => {
    await coll.insertOne({ _id: 1, a: 2 });
    await coll.updateOne({ _id: 1 }, [{ $set: { b: { $multiply: ['$a', 10] } } }]);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, a: 2, b: 20 });
  });

  it('reports mongod error codes for invalid updates', async () => {
    await coll.insertOne({ _id: 1, s: 'text', n: 1 });
    await expect(coll.updateOne({ _id: 1 }, { $inc: { s: 1 } })).rejects.toMatchObject({ code: 14 });
    await expect(coll.updateOne({ _id: 1 }, { $set: { n: 1 }, $inc: { n: 1 } })).rejects.toMatchObject({ code: 40 });
    await expect(coll.updateOne({ _id: 1 }, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 });
    await expect(coll.updateOne({ _id: 1 }, { $set: { 'n.x': 1 } })).rejects.toMatchObject({ code: 28 });
  });
});
