import { Int32, type Document } from 'bson';
import { compareValues, isNumeric, toNumber } from '../bson_order.js';
import { CommandError } from '../../errors.js';
import { compileFilter } from '../query/filter.js';
import { formatKeyValue } from '../duplicate_key.js';
import { normalizeCollation } from './collation.js';

/** Index types named by a string value in a key pattern (IndexNames in src/mongo/db/index_names.h). */
export const INDEX_PLUGINS: ReadonlySet<string> = new Set(['2d', '2dsphere', 'text', 'hashed', 'columnstore']);

/** The fields mongod accepts in an index specification (index_key_validate.cpp allowedFieldNames). */
const ALLOWED_FIELDS: ReadonlySet<string> = new Set([
  'v', 'key', 'name', 'ns', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'hidden',
  'collation', 'background', 'storageEngine', 'weights', 'default_language', 'language_override',
  'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max', 'bucketSize', 'wildcardProjection',
  'prepareUnique', 'coarsestIndexedLevel', 'finestIndexedLevel', 'dropDups', 'columnstoreProjection',
  'originalSpec', 'clustered',
]);

/** Options that are booleans in a stored spec (mongod 7.0 stores `unique: 1` as `unique: true`). */
const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set(['unique', 'sparse', 'hidden', 'prepareUnique', 'background']);

/** The largest expireAfterSeconds mongod accepts (a 32-bit signed int). */
export const MAX_EXPIRE_AFTER_SECONDS = 2147483647;

/** The `_id` index spec of an ordinary collection, as listIndexes shows it. */
export function idIndexSpec(collation?: Document): Document {
  return collation ? { v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_', collation } : { v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_' };
}

/** What a spec is normalized against: the collection it goes to. */
export interface IndexSpecContext {
  ns: string;
  /** The collection's default collation (full form), inherited by indexes that give none. */
  collation?: Document;
  isCapped?: boolean;
}

/** The index type of a key pattern: 'btree' or the plugin name (a `$**` path makes it 'wildcard'). */
export function indexKind(key: Document): string {
  for (const [field, v] of Object.entries(key)) {
    if (typeof v === 'string') return v;
    if (field === '$**' || field.endsWith('.$**')) return 'wildcard';
  }
  return 'btree';
}

/**
 * The name a driver generates for a key pattern (`{a: 1, b: -1}` -> `a_1_b_-1`, `{t: 'text'}` -> `t_text`); used
 * when a createIndexes spec gives none.
 */
export function generateIndexName(key: Document): string {
  return Object.entries(key).map(([k, v]) => `${k}_${isNumeric(v) ? String(toNumber(v)) : String(v)}`).join('_');
}

function specError(raw: Document, reason: string, codeName = 'CannotCreateIndex'): CommandError {
  return new CommandError(codeName, `Error in specification ${formatKeyValue(raw)} :: caused by :: ${reason}`);
}

/**
 * Validates one createIndexes spec and returns it as mongod stores and lists it: `{v: 2, key, name, ...options}`
 * in the order given, boolean options as booleans, text and 2dsphere defaults filled in, the collection's
 * collation inherited. Throws mongod's CannotCreateIndex (67), InvalidIndexSpecificationOption (197), BadValue.
 */
