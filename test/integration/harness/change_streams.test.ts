import {
  MongoClient, type ChangeStream, type ChangeStreamDocument, type Db, type Document, type ResumeToken, type Timestamp,
} from 'mongodb';
import { itEmbedded, sourceDeployment, type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';

/**
 * Change streams through the official driver's watch() on a collection, a database and the whole deployment, with
 * mongod 7.0's event shapes (change_stream_event_transform.cpp; the change-streams spec tests in
 * ../shared/spec-data show the same shapes).
 */
describe('change streams', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;
  let dbCounter = 0;

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  beforeEach(async () => {
    db = client.db(`cs_test_${++dbCounter}`);
  });

  afterAll(() => disconnect(client, deployment));

  /** Opens the stream on the server (watch() is lazy) so that later writes are reported. */
  async function opened<T extends ChangeStream>(stream: T): Promise<T> {
    await stream.tryNext();
    return stream;
  }

  async function take(stream: ChangeStream, n: number): Promise<ChangeStreamDocument[]> {
    const out: ChangeStreamDocument[] = [];
    while (out.length < n) out.push(await stream.next());
    return out;
  }

  it('reports insert, update, replace and delete in order with mongod 7.0 field order', async () => {
    const coll = db.collection('events');
    await coll.insertOne({ _id: 0 as never });
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    await coll.insertOne({ _id: 1 as never, a: 1, s: 'x' });
    await coll.updateOne({ _id: 1 as never }, { $set: { a: 2 }, $unset: { s: '' } });
    await coll.replaceOne({ _id: 1 as never }, { b: 1 });
    await coll.deleteOne({ _id: 1 as never });
    const [insert, update, replace, del] = (await take(stream, 4)) as Document[];
    await stream.close();

    expect(Object.keys(insert)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'fullDocument', 'ns', 'documentKey']);
    expect(insert).toMatchObject({
      operationType: 'insert', fullDocument: { _id: 1, a: 1, s: 'x' }, ns: { db: db.databaseName, coll: 'events' },
      documentKey: { _id: 1 },
    });
    expect(insert.wallTime).toBeInstanceOf(Date);
    expect(typeof insert._id._data).toBe('string');

    expect(Object.keys(update)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'ns', 'documentKey', 'updateDescription']);
    expect(update.updateDescription).toEqual({ updatedFields: { a: 2 }, removedFields: ['s'], truncatedArrays: [] });

    expect(Object.keys(replace)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'fullDocument', 'ns', 'documentKey']);
    expect(replace).toMatchObject({ operationType: 'replace', fullDocument: { _id: 1, b: 1 }, documentKey: { _id: 1 } });

    expect(Object.keys(del)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'ns', 'documentKey']);
    expect(del).toMatchObject({ operationType: 'delete', documentKey: { _id: 1 } });

    const times = [insert, update, replace, del].map((e) => e.clusterTime as Timestamp);
    for (let k = 1; k < times.length; k++) expect(times[k].greaterThan(times[k - 1])).toBe(true);
  });

  it('describes nested, array and truncation updates as mongod does', async () => {
    const coll = db.collection('updates');
    await coll.insertOne({ _id: 1 as never, arr: [1, 2, 3], array: ['foo', { a: 'bar' }, 1, 2, 3], o: { x: 1 } });
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    await coll.updateOne({ _id: 1 as never }, { $push: { arr: 4 } } as never);
    // The spec's "Test array truncation": a pipeline update shortening an array.
    await coll.updateOne({ _id: 1 as never }, [{ $set: { array: ['foo', { a: 'bar' }] } }]);
    await coll.updateOne({ _id: 1 as never }, { $set: { 'o.y': 2, n: 1 } });
    const [push, truncate, nested] = (await take(stream, 3)) as Document[];
    await stream.close();
    expect(push.updateDescription).toEqual({ updatedFields: { 'arr.3': 4 }, removedFields: [], truncatedArrays: [] });
    expect(truncate.updateDescription).toEqual({
      updatedFields: {}, removedFields: [], truncatedArrays: [{ field: 'array', newSize: 2 }],
    });
    expect(nested.updateDescription.updatedFields).toEqual({ n: 1, o: { x: 1, y: 2 } });
  });

  it('reports disambiguatedPaths only with showExpandedEvents', async () => {
    const coll = db.collection('ambiguous');
    // A long sibling keeps the logged change a sub-diff of `a` whichever way the server computes it.
    await coll.insertOne({ _id: 1 as never, a: { 1: 1, pad: 'p'.repeat(64) } });
    const plain = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    const expanded = await opened(coll.watch([], { maxAwaitTimeMS: 100, showExpandedEvents: true }));
    await coll.updateOne({ _id: 1 as never }, { $set: { 'a.1': 2 } });
    const [p] = (await take(plain, 1)) as Document[];
    const [e] = (await take(expanded, 1)) as Document[];
    await plain.close();
    await expanded.close();
    expect(p.updateDescription.disambiguatedPaths).toBeUndefined();
    expect(e.updateDescription.disambiguatedPaths).toEqual({ 'a.1': ['a', '1'] });
    expect(e.collectionUUID).toBeDefined();
  });

  it('looks up the current document with fullDocument: updateLookup', async () => {
    const coll = db.collection('lookup');
    await coll.insertOne({ _id: 1 as never, a: 1 });
    const stream = await opened(coll.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 100 }));
    await coll.updateOne({ _id: 1 as never }, { $inc: { a: 1 } });
    await coll.deleteOne({ _id: 1 as never });
    await coll.insertOne({ _id: 2 as never });
    await coll.updateOne({ _id: 2 as never }, { $set: { b: 1 } });
    const [update1, , , update2] = (await take(stream, 4)) as Document[];
    await stream.close();
    // The first update is looked up after the delete: the document is gone, so fullDocument is null.
    expect(update1.fullDocument).toBeNull();
    expect(Object.keys(update2)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'fullDocument', 'ns', 'documentKey', 'updateDescription']);
    expect(update2.fullDocument).toEqual({ _id: 2, b: 1 });
  });

  it('applies a $match on operationType and projections after $changeStream', async () => {
    const coll = db.collection('match');
    const stream = await opened(coll.watch([{ $match: { operationType: 'delete' } }], { maxAwaitTimeMS: 100 }));
    const projected = await opened(coll.watch([{ $project: { optype: '$operationType', ns: 1, newField: 'value' } }], { maxAwaitTimeMS: 100 }));
    const byField = await opened(coll.watch([{ $match: { 'fullDocument.z': 3 } }], { maxAwaitTimeMS: 100 }));
    await coll.insertMany([{ _id: 1 }, { _id: 2, z: 3 }] as never[]);
    await coll.deleteOne({ _id: 2 as never });
    const [del] = (await take(stream, 1)) as Document[];
    const [first] = (await take(projected, 1)) as Document[];
    const [withZ] = (await take(byField, 1)) as Document[];
    await stream.close();
    await projected.close();
    await byField.close();
    expect(withZ.fullDocument).toEqual({ _id: 2, z: 3 });
    expect(del).toMatchObject({ operationType: 'delete', documentKey: { _id: 2 } });
    expect(first).toEqual({ _id: first._id, ns: { db: db.databaseName, coll: 'match' }, optype: 'insert', newField: 'value' });
  });

  it('fails with ChangeStreamFatalError when the pipeline removes _id', async () => {
    const coll = db.collection('noid');
    const stream = await opened(coll.watch([{ $project: { _id: 0 } }], { maxAwaitTimeMS: 100 }));
    await coll.insertOne({ _id: 1 as never });
    await expect(stream.next()).rejects.toMatchObject({ code: 280, codeName: 'ChangeStreamFatalError' });
    await stream.close();
  });

  it('refuses unknown stages (40324) and stages not allowed in a change stream', async () => {
    await expect(db.command({ aggregate: 'c', pipeline: [{ $changeStream: {} }, { $unsupported: 'foo' }], cursor: {} }))
      .rejects.toMatchObject({ code: 40324 });
    await expect(db.command({ aggregate: 'c', pipeline: [{ $changeStream: {} }, { $group: { _id: null } }], cursor: {} }))
      .rejects.toMatchObject({ codeName: 'IllegalOperation' });
  });

  it('watches every collection of a database but not its system collections', async () => {
    const stream = await opened(db.watch([], { maxAwaitTimeMS: 100 }));
    await db.collection('a').insertOne({ _id: 1 as never });
    await db.collection('system.js').insertOne({ _id: 'f' as never, value: 1 }).catch(() => undefined);
    await db.collection('b').insertOne({ _id: 2 as never });
    const events = (await take(stream, 2)) as Document[];
    await stream.close();
    expect(events.map((e) => e.ns)).toEqual([{ db: db.databaseName, coll: 'a' }, { db: db.databaseName, coll: 'b' }]);
  });

  it('watches every database of the deployment but not admin, config and local', async () => {
    const stream = await opened(client.watch([], { maxAwaitTimeMS: 100 }));
    const other = client.db(`${db.databaseName}_other`);
    await db.collection('x').insertOne({ _id: 1 as never });
    await client.db('admin').collection('cs_internal').insertOne({ _id: 1 as never });
    await client.db('config').collection('cs_internal').insertOne({ _id: 1 as never });
    await other.collection('y').insertOne({ _id: 2 as never });
    const events = (await take(stream, 2)) as Document[];
    await stream.close();
    expect(events.map((e) => e.ns)).toEqual([{ db: db.databaseName, coll: 'x' }, { db: other.databaseName, coll: 'y' }]);
    await client.db('admin').collection('cs_internal').deleteMany({});
    await client.db('config').collection('cs_internal').deleteMany({});
  });

  it('resumes with resumeAfter, startAfter and startAtOperationTime', async () => {
    const coll = db.collection('resume');
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as never[]);
    const [first, second] = (await take(stream, 2)) as Document[];
    await stream.close();

    for (const option of ['resumeAfter', 'startAfter'] as const) {
      const resumed = coll.watch([], { [option]: first._id, maxAwaitTimeMS: 100 });
      const ids = ((await take(resumed, 2)) as Document[]).map((e) => e.documentKey._id);
      await resumed.close();
      expect(ids).toEqual([2, 3]);
    }
    const atTime = coll.watch([], { startAtOperationTime: second.clusterTime, maxAwaitTimeMS: 100 });
    const ids = ((await take(atTime, 2)) as Document[]).map((e) => e.documentKey._id);
    await atTime.close();
    expect(ids).toEqual([2, 3]);
  });

  it('restarts from a token stored before the client closed', async () => {
    const coll = db.collection('restart');
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    await coll.insertOne({ _id: 1 as never });
    await take(stream, 1);
    const stored: ResumeToken = stream.resumeToken;
    await stream.close();
    await coll.insertOne({ _id: 2 as never });

    const second = new MongoClient(deployment.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await second.connect();
      const resumed = second.db(db.databaseName).collection('restart').watch([], { resumeAfter: stored, maxAwaitTimeMS: 100 });
      const [event] = (await take(resumed, 1)) as Document[];
      await resumed.close();
      expect(event.documentKey).toEqual({ _id: 2 });
    } finally {
      await second.close();
    }
  });

  it('advances postBatchResumeToken while no event matches', async () => {
    const reply = await db.command({ aggregate: 'idle', pipeline: [{ $changeStream: {} }], cursor: {} });
    const first = reply.cursor.postBatchResumeToken._data as string;
    expect(reply.cursor.firstBatch).toEqual([]);
    expect(Object.keys(reply.cursor)).toEqual(['firstBatch', 'postBatchResumeToken', 'id', 'ns']);
    await client.db('admin').command({ appendOplogNote: 1, data: { msg: 'cs test' } });
    await db.collection('elsewhere').insertOne({ _id: 1 as never });
    const more = await db.command({ getMore: reply.cursor.id, collection: 'idle', maxTimeMS: 50 });
    expect(more.cursor.nextBatch).toEqual([]);
    expect((more.cursor.postBatchResumeToken._data as string) > first).toBe(true);
    await db.command({ killCursors: 'idle', cursors: [reply.cursor.id] });
  });

  it('rejects an invalid resume token with InvalidResumeToken', async () => {
    await expect(db.command({ aggregate: 'c', pipeline: [{ $changeStream: { resumeAfter: { _data: 'zz' } } }], cursor: {} }))
      .rejects.toMatchObject({ code: 260, codeName: 'InvalidResumeToken' });
  });

  it('reports drop then invalidate, and startAfter the invalidate goes on', async () => {
    const coll = db.collection('dropped');
    await coll.insertOne({ _id: 0 as never });
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    await coll.insertOne({ _id: 1 as never });
    await coll.drop();
    const [insert, drop, invalidate] = (await take(stream, 3)) as Document[];
    expect(insert.operationType).toBe('insert');
    expect(Object.keys(drop)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'ns']);
    expect(drop).toMatchObject({ operationType: 'drop', ns: { db: db.databaseName, coll: 'dropped' } });
    expect(Object.keys(invalidate)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime']);
    expect(invalidate.operationType).toBe('invalidate');
    expect(stream.closed).toBe(true);

    await expect(db.command({ aggregate: 'dropped', pipeline: [{ $changeStream: { resumeAfter: invalidate._id } }], cursor: {} }))
      .rejects.toMatchObject({ code: 260 });
    await coll.insertOne({ _id: 2 as never });
    const after = coll.watch([], { startAfter: invalidate._id, maxAwaitTimeMS: 100 });
    const [next] = (await take(after, 1)) as Document[];
    await after.close();
    expect(next).toMatchObject({ operationType: 'insert', documentKey: { _id: 2 } });
  });

  it('reports rename with to, and invalidates the renamed collection stream', async () => {
    const coll = db.collection('before');
    await coll.insertOne({ _id: 1 as never });
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    const dbStream = await opened(db.watch([], { maxAwaitTimeMS: 100, showExpandedEvents: true }));
    await coll.rename('after');
    const [rename, invalidate] = (await take(stream, 2)) as Document[];
    const [dbRename] = (await take(dbStream, 1)) as Document[];
    await dbStream.close();
    expect(rename).toMatchObject({
      operationType: 'rename', ns: { db: db.databaseName, coll: 'before' }, to: { db: db.databaseName, coll: 'after' },
    });
    expect(rename.operationDescription).toBeUndefined();
    expect(invalidate.operationType).toBe('invalidate');
    expect(dbRename.operationDescription).toMatchObject({ to: { db: db.databaseName, coll: 'after' } });
  });

  it('reports dropDatabase and invalidates a database stream', async () => {
    await db.collection('c1').insertOne({ _id: 1 as never });
    const stream = await opened(db.watch([], { maxAwaitTimeMS: 100 }));
    await db.dropDatabase();
    const events: Document[] = [];
    for (;;) {
      const e = (await stream.next()) as Document;
      events.push(e);
      if (e.operationType === 'invalidate') break;
    }
    const types = events.map((e) => e.operationType);
    expect(types.slice(-2)).toEqual(['dropDatabase', 'invalidate']);
    expect(events[events.length - 2].ns).toEqual({ db: db.databaseName });
    expect(types.slice(0, -2).every((t) => t === 'drop')).toBe(true);
  });

  it('reports create, createIndexes, dropIndexes and modify only with showExpandedEvents', async () => {
    const plain = await opened(db.watch([], { maxAwaitTimeMS: 100 }));
    const expanded = await opened(db.watch([], { maxAwaitTimeMS: 100, showExpandedEvents: true }));
    await db.createCollection('ddl');
    await db.collection('ddl').createIndex({ a: 1 }, { name: 'a_1' });
    await db.command({ collMod: 'ddl', validationLevel: 'moderate' });
    await db.collection('ddl').dropIndex('a_1');
    await db.collection('ddl').insertOne({ _id: 1 as never });
    const events = (await take(expanded, 5)) as Document[];
    const [onlyInsert] = (await take(plain, 1)) as Document[];
    await plain.close();
    await expanded.close();
    expect(events.map((e) => e.operationType)).toEqual(['create', 'createIndexes', 'modify', 'dropIndexes', 'insert']);
    expect(events[0]).toMatchObject({ ns: { db: db.databaseName, coll: 'ddl' }, operationDescription: { idIndex: { name: '_id_' } } });
    expect(events[1].operationDescription).toMatchObject({ indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(events[2].operationDescription).toMatchObject({ validationLevel: 'moderate' });
    expect(events[3].operationDescription).toMatchObject({ indexes: [{ name: 'a_1' }] });
    expect(onlyInsert.operationType).toBe('insert');
  });

  it('reports view definitions as create, modify and drop on database streams with showExpandedEvents', async () => {
    await db.createCollection('base');
    const stream = await opened(db.watch([], { maxAwaitTimeMS: 100, showExpandedEvents: true }));
    await db.createCollection('v', { viewOn: 'base', pipeline: [{ $match: { a: 1 } }] });
    await db.command({ collMod: 'v', viewOn: 'base', pipeline: [] });
    await db.collection('v').drop();
    const [create, modify, drop] = (await take(stream, 3)) as Document[];
    await stream.close();
    expect(Object.keys(create)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'ns', 'operationDescription']);
    expect(create).toMatchObject({
      operationType: 'create', ns: { db: db.databaseName, coll: 'v' },
      operationDescription: { viewOn: 'base', pipeline: [{ $match: { a: 1 } }] },
    });
    expect(modify).toMatchObject({ operationType: 'modify', operationDescription: { viewOn: 'base', pipeline: [] } });
    expect(Object.keys(drop)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'ns']);
    expect(drop).toMatchObject({ operationType: 'drop', ns: { db: db.databaseName, coll: 'v' } });
  });

  it('unwinds a transaction into events with lsid, txnNumber and distinct tokens', async () => {
    const coll = db.collection('txn');
    await coll.insertOne({ _id: 0 as never });
    const stream = await opened(coll.watch([], { maxAwaitTimeMS: 100 }));
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await coll.insertOne({ _id: 1 as never }, { session });
        await coll.updateOne({ _id: 0 as never }, { $set: { x: 1 } }, { session });
        await coll.deleteOne({ _id: 1 as never }, { session });
      });
    } finally {
      await session.endSession();
    }
    const events = (await take(stream, 3)) as Document[];
    await stream.close();
    expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete']);
    for (const e of events) {
      expect(e.lsid).toBeDefined();
      expect(Number(e.txnNumber)).toBeGreaterThan(0);
      expect(e.clusterTime).toEqual(events[0].clusterTime);
    }
    expect(new Set(events.map((e) => e._id._data)).size).toBe(3);
    const resumed = coll.watch([], { resumeAfter: events[0]._id, maxAwaitTimeMS: 100 });
    const rest = (await take(resumed, 2)) as Document[];
    await resumed.close();
    expect(rest.map((e) => e.operationType)).toEqual(['update', 'delete']);
  });

  it('returns pre- and post-images when the collection keeps them', async () => {
    await db.createCollection('images', { changeStreamPreAndPostImages: { enabled: true } });
    await db.createCollection('noimages');
    const images = db.collection('images');
    const noImages = db.collection('noimages');
    await images.insertOne({ _id: 1 as never, a: 1 });
    await noImages.insertOne({ _id: 1 as never, a: 1 });
    const stream = await opened(db.watch([], {
      fullDocument: 'whenAvailable', fullDocumentBeforeChange: 'whenAvailable', maxAwaitTimeMS: 100,
    }));
    await images.updateOne({ _id: 1 as never }, { $set: { a: 2 } });
    await noImages.updateOne({ _id: 1 as never }, { $set: { a: 2 } });
    await images.deleteOne({ _id: 1 as never });
    const [withImages, without, deleted] = (await take(stream, 3)) as Document[];
    await stream.close();
    expect(withImages.fullDocument).toEqual({ _id: 1, a: 2 });
    expect(withImages.fullDocumentBeforeChange).toEqual({ _id: 1, a: 1 });
    expect(Object.keys(withImages).slice(-1)).toEqual(['fullDocumentBeforeChange']);
    expect(without.fullDocument).toBeNull();
    expect(without.fullDocumentBeforeChange).toBeNull();
    expect(deleted.fullDocumentBeforeChange).toEqual({ _id: 1, a: 2 });

    // Inside a transaction, each operation's pre-image is keyed by its place in the applyOps entry.
    await images.insertMany([{ _id: 2, v: 'two' }, { _id: 3, v: 'three' }] as never[]);
    const txnStream = await opened(images.watch([{ $match: { operationType: { $ne: 'insert' } } }], {
      fullDocument: 'required', fullDocumentBeforeChange: 'required', maxAwaitTimeMS: 100,
    }));
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await images.updateOne({ _id: 2 as never }, { $set: { v: 'TWO' } }, { session });
        await images.deleteOne({ _id: 3 as never }, { session });
      });
    } finally {
      await session.endSession();
    }
    const [txnUpdate, txnDelete] = (await take(txnStream, 2)) as Document[];
    await txnStream.close();
    expect(txnUpdate).toMatchObject({ fullDocument: { _id: 2, v: 'TWO' }, fullDocumentBeforeChange: { _id: 2, v: 'two' } });
    expect(txnDelete).toMatchObject({ operationType: 'delete', fullDocumentBeforeChange: { _id: 3, v: 'three' } });

    const required = await opened(noImages.watch([], { fullDocumentBeforeChange: 'required', maxAwaitTimeMS: 100 }));
    await noImages.updateOne({ _id: 1 as never }, { $set: { a: 3 } });
    await expect(required.next()).rejects.toMatchObject({ code: 47 });
    await required.close();
  });
});

