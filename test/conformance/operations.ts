import {
  ReadPreference,
  type AnyBulkWriteOperation,
  type BulkWriteResult,
  type ChangeStream,
  type ClientBulkWriteResult,
  type Document,
  type InsertManyResult,
  type InsertOneResult,
  type MongoClient,
  type UpdateResult,
  type DeleteResult,
} from 'mongodb';
import { bsonTag, isDocument } from './bson_values.js';
import type { EntityMap } from './entity_map.js';
import { RunnerError } from './runner_error.js';
import type { SpecOperation } from './spec_loader.js';

/**
 * Executes the entity and special operations of the unified test format ("Entity Test Operations" and "Special Test
 * Operations") through the official driver, and turns driver results into the documents the format describes
 * (e.g. an UpdateResult becomes `{ matchedCount, modifiedCount, upsertedCount, upsertedId }`).
 */

/** A fail point set by a test, to be switched off after it. */
export interface FailPointRecord {
  client: MongoClient;
  name: string;
}

/** What an operation can reach besides its arguments. */
export interface OperationContext {
  entities: EntityMap;
  /** Fail points configured so far in this test. */
  failPoints: FailPointRecord[];
}

type Args = Record<string, unknown>;

/**
 * BSON options of operations that return user documents: keep types as they are on the wire, so that `$$type` and
 * exact outcome comparisons see them. Only these operations get them: the driver's own bookkeeping (e.g. summing
 * `nModified` of bulk writes) expects promoted numbers.
 */
export const TYPED_READ_OPTIONS = Object.freeze({ promoteValues: false, promoteLongs: false, bsonRegExp: true });

/** An operation's implementation: the raw driver result is returned; `resultDocument` converts it for matching. */
type OperationHandler = (context: OperationContext, object: string, args: Args) => Promise<unknown>;

/** Converts an option value parsed as canonical Extended JSON (Int32, Double, Long) into the JS number the driver wants. */
function optionValue(value: unknown): unknown {
  const tag = bsonTag(value);
  if (tag === 'Int32' || tag === 'Double' || tag === 'Long') return Number(value);
  return value;
}

/**
 * Turns the `arguments` of an operation into driver options: numbers become JS numbers, `session` becomes the session
 * entity, `readPreference` a ReadPreference, `returnDocument` the driver's lowercase spelling. `omit` lists the
 * arguments that are positional parameters, not options; `typed` adds TYPED_READ_OPTIONS.
 */
function driverOptions(context: OperationContext, args: Args, omit: readonly string[], typed = false): Document {
  const options: Document = typed ? { ...TYPED_READ_OPTIONS } : {};
  for (const [key, value] of Object.entries(args)) {
    if (omit.includes(key)) continue;
    if (key === 'session') {
      options.session = context.entities.get(String(value), 'session').session;
    } else if (key === 'readPreference' && isDocument(value)) {
      options.readPreference = ReadPreference.fromOptions({ readPreference: value as never });
    } else if (key === 'returnDocument') {
      options.returnDocument = String(value).toLowerCase();
    } else {
      options[key] = optionValue(value);
    }
  }
  return options;
}

/**
 * The driver replaces an explicit `_id: null` by a new ObjectId (`maybeAddIdToDocuments` tests `_id == null`), while
 * the tests want the null sent as written; `forceServerObjectId` makes the driver send documents untouched.
 */
function withNullIdsKept(options: Document, documents: readonly unknown[]): Document {
  const hasNullId = documents.some(
    (d) => isDocument(d) && Object.prototype.hasOwnProperty.call(d, '_id') && d._id === null,
  );
  return hasNullId ? { ...options, forceServerObjectId: true } : options;
}

function insertDocumentsOf(requests: readonly Document[]): unknown[] {
  return requests.flatMap((r) => (isDocument(r.insertOne) ? [r.insertOne.document] : []));
}

function required<T>(args: Args, name: string, operation: string): T {
  if (!(name in args)) throw new RunnerError(`${operation} needs argument "${name}"`);
  return args[name] as T;
}

function collectionOf(context: OperationContext, object: string) {
  return context.entities.get(object, 'collection').collection;
}

function insertOneResult(result: InsertOneResult): Document {
  return result.acknowledged ? { insertedId: result.insertedId } : { acknowledged: false };
}

function insertManyResult(result: InsertManyResult): Document {
  return result.acknowledged
    ? { insertedCount: result.insertedCount, insertedIds: { ...result.insertedIds } }
    : { acknowledged: false };
}

function updateResult(result: UpdateResult | Document): Document {
  if (!result.acknowledged) return { acknowledged: false };
  const document: Document = {
    matchedCount: result.matchedCount,
    modifiedCount: result.modifiedCount,
    upsertedCount: result.upsertedCount,
  };
  if (result.upsertedId != null) document.upsertedId = result.upsertedId;
  return document;
}