export function normalizeIndexSpec(raw: Document, ctx: IndexSpecContext): Document {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CommandError('TypeMismatch', "Each element of the 'indexes' array must be an object");
  }
  for (const field of Object.keys(raw)) {
    if (!ALLOWED_FIELDS.has(field)) {
      throw new CommandError('InvalidIndexSpecificationOption', `The field '${field}' is not valid for an index specification. Specification: ${formatKeyValue(raw)}`);
    }
  }
  const key = raw.key;
  if (key === undefined) throw new CommandError('FailedToParse', "The 'key' field is a required property of an index specification");
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new CommandError('TypeMismatch', `The field 'key' must be an object, but got ${typeof key}`);
  }
  validateKeyPattern(raw, key as Document);
  const name = raw.name === undefined ? generateIndexName(key as Document) : raw.name;
  if (typeof name !== 'string') throw new CommandError('TypeMismatch', `The field 'name' must be a string, but got ${typeof name}`);
  if (name.length === 0) throw specError(raw, 'index name cannot be empty');
  if (name === '*') throw specError(raw, "The index name '*' is not valid.", 'BadValue');
  if (raw.v !== undefined && !(isNumeric(raw.v) && [1, 2].includes(toNumber(raw.v)))) {
    throw specError(raw, `Invalid index specification ${formatKeyValue(raw)}; cannot create an index with v=${formatKeyValue(raw.v)}`);
  }
  const kind = indexKind(key as Document);
  const isId = Object.keys(key).length === 1 && Object.keys(key)[0] === '_id' && kind === 'btree';
  const spec: Document = { v: new Int32(2), key, name };
  for (const [field, value] of Object.entries(raw)) {
    if (field === 'v' || field === 'key' || field === 'name' || field === 'ns') continue;
    if (BOOLEAN_OPTIONS.has(field)) {
      if (typeof value !== 'boolean' && !isNumeric(value)) {
        throw new CommandError('TypeMismatch', `The field '${field}' must be a boolean or a number, but got ${formatKeyValue(value)}`);
      }
      const on = typeof value === 'boolean' ? value : toNumber(value) !== 0;
      if (field === 'hidden' && !on) continue; // mongod does not keep `hidden: false`
      spec[field] = on;
      continue;
    }
    spec[field] = value;
  }
  if (spec.hidden && isId) throw specError(raw, "can't hide _id index", 'BadValue');
  if (spec.unique && kind === 'hashed') throw specError(raw, 'Currently hashed indexes cannot guarantee uniqueness. Use a regular index.');
  if (spec.unique && isId === false && kind === 'wildcard') throw specError(raw, "Index type 'wildcard' does not support the unique option");
  if (spec.sparse && spec.partialFilterExpression !== undefined) {
    throw specError(raw, 'cannot mix "partialFilterExpression" and "sparse" options', 'CannotCreateIndex');
  }
  if (spec.partialFilterExpression !== undefined) {
    const pfe = spec.partialFilterExpression;
    if (pfe === null || typeof pfe !== 'object' || Array.isArray(pfe)) {
      throw new CommandError('TypeMismatch', "The field 'partialFilterExpression' must be an object");
    }
    compileFilter(pfe as Document);
  }
  if (spec.expireAfterSeconds !== undefined) validateTtl(raw, spec, isId, ctx);
  if (spec.collation !== undefined) {
    const collation = normalizeCollation(spec.collation);
    if (collation) spec.collation = collation;
    else delete spec.collation;
  } else if (ctx.collation && kind !== 'text' && kind !== '2d') {
    spec.collation = ctx.collation;
  }
  if (kind === 'text') return normalizeTextSpec(spec);
  if (kind === '2dsphere' && spec['2dsphereIndexVersion'] === undefined) spec['2dsphereIndexVersion'] = new Int32(3);
  return spec;
}

