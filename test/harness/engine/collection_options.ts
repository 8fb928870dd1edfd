import { Int32, Long, type Document } from 'bson';
import { CommandError } from '../errors.js';
import { isNumeric, toNumber } from './bson_order.js';
import { normalizeCollation } from './indexes/collation.js';
import { assertValidValidator } from './validation.js';

/** Fields of a command that are not its options (mongod's generic arguments, isGenericArgument). */
export const GENERIC_ARGUMENTS: ReadonlySet<string> = new Set([
  '$db', '$clusterTime', '$readPreference', '$audit', '$client', 'lsid', 'txnNumber', 'autocommit', 'startTransaction',
  'stmtId', 'writeConcern', 'readConcern', 'maxTimeMS', 'comment', 'apiVersion', 'apiStrict', 'apiDeprecationErrors',
  'databaseVersion', 'shardVersion', 'mayBypassWriteBlocking', 'txnRetryCounter', '$queryOptions', 'tracking_info',
]);

/** The options create accepts (the CreateCommand IDL of mongod 7.0). */
const CREATE_OPTIONS: ReadonlySet<string> = new Set([
  'capped', 'size', 'max', 'autoIndexId', 'idIndex', 'validator', 'validationLevel', 'validationAction',
  'collation', 'clusteredIndex', 'timeseries', 'expireAfterSeconds', 'viewOn', 'pipeline', 'storageEngine',
  'indexOptionDefaults', 'changeStreamPreAndPostImages', 'temp', 'flags', 'encryptedFields', 'recordPreImages',
]);

const VALIDATION_LEVELS: ReadonlySet<string> = new Set(['off', 'strict', 'moderate']);
const VALIDATION_ACTIONS: ReadonlySet<string> = new Set(['error', 'warn']);

/** Default bucketMaxSpanSeconds of each time series granularity (timeseries::getMaxSpanSecondsFromGranularity). */
export const BUCKET_MAX_SPAN_SECONDS: Readonly<Record<string, number>> = Object.freeze({ seconds: 3600, minutes: 86400, hours: 2592000 });

/** A capped size as mongod keeps it: at least 4096 bytes, else rounded up to a multiple of 256. */
export function adjustCappedSize(size: number): number {
  if (size <= 4096) return 4096;
  return Math.ceil(size / 256) * 256;
}

/** A count or size as mongod's BSONObjBuilder::appendNumber writes it: int32 when it fits, else int64. */
export function appendNumber(n: number): Int32 | Long {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? new Int32(n) : Long.fromNumber(n);
}

/** What create was asked for, normalized. */
export interface CreateRequest {
  /** The options as stored and listed (listCollections `options`), in mongod's CollectionOptions::toBSON order. */
  options: Document;
  /** The `_id` index spec for the oplog entry; undefined for views, clustered and time series collections. */
  idIndex: Document | undefined;
}

function unknownField(command: string, field: string): CommandError {
  return new CommandError('Location40415', `BSON field '${command}.${field}' is an unknown field.`, {}, 40415);
}

function typeError(field: string, expected: string): CommandError {
  return new CommandError('TypeMismatch', `BSON field 'create.${field}' is the wrong type '${typeof field}', expected type '${expected}'`);
}

function boolOf(v: unknown): boolean {
  return typeof v === 'boolean' ? v : isNumeric(v) ? toNumber(v) !== 0 : Boolean(v);
}

/** Checks a validationLevel / validationAction value (enumeration errors as mongod's IDL gives them). */
export function assertEnum(field: 'validationLevel' | 'validationAction', value: unknown): string {
  const allowed = field === 'validationLevel' ? VALIDATION_LEVELS : VALIDATION_ACTIONS;
  if (typeof value !== 'string' || !allowed.has(value)) {
    throw new CommandError('BadValue', `Enumeration value '${String(value)}' for field '${field}' is not a valid value.`);
  }
  return value;
}

/**
 * Validates a create command and builds the collection options mongod would store, in the order of
 * CollectionOptions::appendBSON: capped/size/max, autoIndexId, temp, changeStreamPreAndPostImages, storageEngine,
 * indexOptionDefaults, validator, validationLevel, validationAction, collation, clusteredIndex,
 * expireAfterSeconds, viewOn, pipeline, timeseries.
 */