function deleteResult(result: DeleteResult): Document {
  return result.acknowledged ? { deletedCount: result.deletedCount } : { acknowledged: false };
}

/** A BulkWriteResult as the CRUD spec's BulkWriteResult document (also used for the result carried by errors). */
export function bulkWriteResult(result: BulkWriteResult): Document {
  if ((result as { acknowledged?: boolean }).acknowledged === false) return { acknowledged: false };
  return {
    deletedCount: result.deletedCount,
    insertedCount: result.insertedCount,
    insertedIds: { ...result.insertedIds },
    matchedCount: result.matchedCount,
    modifiedCount: result.modifiedCount,
    upsertedCount: result.upsertedCount,
    upsertedIds: { ...result.upsertedIds },
  };
}

function mapToDocument(map: ReadonlyMap<number, unknown> | undefined): Document | undefined {
  return map === undefined ? undefined : Object.fromEntries([...map.entries()].map(([k, v]) => [String(k), { ...(v as Document) }]));
}

/** A ClientBulkWriteResult as the CRUD spec's document: the per-model result maps become documents keyed by index. */
export function clientBulkWriteResult(result: ClientBulkWriteResult): Document {
  if (!result.acknowledged) return { acknowledged: false };
  const document: Document = {
    insertedCount: result.insertedCount,
    upsertedCount: result.upsertedCount,
    matchedCount: result.matchedCount,
    modifiedCount: result.modifiedCount,
    deletedCount: result.deletedCount,
  };
  if (result.insertResults) document.insertResults = mapToDocument(result.insertResults);
  if (result.updateResults) document.updateResults = mapToDocument(result.updateResults);
  if (result.deleteResults) document.deleteResults = mapToDocument(result.deleteResults);
  return document;
}

async function createChangeStream(context: OperationContext, object: string, args: Args): Promise<ChangeStream> {
  const entity = context.entities.get(object, 'client', 'database', 'collection');
  const pipeline = (args.pipeline as Document[] | undefined) ?? [];
  // Default promotion here: the driver decides whether to resume by comparing error codes with JS numbers.
  const options = driverOptions(context, args, ['pipeline']);
  const stream =
    entity.kind === 'client'
      ? entity.client.watch(pipeline, options)
      : entity.kind === 'database'
        ? entity.db.watch(pipeline, options)
        : entity.collection.watch(pipeline, options);
  // The format wants the aggregate sent now (the driver defers it to the first iteration), so that the stream starts
  // before the operations that follow.
  const cursor = (stream as unknown as { cursor: { cursorInit(): Promise<void> } }).cursor;
  try {
    await cursor.cursorInit();
  } catch (error) {
    await stream.close().catch(() => undefined);
    throw error;
  }
  return stream;
}