function validateTtl(raw: Document, spec: Document, isId: boolean, ctx: IndexSpecContext): void {
  const value = spec.expireAfterSeconds;
  if (isId) {
    throw new CommandError('InvalidIndexSpecificationOption', `The field 'expireAfterSeconds' is not valid for an _id index specification. Specification: ${formatKeyValue(raw)}`);
  }
  if (!isNumeric(value)) throw specError(raw, 'TTL index \'expireAfterSeconds\' option must be numeric', 'CannotCreateIndex');
  const n = toNumber(value);
  if (Number.isNaN(n) || n < 0 || n > MAX_EXPIRE_AFTER_SECONDS) {
    throw specError(raw, `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number`, 'CannotCreateIndex');
  }
  if (Object.keys(spec.key as Document).length !== 1) {
    throw specError(raw, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
  }
  if (ctx.isCapped) throw specError(raw, 'TTL indexes are not supported for capped collections.');
}

/**
 * mongod stores a text index under its internal key `{_fts: 'text', _ftsx: 1}` (other fields of a compound text
 * index kept around it) with weights and language defaults; listIndexes shows that form.
 */
function normalizeTextSpec(spec: Document): Document {
  const key = spec.key as Document;
  if ('_fts' in key) return fillTextDefaults(spec, spec.weights as Document | undefined);
  const newKey: Document = {};
  const weights: Document = { ...(spec.weights as Document | undefined) };
  let placed = false;
  for (const [field, v] of Object.entries(key)) {
    if (v === 'text') {
      if (!placed) {
        newKey._fts = 'text';
        newKey._ftsx = new Int32(1);
        placed = true;
      }
      if (weights[field] === undefined) weights[field] = new Int32(1);
    } else {
      newKey[field] = v;
    }
  }
  const sortedWeights: Document = {};
  for (const k of Object.keys(weights).sort()) sortedWeights[k] = weights[k];
  return fillTextDefaults({ ...spec, key: newKey }, sortedWeights);
}

function fillTextDefaults(spec: Document, weights: Document | undefined): Document {
  const out: Document = { ...spec };
  out.weights = weights ?? {};
  out.default_language = spec.default_language ?? 'english';
  out.language_override = spec.language_override ?? 'language';
  out.textIndexVersion = spec.textIndexVersion ?? new Int32(3);
  return out;
}

function validateKeyPattern(raw: Document, key: Document): void {
  const entries = Object.entries(key);
  if (entries.length === 0) throw specError(raw, 'Index keys cannot be empty.');
  if (entries.length > 32) throw specError(raw, `Index key pattern has ${entries.length} fields. The maximum number of fields is 32.`);
  let plugin: string | undefined;
  for (const [, v] of entries) if (typeof v === 'string') { plugin = v; break; }
  if (plugin !== undefined && !INDEX_PLUGINS.has(plugin)) throw specError(raw, `Unknown index plugin '${plugin}'`);
  for (const [field, v] of entries) {
    if (isNumeric(v)) {
      const n = toNumber(v);
      if (Number.isNaN(n)) throw specError(raw, 'Values in the index key pattern cannot be NaN.');
      if (n === 0) throw specError(raw, 'Values in the index key pattern cannot be 0.');
    } else if (typeof v !== 'string') {
      throw specError(raw, `Values in v:2 index key pattern cannot be of type ${bsonTypeName(v)}. Only numbers > 0, numbers < 0, and strings are allowed.`);
    } else if (v !== plugin) {
      throw specError(raw, "Can't use more than one index plugin for a single index.");
    }
    if (field === '$**' || field.endsWith('.$**')) {
      if (entries.length !== 1) throw specError(raw, 'wildcard indexes do not allow compounding');
      continue;
    }
    const parts = field.split('.');
    if (parts.some((p) => p.length === 0)) throw specError(raw, 'Index keys cannot be an empty field.');
    if (parts.some((p) => p.startsWith('$') && !['$id', '$ref', '$db'].includes(p))) {
      throw specError(raw, "Index key contains an illegal field name: field name starts with '$'.");
    }
  }
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') {
    const t = (v as { _bsontype?: string })._bsontype;
    return t ? t.toLowerCase() : 'object';
  }
  return typeof v;
}

/** Options that change what an index contains or enforces: two specs differing in them are different indexes. */
const DEFINING_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'collation', 'wildcardProjection', 'weights', 'default_language', 'language_override', '2dsphereIndexVersion', 'bits', 'min', 'max'];

/**
 * How a requested spec relates to an existing one (mongod's IndexDescriptor::compareIndexOptions):
 * 'identical' (same key and options), 'equivalent' (same key and defining options, other options differ, e.g.
 * expireAfterSeconds or hidden) or 'different'.
 */
export function compareIndexSpecs(requested: Document, existing: Document): 'identical' | 'equivalent' | 'different' {
  if (compareValues(requested.key, existing.key) !== 0) return 'different';
  for (const option of DEFINING_OPTIONS) {
    const a = normalizedOption(requested, option);
    const b = normalizedOption(existing, option);
    if (compareValues(a ?? null, b ?? null) !== 0) return 'different';
  }
  const others = new Set([...Object.keys(requested), ...Object.keys(existing)]);
  for (const option of others) {
    if (['v', 'key', 'name', 'background', ...DEFINING_OPTIONS].includes(option)) continue;
    if (compareValues(requested[option] ?? null, existing[option] ?? null) !== 0) return 'equivalent';
  }
  return 'identical';
}

function normalizedOption(spec: Document, option: string): unknown {
  const v = spec[option];
  if ((option === 'unique' || option === 'sparse') && v === false) return undefined;
  return v;
}

/** True for a TTL index: a single-field btree index with a numeric expireAfterSeconds. */
export function isTtlIndex(spec: Document): boolean {
  return spec.expireAfterSeconds !== undefined && isNumeric(spec.expireAfterSeconds) && indexKind(spec.key as Document) === 'btree' && Object.keys(spec.key as Document).length === 1;
}
