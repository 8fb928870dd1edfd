import {
  ChangeStream,
  FindCursor,
  MongoClient,
  MongoOperationTimeoutError,
  MongoServerError,
  ReadPreference,
  type BulkWriteResult,
  type Document,
} from 'mongodb';
import { bsonTag, compareNumbers, describeValue, isDocument } from './bson_values.js';
import { EntityMap } from './entity_map.js';
import { matchExactly, matchResult } from './matcher.js';
import {
  AssertionError,
  bulkWriteResult,
  executeOperation,
  TYPED_READ_OPTIONS,
  type OperationContext,
} from './operations.js';
import { unmetRequirements, type DeploymentFacts } from './run_on_requirements.js';
import { OperationTimeoutError, RunnerError } from './runner_error.js';
import {
  indexKey,
  type IndexEntry,
  type SpecCollectionData,
  type SpecFile,
  type SpecOperation,
  type SpecTest,
} from './spec_loader.js';
import { TEST_STATUS, type TestResult } from './test_result.js';

/**
 * Runs the tests of one unified-format file against one deployment, following "Executing a Test" of the unified test
 * format, and judges what the server decides: `expectResult`, `expectError` and `outcome`. `expectEvents` (what the
 * driver sent) is not judged.
 */

/** How a file is run. */
export interface FileRunOptions {
  /** Connection string of the deployment under test (one embedded server per file). */
  uri: string;
  facts: DeploymentFacts;
  /** The suite's index (file + description -> runnable, features). */
  index: ReadonlyMap<string, IndexEntry>;
  /** Bound of every operation and setup step, so that a hang fails the test instead of stalling the run. */
  operationTimeoutMs: number;
  /** Only tests whose "file: description" contains this substring run; others are left out of the results. */
  filter?: string;
  /**
   * Epoch ms after which no further test starts: the remaining ones fail with a "deadline" cause, so that a server
   * whose every operation hangs still gives a report within the run's time budget.
   */
  deadlineMs?: number;
  /** Called as each test starts, with "suite/file: description". */
  onTestStart?: (label: string) => void;
}

/** Databases that are never dropped between tests (mongod refuses to drop admin and config, local is the oplog's). */
const SYSTEM_DATABASES = new Set(['admin', 'config', 'local']);

/** Operations whose result is an iterable of root-level documents (extra fields allowed in each element). */
const ITERABLE_OPERATIONS = new Set(['aggregate', 'find', 'listCollections', 'listDatabases', 'listIndexes']);

/** A test failure with its grouping key. */
class TestFailure extends Error {
  constructor(
    readonly group: string,
    message: string,
  ) {
    super(message);
  }
}

/** Rejects with OperationTimeoutError when `work` takes longer than `timeoutMs`. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new OperationTimeoutError(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** "<codeName>: <message>" for a server error, "<name>: <message>" otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof MongoServerError) {
    return `${error.codeName ?? `code ${String(error.code)}`}: ${error.message}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The short form of an error used in grouping keys: codeName, or error name and the message's first words. */
function errorKey(error: unknown): string {
  if (error instanceof MongoServerError && error.codeName) return error.codeName;
  const prefix = error instanceof MongoServerError ? `code ${String(error.code)}` : error instanceof Error ? error.name : '';
  const message = (error instanceof Error ? error.message : String(error)).replace(/\d+/g, 'N');
  const text = `${prefix}: ${message}`;
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/** Converts top-level numeric option values (parsed as Int32/Double/Long) into JS numbers for the driver. */
function plainOptions(options: Record<string, unknown> | undefined): Document {
  const result: Document = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    const tag = bsonTag(value);
    result[key] = tag === 'Int32' || tag === 'Double' || tag === 'Long' ? Number(value) : value;
  }
  return result;
}

/** Driver options from a database/collection entity's `databaseOptions` / `collectionOptions`. */
function entityOptions(options: Record<string, unknown> | undefined): Document {
  const result: Document = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (key === 'readPreference' && isDocument(value)) {
      result.readPreference = ReadPreference.fromOptions({ readPreference: plainOptions(value) as never });
    } else if (key === 'writeConcern' || key === 'readConcern') {
      result[key] = plainOptions(value as Record<string, unknown>);
    } else if (key === 'timeoutMS') {
      result.timeoutMS = Number(value);
    } else {
      throw new RunnerError(`entity option ${key} is not implemented by the runner`);
    }
  }
  return result;
}

function clientUri(baseUri: string, uriOptions: Record<string, unknown> | undefined): string {
  const url = new URL(baseUri);
  for (const [key, value] of Object.entries(uriOptions ?? {})) {
    if (isDocument(value) || Array.isArray(value)) {
      throw new RunnerError(`uriOptions.${key} of this shape is not implemented by the runner`);
    }
    url.searchParams.set(key, String(bsonTag(value) ? Number(value) : value));
  }
  return url.toString();
}

