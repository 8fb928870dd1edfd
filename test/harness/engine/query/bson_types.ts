import {
  Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp,
} from 'bson';
import { CommandError } from '../../errors.js';

/** BSON type numbers by the aliases `$type` and `$jsonSchema.bsonType` accept (matcher_type_alias.cpp). */
export const BSON_TYPE_ALIASES: Readonly<Record<string, number>> = Object.freeze({
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
});

/** The BSON type number of a decoded value (a plain JS number counts as bson would encode it); undefined if missing. */
export function bsonTypeOf(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 10;
  switch (typeof v) {
    case 'string': return 2;
    case 'boolean': return 8;
    case 'number': return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? 16 : 1;
    case 'bigint': return 18;
    default: break;
  }
  if (Array.isArray(v)) return 4;
  if (v instanceof Int32) return 16;
  if (v instanceof Double) return 1;
  if (v instanceof Long) return 18;
  if (v instanceof Decimal128) return 19;
  if (v instanceof ObjectId) return 7;
  if (v instanceof Date) return 9;
  if (v instanceof Binary || v instanceof Uint8Array) return 5;
  if (v instanceof BSONRegExp || v instanceof RegExp) return 11;
  if (v instanceof Timestamp) return 17;
  if (v instanceof BSONSymbol) return 14;
  if (v instanceof Code) return v.scope ? 15 : 13;
  if (v instanceof MinKey) return -1;
  if (v instanceof MaxKey) return 127;
  if (v instanceof DBRef) return 3;
  if ((v as { _bsontype?: string })._bsontype === 'DBPointer') return 12;
  return 3;
}

const NUMERIC_TYPES: ReadonlySet<number> = new Set([1, 16, 18, 19]);

/** A set of BSON types as `$type` describes it: numbers, aliases, "number", or an array of those. */
export interface TypeSet {
  types: ReadonlySet<number>;
  allNumbers: boolean;
}

/** True when the value's type is in the set. */
export function typeSetMatches(set: TypeSet, v: unknown): boolean {
  const t = bsonTypeOf(v);
  if (t === undefined) return false;
  return set.types.has(t) || (set.allNumbers && NUMERIC_TYPES.has(t));
}

/**
 * Parses a `$type` argument (MatcherTypeSet::parse): a type number, an alias, "number", or an array of those.
 * `operatorName` names the operator in errors ("$type", or "type"/"bsonType" in $jsonSchema).
 */
export function parseTypeSet(arg: unknown, operatorName: string, aliases: Readonly<Record<string, number>> = BSON_TYPE_ALIASES): TypeSet {
  const types = new Set<number>();
  let allNumbers = false;
  const addOne = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v === 'number') {
        allNumbers = true;
        return;
      }
      const t = aliases[v];
      if (t === undefined || !Object.prototype.hasOwnProperty.call(aliases, v)) {
        throw new CommandError('BadValue', `Unknown type name alias: ${v}`);
      }
      types.add(t);
      return;
    }
    const n = numericValue(v);
    if (n === undefined) {
      throw new CommandError('TypeMismatch', `type must be represented as a number or a string`);
    }
    if (!Number.isInteger(n)) {
      throw new CommandError('BadValue', `Invalid numerical type code: ${n}`);
    }
    if (!(n in TYPE_NAMES)) throw new CommandError('BadValue', `Invalid numerical type code: ${n}`);
    types.add(n);
  };
  if (Array.isArray(arg)) {
    for (const v of arg) addOne(v);
  } else {
    addOne(arg);
  }
  if (types.size === 0 && !allNumbers) {
    throw new CommandError('FailedToParse', `${operatorName} must match at least one type`);
  }
  return { types, allNumbers };
}

const TYPE_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(BSON_TYPE_ALIASES).map(([k, v]) => [v, k])),
);

/** A JS number for any BSON numeric value (approximate for large longs and decimals); undefined otherwise. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return Number(v.toString());
  return undefined;
}

/** The type's alias as mongod prints it in messages (typeName()). */
export function typeName(v: unknown): string {
  const t = bsonTypeOf(v);
  if (t === undefined) return 'missing';
  return TYPE_NAMES[t] ?? 'unknown';
}