export function parseCreateOptions(body: Document): CreateRequest {
  for (const field of Object.keys(body).slice(1)) {
    if (!CREATE_OPTIONS.has(field) && !GENERIC_ARGUMENTS.has(field)) throw unknownField('create', field);
  }
  const o: Document = {};
  const isView = body.viewOn !== undefined;
  if (boolOf(body.capped ?? false)) {
    if (body.size === undefined) throw new CommandError('InvalidOptions', "the 'size' field is required when 'capped' is true");
    if (!isNumeric(body.size)) throw typeError('size', 'long');
    const size = toNumber(body.size);
    if (size < 0) throw new CommandError('BadValue', 'size has to be >= 0');
    if (size > 1024 ** 5) throw new CommandError('BadValue', 'size cannot exceed 1 PB');
    o.capped = true;
    o.size = appendNumber(adjustCappedSize(size));
    if (body.max !== undefined) {
      if (!isNumeric(body.max)) throw typeError('max', 'long');
      const max = toNumber(body.max);
      if (max >= 2 ** 31) throw new CommandError('BadValue', 'max in a capped collection has to be < 2^31 or not set');
      if (max > 0) o.max = appendNumber(max);
    }
  }
  if (body.autoIndexId !== undefined) o.autoIndexId = boolOf(body.autoIndexId);
  if (body.temp !== undefined && boolOf(body.temp)) o.temp = true;
  if (body.changeStreamPreAndPostImages !== undefined) {
    const enabled = parseChangeStreamImages(body.changeStreamPreAndPostImages, 'create');
    if (enabled) o.changeStreamPreAndPostImages = { enabled: true };
  }
  if (body.storageEngine !== undefined) o.storageEngine = body.storageEngine;
  if (body.indexOptionDefaults !== undefined) o.indexOptionDefaults = body.indexOptionDefaults;
  if (body.validator !== undefined) {
    if (isView) throw new CommandError('InvalidOptions', 'Cannot specify validator on a view');
    assertValidValidator(body.validator);
    if (Object.keys(body.validator as Document).length > 0) o.validator = body.validator;
  }
  if (body.validationLevel !== undefined) o.validationLevel = assertEnum('validationLevel', body.validationLevel);
  if (body.validationAction !== undefined) o.validationAction = assertEnum('validationAction', body.validationAction);
  if (body.collation !== undefined) {
    const collation = normalizeCollation(body.collation);
    if (collation) o.collation = collation;
  }
  if (body.clusteredIndex !== undefined) o.clusteredIndex = parseClusteredIndex(body.clusteredIndex, Boolean(o.capped));
  if (body.expireAfterSeconds !== undefined) {
    if (!o.clusteredIndex && body.timeseries === undefined) {
      throw new CommandError('InvalidOptions', "'expireAfterSeconds' is only supported on time-series or clustered collections");
    }
    if (!isNumeric(body.expireAfterSeconds) || toNumber(body.expireAfterSeconds) < 0) {
      throw new CommandError('InvalidOptions', "TTL index 'expireAfterSeconds' option must be a non-negative number");
    }
    o.expireAfterSeconds = Long.fromNumber(Math.trunc(toNumber(body.expireAfterSeconds)));
  }
  if (isView) {
    if (typeof body.viewOn !== 'string') throw typeError('viewOn', 'string');
    if (body.viewOn.length === 0) throw new CommandError('BadValue', "'viewOn' cannot be empty.'");
    if (body.pipeline !== undefined && !Array.isArray(body.pipeline)) throw typeError('pipeline', 'array');
    for (const stage of (body.pipeline ?? []) as unknown[]) {
      if (stage === null || typeof stage !== 'object' || Array.isArray(stage) || Object.keys(stage).length !== 1) {
        throw new CommandError('TypeMismatch', 'Each element of the \'pipeline\' array must be an object');
      }
    }
    if (o.capped || o.clusteredIndex || body.timeseries !== undefined) {
      throw new CommandError('InvalidOptions', 'Invalid option for a view');
    }
    o.viewOn = body.viewOn;
    o.pipeline = body.pipeline ?? [];
  } else if (body.pipeline !== undefined) {
    throw new CommandError('BadValue', "'pipeline' requires 'viewOn' to also be specified");
  }
  if (body.timeseries !== undefined) {
    if (o.capped) throw new CommandError('InvalidOptions', 'Time-series collections cannot be capped');
    o.timeseries = parseTimeseries(body.timeseries);
  }
  if (body.encryptedFields !== undefined) o.encryptedFields = body.encryptedFields;
  const plain = !isView && !o.clusteredIndex && !o.timeseries;
  return { options: o, idIndex: plain ? parseIdIndex(body.idIndex, o.collation as Document | undefined) : undefined };
}

