import { MongoClient, type Db, type MongoServerError } from 'mongodb';
import { type TestDeployment, connectedDeployment, disconnect } from '../../tools/deployments.js';
import type { AnyDocument } from '../../tools/documents.js';

/** Documents with any `_id` type (the driver's default schema types `_id` as ObjectId). */

/**
 * Collection validators (mongod's CollectionImpl::checkValidation): validationLevel strict/moderate/off,
 * validationAction error/warn, bypassDocumentValidation, and error 121 DocumentValidationFailure with errInfo.
 */
describe('embedded server document validation', () => {
  let deployment: TestDeployment;
  let client: MongoClient;
  let db: Db;

  const schema = { $jsonSchema: { bsonType: 'object', required: ['name'], properties: { name: { bsonType: 'string' } } } };

  beforeAll(async () => {
    ({ deployment: deployment, client: client } = await connectedDeployment());
  });

  beforeEach(async () => {
    db = client.db(`val_${expect.getState().currentTestName?.replace(/[^a-z0-9]/gi, '').slice(0, 40)}`);
    await db.dropDatabase();
  });

  afterAll(() => disconnect(client, deployment));

  async function failure(p: Promise<unknown>): Promise<MongoServerError> {
    return p.then(() => { throw new Error('write succeeded'); }, (e: MongoServerError) => e);
  }

  it('refuses an insert that fails a $jsonSchema validator with 121 and errInfo', async () => {
    await db.createCollection('people', { validator: schema });
    await db.collection<AnyDocument>('people').insertOne({ _id: 1, name: 'Ada' });
    const error = await failure(db.collection<AnyDocument>('people').insertOne({ _id: 2, name: 42 }));
    expect(error).toMatchObject({ code: 121, errmsg: 'Document failed validation' });
    expect(error.errInfo).toMatchObject({ failingDocumentId: 2, details: { operatorName: '$jsonSchema' } });
    expect(await db.collection<AnyDocument>('people').countDocuments()).toBe(1);
  });

  it('applies a query-operator validator to updates', async () => {
    await db.createCollection('q', { validator: { qty: { $gte: 0 } } });
    await db.collection<AnyDocument>('q').insertOne({ _id: 1, qty: 5 });
    const error = await failure(db.collection<AnyDocument>('q').updateOne({ _id: 1 }, { $set: { qty: -1 } }));
    expect(error.code).toBe(121);
    expect(error.errInfo).toMatchObject({ failingDocumentId: 1, details: { operatorName: '$gte', specifiedAs: { qty: { $gte: 0 } } } });
    expect(await db.collection<AnyDocument>('q').findOne({ _id: 1 })).toEqual({ _id: 1, qty: 5 });
  });

  it('lets bypassDocumentValidation through', async () => {
    await db.createCollection('b', { validator: schema });
    await db.collection<AnyDocument>('b').insertOne({ _id: 1, name: 'a' });
    await db.collection<AnyDocument>('b').updateOne({ _id: 1 }, { $unset: { name: 1 } }, { bypassDocumentValidation: true });
    expect(await db.collection<AnyDocument>('b').findOne({ _id: 1 })).toEqual({ _id: 1 });
    await db.collection<AnyDocument>('b').insertOne({ _id: 2 }, { bypassDocumentValidation: true });
    expect(await db.collection<AnyDocument>('b').countDocuments({ _id: 2 })).toBe(1);
    await expect(db.collection<AnyDocument>('b').insertOne({ _id: 3 })).rejects.toMatchObject({ code: 121 });
  });

  it('with validationAction warn, accepts invalid documents', async () => {
    await db.createCollection('w', { validator: schema, validationAction: 'warn' });
    await db.collection<AnyDocument>('w').insertOne({ _id: 1 });
    expect(await db.collection<AnyDocument>('w').countDocuments()).toBe(1);
  });

  it('with validationLevel moderate, skips updates of documents that were already invalid', async () => {
    await db.createCollection('m');
    await db.collection<AnyDocument>('m').insertMany([{ _id: 1 }, { _id: 2, name: 'ok' }]);
    await db.command({ collMod: 'm', validator: schema, validationLevel: 'moderate' });
    await db.collection<AnyDocument>('m').updateOne({ _id: 1 }, { $set: { x: 1 } });
    expect((await failure(db.collection<AnyDocument>('m').updateOne({ _id: 2 }, { $set: { name: 3 } }))).code).toBe(121);
    expect((await failure(db.collection<AnyDocument>('m').insertOne({ _id: 3 }))).code).toBe(121);
  });

  it('with validationLevel off, validates nothing; collMod turns it back on', async () => {
    await db.createCollection('off', { validator: schema, validationLevel: 'off' });
    await db.collection<AnyDocument>('off').insertOne({ _id: 1 });
    await db.command({ collMod: 'off', validationLevel: 'strict' });
    expect((await failure(db.collection<AnyDocument>('off').insertOne({ _id: 2 }))).code).toBe(121);
    await db.command({ collMod: 'off', validator: {} });
    await db.collection<AnyDocument>('off').insertOne({ _id: 3 });
  });

  it('refuses invalid validators and validation levels', async () => {
    await expect(db.createCollection('bad', { validator: { a: { $bogus: 1 } } })).rejects.toMatchObject({ code: 2 });
    await expect(db.command({ create: 'bad2', validationLevel: 'sometimes' })).rejects.toMatchObject({ code: 2 });
  });
});