const OPERATIONS: Readonly<Record<string, OperationHandler>> = Object.freeze({
  // Collection operations.
  aggregate: async (context, object, args) => {
    const entity = context.entities.get(object, 'database', 'collection');
    const pipeline = required<Document[]>(args, 'pipeline', 'aggregate');
    const options = driverOptions(context, args, ['pipeline'], true);
    const cursor =
      entity.kind === 'database' ? entity.db.aggregate(pipeline, options) : entity.collection.aggregate(pipeline, options);
    return cursor.toArray();
  },
  bulkWrite: async (context, object, args) =>
    bulkWriteResult(
      await collectionOf(context, object).bulkWrite(
        required<AnyBulkWriteOperation[]>(args, 'requests', 'bulkWrite'),
        withNullIdsKept(
          driverOptions(context, args, ['requests']),
          insertDocumentsOf(required<Document[]>(args, 'requests', 'bulkWrite')),
        ),
      ),
    ),
  count: async (context, object, args) =>
    collectionOf(context, object).count((args.filter as Document) ?? {}, driverOptions(context, args, ['filter'])),
  countDocuments: async (context, object, args) =>
    collectionOf(context, object).countDocuments(
      required<Document>(args, 'filter', 'countDocuments'),
      driverOptions(context, args, ['filter']),
    ),
  createChangeStream,
  createFindCursor: async (context, object, args) => {
    const cursor = collectionOf(context, object).find(
      (args.filter as Document) ?? {},
      driverOptions(context, args, ['filter'], true),
    );
    await (cursor as unknown as { cursorInit(): Promise<void> }).cursorInit();
    return cursor;
  },
  createIndex: async (context, object, args) =>
    collectionOf(context, object).createIndex(
      required<Document>(args, 'keys', 'createIndex'),
      driverOptions(context, args, ['keys']),
    ),
  deleteMany: async (context, object, args) =>
    deleteResult(
      await collectionOf(context, object).deleteMany(
        required<Document>(args, 'filter', 'deleteMany'),
        driverOptions(context, args, ['filter']),
      ),
    ),
  deleteOne: async (context, object, args) =>
    deleteResult(
      await collectionOf(context, object).deleteOne(
        required<Document>(args, 'filter', 'deleteOne'),
        driverOptions(context, args, ['filter']),
      ),
    ),
  distinct: async (context, object, args) =>
    collectionOf(context, object).distinct(
      required<string>(args, 'fieldName', 'distinct'),
      required<Document>(args, 'filter', 'distinct'),
      driverOptions(context, args, ['fieldName', 'filter'], true),
    ),
  dropIndex: async (context, object, args) =>
    collectionOf(context, object).dropIndex(
      required<string>(args, 'name', 'dropIndex'),
      driverOptions(context, args, ['name']),
    ),
  estimatedDocumentCount: async (context, object, args) =>
    collectionOf(context, object).estimatedDocumentCount(driverOptions(context, args, [])),
  find: async (context, object, args) =>
    collectionOf(context, object)
      .find(required<Document>(args, 'filter', 'find'), driverOptions(context, args, ['filter'], true))
      .toArray(),
  findOne: async (context, object, args) =>
    collectionOf(context, object).findOne(
      required<Document>(args, 'filter', 'findOne'),
      driverOptions(context, args, ['filter'], true),
    ),
  findOneAndDelete: async (context, object, args) =>
    collectionOf(context, object).findOneAndDelete(
      required<Document>(args, 'filter', 'findOneAndDelete'),
      driverOptions(context, args, ['filter'], true),
    ),
  findOneAndReplace: async (context, object, args) =>
    collectionOf(context, object).findOneAndReplace(
      required<Document>(args, 'filter', 'findOneAndReplace'),
      required<Document>(args, 'replacement', 'findOneAndReplace'),
      driverOptions(context, args, ['filter', 'replacement'], true),
    ),
  findOneAndUpdate: async (context, object, args) =>
    collectionOf(context, object).findOneAndUpdate(
      required<Document>(args, 'filter', 'findOneAndUpdate'),
      required<Document | Document[]>(args, 'update', 'findOneAndUpdate'),
      driverOptions(context, args, ['filter', 'update'], true),
    ),
  insertMany: async (context, object, args) =>
    insertManyResult(
      await collectionOf(context, object).insertMany(
        required<Document[]>(args, 'documents', 'insertMany'),
        withNullIdsKept(driverOptions(context, args, ['documents']), required<Document[]>(args, 'documents', 'insertMany')),
      ),
    ),
  insertOne: async (context, object, args) =>
    insertOneResult(
      await collectionOf(context, object).insertOne(
        required<Document>(args, 'document', 'insertOne'),
        withNullIdsKept(driverOptions(context, args, ['document']), [args.document]),
      ),
    ),
  rename: async (context, object, args) => {
    await collectionOf(context, object).rename(
      required<string>(args, 'to', 'rename'),
      driverOptions(context, args, ['to']),
    );
    return undefined;
  },
  replaceOne: async (context, object, args) =>
    updateResult(
      await collectionOf(context, object).replaceOne(
        required<Document>(args, 'filter', 'replaceOne'),
        required<Document>(args, 'replacement', 'replaceOne'),
        driverOptions(context, args, ['filter', 'replacement']),
      ),
    ),
  updateMany: async (context, object, args) =>
    updateResult(
      await collectionOf(context, object).updateMany(
        required<Document>(args, 'filter', 'updateMany'),
        required<Document | Document[]>(args, 'update', 'updateMany'),
        driverOptions(context, args, ['filter', 'update']),
      ),
    ),
  updateOne: async (context, object, args) =>
    updateResult(
      await collectionOf(context, object).updateOne(
        required<Document>(args, 'filter', 'updateOne'),
        required<Document | Document[]>(args, 'update', 'updateOne'),
        driverOptions(context, args, ['filter', 'update']),
      ),
    ),

  // Database operations.
  createCollection: async (context, object, args) => {
    const { db } = context.entities.get(object, 'database');
    await db.createCollection(
      required<string>(args, 'collection', 'createCollection'),
      driverOptions(context, args, ['collection']),
    );
    return undefined;
  },
  dropCollection: async (context, object, args) => {
    const { db } = context.entities.get(object, 'database');
    await db.dropCollection(
      required<string>(args, 'collection', 'dropCollection'),
      driverOptions(context, args, ['collection']),
    );
    return undefined;
  },
  modifyCollection: async (context, object, args) => {
    const { db } = context.entities.get(object, 'database');
    const command: Document = { collMod: required<string>(args, 'collection', 'modifyCollection') };
    for (const [key, value] of Object.entries(args)) if (key !== 'collection') command[key] = value;
    return db.command(command);
  },
  runCommand: async (context, object, args) => {
    const { db } = context.entities.get(object, 'database');
    return db.command(
      required<Document>(args, 'command', 'runCommand'),
      driverOptions(context, args, ['command', 'commandName'], true),
    );
  },

  // Client operations.
  clientBulkWrite: async (context, object, args) => {
    const { client } = context.entities.get(object, 'client');
    const models = required<Document[]>(args, 'models', 'clientBulkWrite').map((model) => {
      const [name, fields] = Object.entries(model)[0] ?? [];
      return { name, ...(fields as Document) };
    });
    return clientBulkWriteResult(
      await client.bulkWrite(models as never, driverOptions(context, args, ['models'])),
    );
  },

  // Cursor and change stream operations.
  iterateUntilDocumentOrError: async (context, object) => {
    const entity = context.entities.get(object, 'changeStream', 'findCursor');
    if (entity.kind === 'changeStream') return entity.stream.next();
    const document = await entity.cursor.next();
    if (document === null) throw new RunnerError(`cursor "${object}" is exhausted`);
    return document;
  },
  iterateOnce: async (context, object) => {
    const entity = context.entities.get(object, 'changeStream', 'findCursor');
    return entity.kind === 'changeStream' ? entity.stream.tryNext() : entity.cursor.tryNext();
  },
  close: async (context, object) => {
    const entity = context.entities.get(object, 'changeStream', 'findCursor', 'client');
    if (entity.kind === 'changeStream') await entity.stream.close();
    else if (entity.kind === 'findCursor') await entity.cursor.close();
    else await entity.client.close();
    return undefined;
  },

  // Session operations.
  startTransaction: async (context, object, args) => {
    context.entities.get(object, 'session').session.startTransaction(driverOptions(context, args, []));
    return undefined;
  },
  commitTransaction: async (context, object) => {
    await context.entities.get(object, 'session').session.commitTransaction();
    return undefined;
  },
  abortTransaction: async (context, object) => {
    await context.entities.get(object, 'session').session.abortTransaction();
    return undefined;
  },
  endSession: async (context, object) => {
    await context.entities.get(object, 'session').session.endSession();
    return undefined;
  },
});