describe('change stream history', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    // A tiny oplog (embedded server only), so that a few writes roll it over.
    deployment = await sourceDeployment({ oplogSizeBytes: 16 * 1024 });
    client = new MongoClient(deployment.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });

  afterAll(() => disconnect(client, deployment));

  async function rollOver(): Promise<void> {
    const filler = client.db('history').collection('filler');
    for (let k = 0; k < 10; k++) {
      await filler.insertMany(Array.from({ length: 20 }, () => ({ pad: 'x'.repeat(200) })));
    }
  }

  const lost = { code: 286, codeName: 'ChangeStreamHistoryLost', message: 'Resume of change stream was not possible, as the resume point may no longer be in the oplog.' };

  itEmbedded('refuses to start or resume before the oldest oplog entry', async () => {
    const coll = client.db('history').collection('watched');
    const stream = coll.watch([], { maxAwaitTimeMS: 100 });
    await stream.tryNext();
    await coll.insertOne({ _id: 1 as never });
    const event = (await stream.next()) as Document;
    await stream.close();
    await rollOver();
    await expect(client.db('history').command({
      aggregate: 'watched', pipeline: [{ $changeStream: { startAtOperationTime: event.clusterTime } }], cursor: {},
    })).rejects.toMatchObject(lost);
    await expect(client.db('history').command({
      aggregate: 'watched', pipeline: [{ $changeStream: { resumeAfter: event._id } }], cursor: {},
    })).rejects.toMatchObject({ ...lost, errorLabels: ['NonResumableChangeStreamError'] });
  });

  itEmbedded('fails the next getMore when the oplog rolled over under an open stream', async () => {
    const db = client.db('history');
    const reply = await db.command({ aggregate: 'quiet', pipeline: [{ $changeStream: {} }], cursor: {} });
    await rollOver();
    await expect(db.command({ getMore: reply.cursor.id, collection: 'quiet', maxTimeMS: 10 })).rejects.toMatchObject(lost);
  });
});

describe('change stream on an idle deployment', () => {
  let deployment: TestDeployment;
  let client: MongoClient;

  beforeAll(async () => {
    // The periodic no-op writer every 50 ms instead of mongod's 10 s (embedded server only).
    deployment = await sourceDeployment({ noopIntervalMs: 50 });
    client = new MongoClient(deployment.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });

  afterAll(() => disconnect(client, deployment));

  itEmbedded('advances postBatchResumeToken through the periodic no-op entries without any write', async () => {
    const db = client.db('idle');
    const reply = await db.command({ aggregate: 'c', pipeline: [{ $changeStream: {} }], cursor: {} });
    const first = reply.cursor.postBatchResumeToken._data as string;
    let latest = first;
    for (let attempt = 0; attempt < 100 && latest === first; attempt++) {
      const more = await db.command({ getMore: reply.cursor.id, collection: 'c', maxTimeMS: 100 });
      expect(more.cursor.nextBatch).toEqual([]);
      latest = more.cursor.postBatchResumeToken._data;
    }
    expect(latest > first).toBe(true);
    const noops = await client.db('local').collection('oplog.rs').countDocuments({ op: 'n', 'o.msg': 'periodic noop' });
    expect(noops).toBeGreaterThan(0);
  });
});