/** Every database name a file touches, so that each test can start from empty databases. */
function databasesOf(file: SpecFile): string[] {
  const names = new Set<string>();
  for (const entity of file.createEntities ?? []) {
    const database = entity.database as { databaseName?: string } | undefined;
    if (database?.databaseName) names.add(database.databaseName);
  }
  for (const data of file.initialData ?? []) names.add(data.databaseName);
  for (const test of file.tests) for (const data of test.outcome ?? []) names.add(data.databaseName);
  return [...names];
}

/** See TestResult.clientSideOnly. */
export function isClientSideOnly(test: SpecTest): boolean {
  const asserted = test.operations.filter((o) => o.expectResult !== undefined || o.expectError !== undefined);
  if (asserted.length === 0) return test.outcome === undefined;
  const usesFailPoint = test.operations.some((o) => o.object === 'testRunner' && /failPoint/i.test(o.name));
  return !usesFailPoint && asserted.every((o) => o.expectError?.isClientError === true);
}

/** Runs the applicable tests of `file` against `options.uri`; returns one result per test (not-applicable included). */
export async function runSpecFile(file: SpecFile, options: FileRunOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const runnable: { test: SpecTest; result: TestResult }[] = [];
  const fileUnmet = unmetRequirements(file.runOnRequirements, options.facts);
  for (const test of file.tests) {
    if (options.filter && !`${file.fileName}: ${test.description}`.includes(options.filter)) continue;
    const entry = options.index.get(indexKey(file.fileName, test.description));
    const result: TestResult = {
      suite: file.suite,
      file: file.fileName,
      description: test.description,
      status: TEST_STATUS.notApplicable,
      reason: '',
      cause: '',
      plain: entry ? entry.features.length === 0 : undefined,
      clientSideOnly: isClientSideOnly(test),
      indexRunnable: entry?.runnable,
    };
    const unmet = fileUnmet ?? unmetRequirements(test.runOnRequirements, options.facts);
    if (unmet !== undefined) result.reason = unmet;
    else if (test.skipReason !== undefined) result.reason = `skipReason: ${test.skipReason}`;
    else if (!file.schemaVersion.startsWith('1.')) {
      // The format wants incompatible files reported as errors, not skipped.
      result.status = TEST_STATUS.failed;
      result.cause = `runner: schemaVersion ${file.schemaVersion} unsupported`;
      result.reason = result.cause;
    } else runnable.push({ test, result });
    results.push(result);
  }
  if (runnable.length === 0) return results;

  const internal = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.operationTimeoutMs,
  });
  try {
    for (const { test, result } of runnable) {
      options.onTestStart?.(`${file.suite}/${file.fileName}: ${test.description}`);
      if (options.deadlineMs !== undefined && Date.now() > options.deadlineMs) {
        result.status = TEST_STATUS.failed;
        result.cause = 'deadline: the run exceeded its time budget before this test started';
        result.reason = result.cause;
        continue;
      }
      try {
        await runTest(file, test, internal, options);
        result.status = TEST_STATUS.passed;
      } catch (error) {
        result.status = TEST_STATUS.failed;
        if (error instanceof TestFailure) {
          result.cause = error.group;
          result.reason = error.message;
        } else {
          result.cause = `runner: ${errorKey(error)}`;
          result.reason = describeError(error);
        }
      }
    }
  } finally {
    await withTimeout(internal.close(), options.operationTimeoutMs, 'closing the internal client').catch(() => undefined);
  }
  return results;
}

async function runTest(file: SpecFile, test: SpecTest, internal: MongoClient, options: FileRunOptions): Promise<void> {
  const timeoutMs = options.operationTimeoutMs;
  const entities = new EntityMap();
  const context: OperationContext = { entities, failPoints: [] };
  const setupStep = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await withTimeout(work(), timeoutMs, what);
    } catch (error) {
      if (error instanceof RunnerError) throw new TestFailure(`runner: ${error.message}`, error.message);
      throw new TestFailure(`setup: ${what} -> ${errorKey(error)}`, `${what} failed: ${describeError(error)}`);
    }
  };
  let outcomeChecked = false;
  try {
    for (const name of databasesOf(file).filter((n) => !SYSTEM_DATABASES.has(n))) {
      await setupStep(`dropDatabase ${name}`, () => internal.db(name).dropDatabase({ writeConcern: { w: 'majority' } }));
    }
    for (const data of file.initialData ?? []) {
      await setupStep(`initialData ${data.databaseName}.${data.collectionName}`, () => loadInitialData(internal, data));
    }
    await setupStep('createEntities', () => createEntities(file, entities, options));
    for (const [i, operation] of test.operations.entries()) {
      await runOperation(context, operation, i, timeoutMs);
    }
    await disableFailPoints(context, internal, timeoutMs);
    await entities.close(timeoutMs);
    for (const data of test.outcome ?? []) await checkOutcome(internal, data, test, timeoutMs);
    outcomeChecked = true;
  } finally {
    if (!outcomeChecked) {
      await disableFailPoints(context, internal, timeoutMs).catch(() => undefined);
      await entities.close(timeoutMs);
    }
  }
}

