import type { Document } from 'bson';
import { CommandError } from '../../errors.js';
import { compareValues, isNumeric, toNumber } from '../bson_order.js';
import { BSON_TYPE_ALIASES, parseTypeSet, typeSetMatches, type TypeSet } from './bson_types.js';
import { isDocument } from './paths.js';
import { compileRegex } from './regex.js';

/** A compiled schema: true when the value satisfies it (a missing value, `undefined`, always does). */
export type SchemaPredicate = (value: unknown) => boolean;

/** JSON Schema `type` names mongod accepts, mapped to BSON types ("integer" is refused, as mongod does). */
const JSON_TYPES: Readonly<Record<string, number>> = Object.freeze({
  object: 3, array: 4, boolean: 8, null: 10, string: 2, number: -2,
});

const KNOWN_KEYWORDS = new Set([
  'bsonType', 'type', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength',
  'maxLength', 'pattern', 'multipleOf', 'required', 'properties', 'additionalProperties', 'patternProperties',
  'minProperties', 'maxProperties', 'items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'allOf',
  'anyOf', 'oneOf', 'not', 'dependencies', 'description', 'title', 'encrypt', 'encryptMetadata',
]);

/**
 * Compiles a `$jsonSchema` document (the draft-4 subset mongod supports, with `bsonType`). As in mongod, a keyword
 * constrains only values of the type it is about (`minimum` ignores strings, `properties` ignores non-objects),
 * and a property schema applies only when the property is present.
 */
export function compileJsonSchema(schema: Document): SchemaPredicate {
  return compile(schema, true);
}