/** Special operations on the object "testRunner". */
const TEST_RUNNER_OPERATIONS: Readonly<Record<string, OperationHandler>> = Object.freeze({
  failPoint: async (context, _object, args) => {
    const { client } = context.entities.get(required<string>(args, 'client', 'failPoint'), 'client');
    const failPoint = required<Document>(args, 'failPoint', 'failPoint');
    await client.db('admin').command(failPoint);
    context.failPoints.push({ client, name: String(failPoint.configureFailPoint) });
    return undefined;
  },
  // One server stands for every mongos here, so a targeted fail point is set on it through the session's client.
  targetedFailPoint: async (context, _object, args) => {
    const { client } = context.entities.get(required<string>(args, 'session', 'targetedFailPoint'), 'session');
    const failPoint = required<Document>(args, 'failPoint', 'targetedFailPoint');
    await client.db('admin').command(failPoint);
    context.failPoints.push({ client, name: String(failPoint.configureFailPoint) });
    return undefined;
  },
  assertCollectionExists: async (context, _object, args) => assertCollection(context, args, true),
  assertCollectionNotExists: async (context, _object, args) => assertCollection(context, args, false),
});

async function assertCollection(context: OperationContext, args: Args, exists: boolean): Promise<undefined> {
  const client = context.entities.clients()[0];
  if (client === undefined) throw new RunnerError('assertCollection needs a client entity');
  const names = await client
    .db(required<string>(args, 'databaseName', 'assertCollection'))
    .listCollections({ name: required<string>(args, 'collectionName', 'assertCollection') }, { nameOnly: true })
    .toArray();
  if ((names.length > 0) !== exists) {
    throw new AssertionError(`collection ${String(args.collectionName)} ${exists ? 'does not exist' : 'exists'}`);
  }
  return undefined;
}

/** A failed assertion made by a special operation (a server behaviour, not a runner problem). */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Runs one operation and returns the driver's result as the document or value that `expectResult` describes. */
export async function executeOperation(context: OperationContext, operation: SpecOperation): Promise<unknown> {
  const table = operation.object === 'testRunner' ? TEST_RUNNER_OPERATIONS : OPERATIONS;
  const handler = Object.prototype.hasOwnProperty.call(table, operation.name) ? table[operation.name] : undefined;
  if (handler === undefined) {
    throw new RunnerError(`operation ${operation.name} on ${operation.object} is not implemented by the runner`);
  }
  return handler(context, operation.object, operation.arguments ?? {});
}