async function loadInitialData(internal: MongoClient, data: SpecCollectionData): Promise<void> {
  const db = internal.db(data.databaseName);
  const majority = { writeConcern: { w: 'majority' as const } };
  try {
    await db.dropCollection(data.collectionName, majority);
  } catch (error) {
    if (!(error instanceof MongoServerError && error.codeName === 'NamespaceNotFound')) throw error;
  }
  if (data.createOptions !== undefined) {
    await db.createCollection(data.collectionName, { ...plainOptions(data.createOptions), ...majority });
  }
  if (data.documents.length > 0) {
    await db.collection(data.collectionName).insertMany(data.documents, majority);
  } else if (data.createOptions === undefined) {
    await db.createCollection(data.collectionName, majority);
  }
}

async function createEntities(file: SpecFile, entities: EntityMap, options: FileRunOptions): Promise<void> {
  for (const definition of file.createEntities ?? []) {
    const [kind, spec] = Object.entries(definition)[0] ?? [];
    if (kind === undefined || spec === undefined) throw new RunnerError('empty entity definition');
    const id = String(spec.id);
    switch (kind) {
      case 'client': {
        // useMultipleMongoses is satisfied by the single server; observeEvents only feeds expectEvents, not judged.
        const client = new MongoClient(clientUri(options.uri, spec.uriOptions as Record<string, unknown>), {
          serverSelectionTimeoutMS: options.operationTimeoutMs,
        });
        entities.set(id, { kind: 'client', client });
        await client.connect();
        break;
      }
      case 'database': {
        const { client } = entities.get(String(spec.client), 'client');
        const db = client.db(String(spec.databaseName), entityOptions(spec.databaseOptions as Record<string, unknown>));
        entities.set(id, { kind: 'database', db, client });
        break;
      }
      case 'collection': {
        const { db, client } = entities.get(String(spec.database), 'database');
        const collection = db.collection(
          String(spec.collectionName),
          entityOptions(spec.collectionOptions as Record<string, unknown>),
        );
        entities.set(id, { kind: 'collection', collection, client });
        break;
      }
      case 'session': {
        const { client } = entities.get(String(spec.client), 'client');
        const session = client.startSession(plainOptions(spec.sessionOptions as Record<string, unknown>));
        entities.set(id, { kind: 'session', session, client });
        break;
      }
      default:
        throw new RunnerError(`entity type ${kind} is not implemented by the runner`);
    }
  }
}

/** Whether a driver error carries an error label (network errors carry labels too, so not only server errors). */
function hasErrorLabel(error: unknown, label: string): boolean {
  const labelled = error as { hasErrorLabel?: (name: string) => boolean };
  return typeof labelled?.hasErrorLabel === 'function' && labelled.hasErrorLabel(label);
}

/** The error assertions of `expectError` that fail for `error`. */
function expectedErrorMismatches(expected: Record<string, unknown>, error: unknown, entities: EntityMap): string[] {
  const problems: string[] = [];
  const serverError = error instanceof MongoServerError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  for (const [key, value] of Object.entries(expected)) {
    switch (key) {
      case 'isError':
        break;
      case 'isClientError':
        if (Boolean(value) === (serverError !== undefined)) {
          problems.push(value ? 'expected a client-side error, got a server error' : 'expected a server error, got a client-side error');
        }
        break;
      case 'isTimeoutError':
        if (Boolean(value) !== error instanceof MongoOperationTimeoutError) problems.push(`isTimeoutError ${String(value)} not met`);
        break;
      case 'errorContains':
        if (!message.toLowerCase().includes(String(value).toLowerCase())) {
          problems.push(`expected the message to contain ${JSON.stringify(value)}`);
        }
        break;
      case 'errorCode':
        if (serverError?.code === undefined || compareNumbers(serverError.code, value) !== 0) {
          problems.push(`expected code ${describeValue(value)}, got ${String(serverError?.code ?? 'no server code')}`);
        }
        break;
      case 'errorCodeName':
        if (serverError?.codeName?.toLowerCase() !== String(value).toLowerCase()) {
          problems.push(`expected codeName ${String(value)}, got ${serverError?.codeName ?? 'none'}`);
        }
        break;
      case 'errorLabelsContain':
        for (const label of value as string[]) {
          if (!hasErrorLabel(error, label)) problems.push(`expected error label ${label}`);
        }
        break;
      case 'errorLabelsOmit':
        for (const label of value as string[]) {
          if (hasErrorLabel(error, label)) problems.push(`unexpected error label ${label}`);
        }
        break;
      case 'errorResponse': {
        const response = serverError?.errorResponse;
        if (response === undefined) problems.push('expected a server error response');
        else problems.push(...matchResult(value, response, entities).map((m) => `errorResponse ${m}`));
        break;
      }
      case 'expectResult': {
        const carried = (error as { result?: unknown }).result;
        const actual =
          carried !== undefined && carried !== null && typeof (carried as BulkWriteResult).insertedCount === 'number'
            ? bulkWriteResult(carried as BulkWriteResult)
            : undefined;
        problems.push(...matchResult(value, actual, entities).map((m) => `error result ${m}`));
        break;
      }
      default:
        throw new RunnerError(`expectError.${key} is not implemented by the runner`);
    }
  }
  return problems;
}