/** `changeStreamPreAndPostImages: {enabled: <bool>}` (an IDL struct with one required field). */
export function parseChangeStreamImages(value: unknown, command: string): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError('TypeMismatch', `BSON field '${command}.changeStreamPreAndPostImages' is the wrong type, expected type 'object'`);
  }
  const enabled = (value as Document).enabled;
  if (typeof enabled !== 'boolean') {
    throw new CommandError('IDLFailedToParse', `BSON field '${command}.changeStreamPreAndPostImages.enabled' is missing but a required field`);
  }
  return enabled;
}

function parseClusteredIndex(value: unknown, capped: boolean): Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError('TypeMismatch', "'clusteredIndex' has to be a document.");
  }
  const spec = value as Document;
  const keys = spec.key && typeof spec.key === 'object' ? Object.entries(spec.key as Document) : [];
  if (keys.length !== 1 || keys[0][0] !== '_id' || !isNumeric(keys[0][1]) || toNumber(keys[0][1]) !== 1) {
    throw new CommandError('InvalidIndexSpecificationOption', "The clusteredIndex option is only supported for key: {_id: 1}", {}, 6053100);
  }
  if (spec.unique !== true) {
    throw new CommandError('InvalidIndexSpecificationOption', "The clusteredIndex option requires 'unique: true'", {}, 5979700);
  }
  if (capped) throw new CommandError('InvalidOptions', 'Clustered capped collections are not supported', {}, 6127800);
  return { v: new Int32(2), key: spec.key, name: typeof spec.name === 'string' ? spec.name : '_id_', unique: true };
}

function parseTimeseries(value: unknown): Document {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError('TypeMismatch', "'timeseries' must be a document");
  }
  const ts = value as Document;
  if (typeof ts.timeField !== 'string') {
    throw new CommandError('IDLFailedToParse', "BSON field 'timeseries.timeField' is missing but a required field");
  }
  const out: Document = { timeField: ts.timeField };
  if (ts.metaField !== undefined) {
    if (typeof ts.metaField !== 'string') throw new CommandError('TypeMismatch', "BSON field 'timeseries.metaField' is the wrong type, expected type 'string'");
    if (ts.metaField === ts.timeField) throw new CommandError('InvalidOptions', "The 'metaField' cannot be the same as the 'timeField'");
    out.metaField = ts.metaField;
  }
  const granularity = ts.granularity ?? 'seconds';
  if (!(granularity in BUCKET_MAX_SPAN_SECONDS)) {
    throw new CommandError('BadValue', `Enumeration value '${String(granularity)}' for field 'timeseries.granularity' is not a valid value.`);
  }
  out.granularity = granularity;
  out.bucketMaxSpanSeconds = new Int32(ts.bucketMaxSpanSeconds !== undefined ? toNumber(ts.bucketMaxSpanSeconds) : BUCKET_MAX_SPAN_SECONDS[granularity as string]);
  if (ts.bucketRoundingSeconds !== undefined) out.bucketRoundingSeconds = new Int32(toNumber(ts.bucketRoundingSeconds));
  return out;
}

function parseIdIndex(value: unknown, collation: Document | undefined): Document {
  const base: Document = { v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_' };
  if (value === undefined) return collation ? { ...base, collation } : base;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CommandError('TypeMismatch', "'idIndex' has to be an object.");
  const spec = value as Document;
  if (Object.keys(spec).length === 0) throw new CommandError('FailedToParse', 'idIndex cannot be empty');
  const keys = spec.key && typeof spec.key === 'object' ? Object.entries(spec.key as Document) : [];
  if (keys.length !== 1 || keys[0][0] !== '_id') {
    throw new CommandError('BadValue', `idIndex must have key pattern {_id: 1}, found ${JSON.stringify(spec.key)}`);
  }
  if (spec.name !== undefined && spec.name !== '_id_') {
    throw new CommandError('BadValue', `The index name for the _id index must be '_id_', found ${String(spec.name)}`);
  }
  return { ...base, ...(spec.v !== undefined ? { v: spec.v } : {}), ...(collation ? { collation } : {}) };
}

/** The order of CollectionOptions::appendBSON, in which stored options are kept. */
const OPTION_ORDER = [
  'capped', 'size', 'max', 'autoIndexId', 'temp', 'changeStreamPreAndPostImages', 'storageEngine', 'indexOptionDefaults',
  'validator', 'validationLevel', 'validationAction', 'collation', 'clusteredIndex', 'expireAfterSeconds', 'viewOn',
  'pipeline', 'timeseries', 'encryptedFields',
];

/** Returns options with their fields in mongod's stored order (after collMod added or removed some). */
export function orderOptions(options: Document): Document {
  const out: Document = {};
  for (const k of OPTION_ORDER) if (options[k] !== undefined) out[k] = options[k];
  for (const [k, v] of Object.entries(options)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}
