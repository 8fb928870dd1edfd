import { MongoClient, Timestamp, type Document } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/**
 * local.oplog.rs as mongod 7.0 writes it (readable with find), and the replication commands that report on it:
 * replSetGetStatus and appendOplogNote.
 */
describe('oplog', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  afterAll(() => disconnect(client, deployment));

  function oplog() {
    return client.db('local').collection('oplog.rs');
  }

  async function entriesFor(ns: string): Promise<Document[]> {
    return oplog().find({ ns }).sort({ $natural: 1 }).toArray();
  }

  it('logs inserts, $v:2 update diffs, replacements and deletes', async () => {
    const coll = client.db('oplog_test').collection('crud');
    await coll.insertOne({ _id: 1 as never, a: 1, b: { c: 1 }, arr: [1, 2] });
    await coll.updateOne({ _id: 1 as never }, { $set: { a: 2 }, $unset: { b: '' } });
    await coll.updateOne({ _id: 1 as never }, { $push: { arr: 3 } } as never);
    await coll.replaceOne({ _id: 1 as never }, { z: 1 });
    await coll.deleteOne({ _id: 1 as never });
    const [insert, update, push, replace, del] = await entriesFor('oplog_test.crud');

    expect(insert).toMatchObject({ op: 'i', ns: 'oplog_test.crud', o: { _id: 1, a: 1, b: { c: 1 }, arr: [1, 2] }, o2: { _id: 1 } });
    expect(insert.ui).toBeDefined();
    expect(insert.ts).toBeInstanceOf(Timestamp);
    expect(insert.wall).toBeInstanceOf(Date);
    expect(update).toMatchObject({ op: 'u', o: { $v: 2, diff: { d: { b: false }, u: { a: 2 } } }, o2: { _id: 1 } });
    expect(Object.keys(update.o.diff)).toEqual(['d', 'u']);
    expect(push.o).toEqual({ $v: 2, diff: { sarr: { a: true, u2: 3 } } });
    expect(replace).toMatchObject({ op: 'u', o: { _id: 1, z: 1 }, o2: { _id: 1 } });
    expect(del).toMatchObject({ op: 'd', o: { _id: 1 } });
    for (let k = 1; k < 5; k++) {
      const [prev, next] = [[insert, update, push, replace, del][k - 1], [insert, update, push, replace, del][k]];
      expect((next.ts as Timestamp).greaterThan(prev.ts as Timestamp)).toBe(true);
    }
  });

  it('reports this member as the primary with its last optime in replSetGetStatus', async () => {
    await client.db('oplog_test').collection('status').insertOne({ _id: 1 as never });
    const [last] = await oplog().find().sort({ $natural: -1 }).limit(1).toArray();
    const status = await client.db('admin').command({ replSetGetStatus: 1 });
    expect(status.myState).toBe(1);
    expect(typeof status.set).toBe('string');
    expect(status.optimes.appliedOpTime.ts.equals(last.ts)).toBe(true);
    expect(status.optimes.durableOpTime.ts.equals(last.ts)).toBe(true);
    expect(status.optimes.lastCommittedOpTime.ts.equals(last.ts)).toBe(true);
    expect(status.optimes.readConcernMajorityOpTime.ts.equals(last.ts)).toBe(true);
    const self = status.members.find((m: Document) => m.self);
    expect(self).toMatchObject({ stateStr: 'PRIMARY', state: 1, health: 1 });
    await expect(client.db('oplog_test').command({ replSetGetStatus: 1 })).rejects.toMatchObject({ code: 13 });
  });

  it('writes a no-op entry for appendOplogNote', async () => {
    await client.db('admin').command({ appendOplogNote: 1, data: { note: 'hello from the test' } });
    const [note] = await oplog().find({ op: 'n', 'o.note': 'hello from the test' }).toArray();
    expect(note).toMatchObject({ op: 'n', ns: '', o: { note: 'hello from the test' } });
    await expect(client.db('admin').command({ appendOplogNote: 1 })).rejects.toMatchObject({ code: 4 });
  });
});