function compile(schema: Document, topLevel: boolean): SchemaPredicate {
  const checks: SchemaPredicate[] = [];
  for (const key of Object.keys(schema)) {
    if (!KNOWN_KEYWORDS.has(key)) throw new CommandError('FailedToParse', `Unknown $jsonSchema keyword: ${key}`);
  }
  if (schema.type !== undefined && schema.bsonType !== undefined) {
    throw new CommandError('FailedToParse', 'Cannot specify both $jsonSchema keywords \'type\' and \'bsonType\'');
  }
  if (schema.bsonType !== undefined) {
    const set = parseTypeSet(schema.bsonType, 'bsonType', BSON_TYPE_ALIASES);
    if (topLevel && !typeAllowsObject(set)) return () => false;
    checks.push((v) => typeSetMatches(set, v));
  }
  if (schema.type !== undefined) {
    const names = Array.isArray(schema.type) ? schema.type : [schema.type];
    const types = new Set<number>();
    let allNumbers = false;
    for (const n of names) {
      if (typeof n !== 'string') throw new CommandError('TypeMismatch', "$jsonSchema keyword 'type' must be either a string or an array of strings");
      if (n === 'integer') throw new CommandError('BadValue', "$jsonSchema type 'integer' is not currently supported.");
      const t = JSON_TYPES[n];
      if (t === undefined) throw new CommandError('BadValue', `Unknown type name alias: ${n}`);
      if (t === -2) allNumbers = true;
      else types.add(t);
    }
    const set: TypeSet = { types, allNumbers };
    if (topLevel && !typeAllowsObject(set)) return () => false;
    checks.push((v) => typeSetMatches(set, v));
  }
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum) || schema.enum.length === 0) {
      throw new CommandError('FailedToParse', "$jsonSchema keyword 'enum' must be a non-empty array");
    }
    const values = schema.enum as unknown[];
    checks.push((v) => values.some((e) => compareValues(v, e) === 0));
  }
  addNumberChecks(schema, checks);
  addStringChecks(schema, checks);
  addObjectChecks(schema, checks);
  addArrayChecks(schema, checks);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (schema[key] === undefined) continue;
    const list = schema[key];
    if (!Array.isArray(list) || list.length === 0 || !list.every(isDocument)) {
      throw new CommandError('FailedToParse', `$jsonSchema keyword '${key}' must be a non-empty array of objects`);
    }
    const subs = (list as Document[]).map((s) => compile(s, false));
    if (key === 'allOf') checks.push((v) => subs.every((s) => s(v)));
    else if (key === 'anyOf') checks.push((v) => subs.some((s) => s(v)));
    else checks.push((v) => subs.filter((s) => s(v)).length === 1);
  }
  if (schema.not !== undefined) {
    if (!isDocument(schema.not)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'not' must be an object");
    const sub = compile(schema.not, false);
    checks.push((v) => !sub(v));
  }
  if (schema.dependencies !== undefined) {
    if (!isDocument(schema.dependencies)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'dependencies' must be an object");
    const deps = Object.entries(schema.dependencies).map(([name, dep]) => {
      if (Array.isArray(dep)) return { name, check: (o: Document) => dep.every((d) => Object.prototype.hasOwnProperty.call(o, String(d))) };
      if (isDocument(dep)) {
        const sub = compile(dep, false);
        return { name, check: (o: Document) => sub(o) };
      }
      throw new CommandError('TypeMismatch', "$jsonSchema keyword 'dependencies' must have object or array values");
    });
    checks.push((v) => !isDocument(v) || deps.every((d) => !Object.prototype.hasOwnProperty.call(v, d.name) || d.check(v)));
  }
  return (v) => {
    if (v === undefined) return true;
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

function typeAllowsObject(set: TypeSet): boolean {
  return set.types.has(3);
}

function schemaNumber(schema: Document, key: string): number {
  const v = schema[key];
  if (!isNumeric(v)) throw new CommandError('TypeMismatch', `$jsonSchema keyword '${key}' must be a number`);
  return toNumber(v);
}

function schemaCount(schema: Document, key: string): number {
  const n = schemaNumber(schema, key);
  if (!Number.isInteger(n) || n < 0) throw new CommandError('FailedToParse', `$jsonSchema keyword '${key}' must be a non-negative integer`);
  return n;
}

function addNumberChecks(schema: Document, checks: SchemaPredicate[]): void {
  const number = (f: (x: unknown) => boolean): SchemaPredicate => (v) => !isNumeric(v) || f(v);
  if (schema.minimum !== undefined) {
    const min = schema.minimum;
    schemaNumber(schema, 'minimum');
    const exclusive = schema.exclusiveMinimum === true;
    checks.push(number((v) => (exclusive ? compareValues(v, min) > 0 : compareValues(v, min) >= 0)));
  } else if (schema.exclusiveMinimum !== undefined) {
    throw new CommandError('FailedToParse', "$jsonSchema keyword 'minimum' must be a present if exclusiveMinimum is present");
  }
  if (schema.maximum !== undefined) {
    const max = schema.maximum;
    schemaNumber(schema, 'maximum');
    const exclusive = schema.exclusiveMaximum === true;
    checks.push(number((v) => (exclusive ? compareValues(v, max) < 0 : compareValues(v, max) <= 0)));
  } else if (schema.exclusiveMaximum !== undefined) {
    throw new CommandError('FailedToParse', "$jsonSchema keyword 'maximum' must be a present if exclusiveMaximum is present");
  }
  if (schema.multipleOf !== undefined) {
    const m = schemaNumber(schema, 'multipleOf');
    if (!(m > 0)) throw new CommandError('FailedToParse', "$jsonSchema keyword 'multipleOf' must have a positive value");
    checks.push(number((v) => toNumber(v) % m === 0));
  }
}

function addStringChecks(schema: Document, checks: SchemaPredicate[]): void {
  const string = (f: (s: string) => boolean): SchemaPredicate => (v) => typeof v !== 'string' || f(v);
  if (schema.minLength !== undefined) {
    const n = schemaCount(schema, 'minLength');
    checks.push(string((s) => [...s].length >= n));
  }
  if (schema.maxLength !== undefined) {
    const n = schemaCount(schema, 'maxLength');
    checks.push(string((s) => [...s].length <= n));
  }
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') throw new CommandError('TypeMismatch', "$jsonSchema keyword 'pattern' must be a string");
    const re = compileRegex(schema.pattern, '');
    checks.push(string((s) => re.test(s)));
  }
}

function addObjectChecks(schema: Document, checks: SchemaPredicate[]): void {
  const object = (f: (o: Document) => boolean): SchemaPredicate => (v) => !isDocument(v) || f(v);
  const has = (o: Document, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  if (schema.required !== undefined) {
    const req = schema.required;
    if (!Array.isArray(req) || req.length === 0 || !req.every((r) => typeof r === 'string')) {
      throw new CommandError('FailedToParse', "$jsonSchema keyword 'required' must be a non-empty array of strings");
    }
    checks.push(object((o) => (req as string[]).every((k) => has(o, k))));
  }
  const properties = new Map<string, SchemaPredicate>();
  if (schema.properties !== undefined) {
    if (!isDocument(schema.properties)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'properties' must be an object");
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (!isDocument(sub)) throw new CommandError('TypeMismatch', `Nested schema for $jsonSchema property '${k}' must be an object`);
      properties.set(k, compile(sub, false));
    }
    checks.push(object((o) => {
      for (const [k, p] of properties) if (has(o, k) && !p(o[k])) return false;
      return true;
    }));
  }
  const patterns: { re: RegExp; check: SchemaPredicate }[] = [];
  if (schema.patternProperties !== undefined) {
    if (!isDocument(schema.patternProperties)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'patternProperties' must be an object");
    for (const [p, sub] of Object.entries(schema.patternProperties)) {
      if (!isDocument(sub)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'patternProperties' has property with non-object value");
      patterns.push({ re: compileRegex(p, ''), check: compile(sub, false) });
    }
    checks.push(object((o) => Object.keys(o).every((k) => patterns.every((p) => !p.re.test(k) || p.check(o[k])))));
  }
  if (schema.additionalProperties !== undefined) {
    const ap = schema.additionalProperties;
    let extra: SchemaPredicate;
    if (ap === true) extra = () => true;
    else if (ap === false) extra = () => false;
    else if (isDocument(ap)) extra = compile(ap, false);
    else throw new CommandError('TypeMismatch', "$jsonSchema keyword 'additionalProperties' must be either an object or a boolean");
    checks.push(object((o) => Object.keys(o).every((k) => properties.has(k) || patterns.some((p) => p.re.test(k)) || extra(o[k]))));
  }
  if (schema.minProperties !== undefined) {
    const n = schemaCount(schema, 'minProperties');
    checks.push(object((o) => Object.keys(o).length >= n));
  }
  if (schema.maxProperties !== undefined) {
    const n = schemaCount(schema, 'maxProperties');
    checks.push(object((o) => Object.keys(o).length <= n));
  }
}

function addArrayChecks(schema: Document, checks: SchemaPredicate[]): void {
  const array = (f: (a: unknown[]) => boolean): SchemaPredicate => (v) => !Array.isArray(v) || f(v);
  if (schema.minItems !== undefined) {
    const n = schemaCount(schema, 'minItems');
    checks.push(array((a) => a.length >= n));
  }
  if (schema.maxItems !== undefined) {
    const n = schemaCount(schema, 'maxItems');
    checks.push(array((a) => a.length <= n));
  }
  if (schema.uniqueItems === true) {
    checks.push(array((a) => a.every((x, i) => a.findIndex((y) => compareValues(x, y) === 0) === i)));
  }
  if (schema.items !== undefined) {
    const items = schema.items;
    if (isDocument(items)) {
      const sub = compile(items, false);
      checks.push(array((a) => a.every((x) => sub(x))));
    } else if (Array.isArray(items)) {
      const subs = items.map((s) => {
        if (!isDocument(s)) throw new CommandError('TypeMismatch', "$jsonSchema keyword 'items' requires that each element of the array is an object");
        return compile(s, false);
      });
      let additional: SchemaPredicate = () => true;
      const ai = schema.additionalItems;
      if (ai === false) additional = () => false;
      else if (isDocument(ai)) additional = compile(ai, false);
      checks.push(array((a) => a.every((x, i) => (i < subs.length ? subs[i](x) : additional(x)))));
    } else {
      throw new CommandError('TypeMismatch', "$jsonSchema keyword 'items' must be an array or an object");
    }
  }
}