async function runOperation(context: OperationContext, operation: SpecOperation, i: number, timeoutMs: number): Promise<void> {
  const label = `operation ${i} (${operation.name} on ${operation.object})`;
  let result: unknown;
  let error: unknown;
  let failed = false;
  try {
    result = await withTimeout(executeOperation(context, operation), timeoutMs, label);
  } catch (caught) {
    failed = true;
    error = caught;
  }
  if (error instanceof OperationTimeoutError) throw new TestFailure(`timeout: ${operation.name}`, error.message);
  if (error instanceof RunnerError) throw new TestFailure(`runner: ${error.message}`, `${label}: ${error.message}`);
  if (error instanceof AssertionError) throw new TestFailure(`assertion: ${operation.name}`, `${label}: ${error.message}`);
  if (operation.ignoreResultAndError) return;
  if (operation.expectError !== undefined) {
    if (!failed) {
      throw new TestFailure(
        `expected error, got none: ${operation.name}`,
        `${label}: expected an error ${describeValue(operation.expectError)}, got result ${describeValue(result)}`,
      );
    }
    const problems = expectedErrorMismatches(operation.expectError, error, context.entities);
    if (problems.length > 0) {
      throw new TestFailure(
        `wrong error: ${operation.name} -> ${errorKey(error)}`,
        `${label}: ${problems.join('; ')} (error was ${describeError(error)})`,
      );
    }
    return;
  }
  if (failed) {
    throw new TestFailure(`unexpected error: ${operation.name} -> ${errorKey(error)}`, `${label}: ${describeError(error)}`);
  }
  if ('expectResult' in operation) {
    const mismatches = matchResult(operation.expectResult, result, context.entities, {
      elementsAreRoots: ITERABLE_OPERATIONS.has(operation.name),
    });
    if (mismatches.length > 0) {
      throw new TestFailure(`result mismatch: ${operation.name}`, `${label}: ${mismatches.join('; ')}`);
    }
  }
  if (operation.saveResultAsEntity !== undefined) {
    const name = operation.saveResultAsEntity;
    if (result instanceof ChangeStream) context.entities.set(name, { kind: 'changeStream', stream: result });
    else if (result instanceof FindCursor) context.entities.set(name, { kind: 'findCursor', cursor: result });
    else context.entities.set(name, { kind: 'bson', value: result });
  }
}

async function disableFailPoints(context: OperationContext, internal: MongoClient, timeoutMs: number): Promise<void> {
  const names = new Set(context.failPoints.map((f) => f.name));
  context.failPoints.length = 0;
  for (const name of names) {
    await withTimeout(internal.db('admin').command({ configureFailPoint: name, mode: 'off' }), timeoutMs, `disabling ${name}`);
  }
}

async function checkOutcome(
  internal: MongoClient,
  data: SpecCollectionData,
  test: SpecTest,
  timeoutMs: number,
): Promise<void> {
  const ns = `${data.databaseName}.${data.collectionName}`;
  let documents: Document[];
  try {
    documents = await withTimeout(
      internal
        .db(data.databaseName)
        .collection(data.collectionName)
        .find({}, { ...TYPED_READ_OPTIONS, sort: { _id: 1 }, readPreference: 'primary', readConcern: { level: 'local' } })
        .toArray(),
      timeoutMs,
      `reading ${ns}`,
    );
  } catch (error) {
    throw new TestFailure(`outcome read failed -> ${errorKey(error)}`, `reading outcome ${ns}: ${describeError(error)}`);
  }
  const mismatches = matchExactly(data.documents, documents);
  if (mismatches.length > 0) {
    const operations = [...new Set(test.operations.map((o) => o.name))].join(',');
    throw new TestFailure(`outcome mismatch after ${operations}`, `outcome ${ns}: ${mismatches.join('; ')}`);
  }
}
