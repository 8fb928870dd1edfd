import {
  Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, type Document,
} from 'bson';
import { canonicalRank, compareValues } from '../bson_order.js';
import { CommandError } from '../../errors.js';
import { isDocument, splitPath, visitPath } from './paths.js';
import { parseTypeSet, typeSetMatches } from './bson_types.js';
import { regexParts, regexPredicate } from './regex.js';
import { compileJsonSchema } from './json_schema.js';
import { collationComparator, type ValueComparator } from './collation_compare.js';

import { compileExpression, rootVariables } from '../aggregation/expression.js';

/** A compiled query predicate. */
export type DocumentPredicate = (doc: Document) => boolean;

/**
 * What matching learned about a document: the array offset of the matched element (mongod's elemMatchKey), which
 * the positional `$` of updates and projections uses.
 */
export interface MatchDetails {
  elemMatchKey?: string;
}

/** A compiled filter that can also report match details. */
export interface Matcher {
  matches(doc: Document, details?: MatchDetails): boolean;
}

/** Options of a compiled filter. */
export interface FilterOptions {
  /** `let` variables for `$expr` (without the leading `$$`). */
  variables?: Document;
  /** The operation's collation (string comparisons in equality, ranges and $in); absent = simple (binary). */
  collation?: Document;
}

/**
 * One node of a compiled filter. `m` matches a (sub)document; `e` matches a single value as mongod's
 * matchesSingleElement does (used inside `$elemMatch` with operators, where each array element is tested directly).
 */
interface Node {
  m(doc: unknown, details: MatchDetails | undefined): boolean;
  e(value: unknown): boolean;
}

const LEVEL = Object.freeze({ top: 0, sub: 1 } as const);
type Level = (typeof LEVEL)[keyof typeof LEVEL];

const TRUE_NODE: Node = { m: () => true, e: () => true };
const FALSE_NODE: Node = { m: () => false, e: () => false };

/**
 * Compiles a query filter into a predicate (mongod's MatchExpressionParser + matchers, 7.0 semantics). Throws
 * CommandError (BadValue and friends, with mongod's messages) for invalid filters, at compile time.
 */
export function compileFilter(filter: Document | undefined, options: FilterOptions = {}): DocumentPredicate {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  const node = new FilterParser(options).parseDocument(filter, LEVEL.top);
  return (doc) => node.m(doc, undefined);
}

/** Like {@link compileFilter}, keeping the ability to report match details (for positional `$`). */
export function compileMatcher(filter: Document | undefined, options: FilterOptions = {}): Matcher {
  if (!filter || Object.keys(filter).length === 0) return { matches: () => true };
  const node = new FilterParser(options).parseDocument(filter, LEVEL.top);
  return { matches: (doc, details) => node.m(doc, details) };
}

/** Operators usable without a path (at the top of a filter or of an `$elemMatch` object). */
const PATHLESS = new Set(['and', 'or', 'nor', 'expr', 'jsonSchema', 'comment', 'where', 'text', 'alwaysTrue', 'alwaysFalse', 'id', 'ref', 'db', 'sampleRate']);

/** Operators that take a path (queryOperatorMap in expression_parser.cpp). */
const PATH_OPERATORS = new Set([
  'all', 'bitsAllClear', 'bitsAllSet', 'bitsAnyClear', 'bitsAnySet', 'elemMatch', 'eq', 'exists', 'geoIntersects',
  'geoNear', 'geoWithin', 'gt', 'gte', 'in', 'lt', 'lte', 'mod', 'ne', 'near', 'nearSphere', 'nin', 'not', 'options',
  'regex', 'size', 'type', 'within',
]);

class FilterParser {
  private readonly compare: ValueComparator;

  constructor(private readonly options: FilterOptions) {
    this.compare = collationComparator(options.collation) ?? compareValues;
  }

  parseDocument(obj: Document, level: Level): Node {
    const nodes: Node[] = [];
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (key.startsWith('$')) {
        const node = this.parsePathless(key, value, level);
        if (node) nodes.push(node);
        continue;
      }
      if (isExpressionDocument(value, false)) {
        nodes.push(...this.parseSub(key, value as Document, level));
        continue;
      }
      if (isRegex(value)) {
        const { pattern, options } = regexParts(value);
        nodes.push(leaf(key, regexPredicate(pattern, options)));
        continue;
      }
      nodes.push(leaf(key, comparison('$eq', value, this.compare)));
    }
    return and(nodes);
  }

  private parsePathless(key: string, value: unknown, level: Level): Node | undefined {
    const name = key.slice(1);
    switch (name) {
      case 'and': case 'or': case 'nor': {
        if (!Array.isArray(value)) throw new CommandError('BadValue', `${key} must be an array`);
        if (value.length === 0) throw new CommandError('BadValue', '$and/$or/$nor must be a nonempty array');
        const children = value.map((v) => {
          if (!isDocument(v)) throw new CommandError('BadValue', '$or/$and/$nor entries need to be full objects');
          return this.parseDocument(v, level);
        });
        return name === 'and' ? and(children) : name === 'or' ? or(children) : not(or(children));
      }
      case 'comment':
        return undefined;
      case 'alwaysTrue': case 'alwaysFalse': {
        if (!isIntegralNumber(value) || Number(numberOf(value)) !== 1) {
          throw new CommandError('FailedToParse', `${key} must be an integer value of 1`);
        }
        return name === 'alwaysTrue' ? TRUE_NODE : FALSE_NODE;
      }
      case 'id': case 'ref': case 'db':
        return leaf(key, comparison('$eq', value, this.compare));
      case 'expr': {
        if (level !== LEVEL.top) throw new CommandError('BadValue', '$expr can only be applied to the top-level document');
        const variables = this.options.variables;
        const compiled = compileExpression(value, Object.keys(variables ?? {}));
        return {
          m: (doc) => isTruthy(compiled(rootVariables(doc, variables))),
          e: () => false,
        };
      }
      case 'jsonSchema': {
        if (!isDocument(value)) throw new CommandError('TypeMismatch', '$jsonSchema must be an object');
        const schema = compileJsonSchema(value);
        return { m: (doc) => schema(doc), e: () => false };
      }
      case 'where':
        throw new CommandError('BadValue', '$where is not allowed in this context (the embedded server has no JavaScript engine)');
      case 'text':
        if (level !== LEVEL.top) throw new CommandError('BadValue', '$text can only be applied to the top-level document');
        throw new CommandError('IndexNotFound', 'text index required for $text query');
      case 'sampleRate': {
        const rate = numberOf(value);
        if (rate === undefined) throw new CommandError('BadValue', 'argument to $sampleRate must be a numeric type');
        if (!(rate >= 0 && rate <= 1)) throw new CommandError('BadValue', 'numeric argument to $sampleRate must be in [0, 1]');
        return { m: () => Math.random() < rate, e: () => false };
      }
      default:
        throw new CommandError(
          'BadValue',
          `unknown top level operator: ${key}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
        );
    }
  }

  /** `{path: {$op: arg, ...}}`: one node per operator. */
  private parseSub(path: string, sub: Document, level: Level): Node[] {
    const keys = Object.keys(sub);
    if (keys.length && (keys[0] === '$near' || keys[0] === '$nearSphere' || keys[0] === '$geoNear')) {
      throw new CommandError('BadValue', '$geoNear, $near, and $nearSphere are not allowed in this context');
    }
    const nodes: Node[] = [];
    for (const op of keys) {
      const node = this.parseOperator(path, op, sub[op], sub, level);
      if (node) nodes.push(node);
    }
    return nodes;
  }

  private parseOperator(path: string, op: string, arg: unknown, context: Document, level: Level): Node | undefined {
    switch (op) {
      case '$eq':
        return leaf(path, comparison(op, arg, this.compare));
      case '$lt': case '$lte': case '$gt': case '$gte':
        if (isRegex(arg)) throw new CommandError('BadValue', `Can't have RegEx as arg to predicate over field '${path}'.`);
        return leaf(path, comparison(op, arg, this.compare));
      case '$ne':
        if (isRegex(arg)) throw new CommandError('BadValue', "Can't have regex as arg to $ne.");
        return not(leaf(path, comparison('$eq', arg, this.compare)));
      case '$in': case '$nin': {
        if (!Array.isArray(arg)) throw new CommandError('BadValue', `${op} needs an array`);
        const node = leaf(path, inPredicate(arg, this.compare));
        return op === '$in' ? node : not(node);
      }
      case '$size':
        return leaf(path, sizePredicate(arg), false);
      case '$exists': {
        const node = leaf(path, (v) => v !== undefined);
        return isTruthy(arg) ? node : not(node);
      }
      case '$type': {
        const set = parseTypeSet(arg, '$type');
        return leaf(path, (v) => typeSetMatches(set, v));
      }
      case '$mod':
        return leaf(path, modPredicate(arg));
      case '$options':
        if (!Object.prototype.hasOwnProperty.call(context, '$regex')) throw new CommandError('BadValue', '$options needs a $regex');
        return undefined;
      case '$regex':
        return leaf(path, regexDocument(context));
      case '$elemMatch':
        return this.parseElemMatch(path, arg);
      case '$all':
        return this.parseAll(path, arg);
      case '$not': {
        if (isRegex(arg)) {
          const { pattern, options } = regexParts(arg);
          return not(leaf(path, regexPredicate(pattern, options)));
        }
        if (!isDocument(arg)) throw new CommandError('BadValue', '$not needs a regex or a document');
        if (Object.keys(arg).length === 0) throw new CommandError('BadValue', '$not cannot be empty');
        return not(and(this.parseSub(path, arg, level)));
      }
      case '$bitsAllSet': case '$bitsAllClear': case '$bitsAnySet': case '$bitsAnyClear':
        return leaf(path, bitTestPredicate(op, arg));
      case '$where':
        throw new CommandError('BadValue', '$where cannot be applied to a field');
      case '$geoWithin': case '$geoIntersects': case '$within':
        throw new CommandError('BadValue', `${op} is not supported by the embedded server`);
      case '$near': case '$nearSphere': case '$geoNear':
        throw new CommandError('BadValue', `near must be first in: ${JSON.stringify(context)}`);
      default:
        throw new CommandError('BadValue', `unknown operator: ${op}`);
    }
  }

  private parseElemMatch(path: string, arg: unknown): Node {
    if (!isDocument(arg)) throw new CommandError('BadValue', '$elemMatch needs an Object');
    const keys = Object.keys(arg);
    const valueCase = isExpressionDocument(arg, true) && !PATHLESS.has(keys[0].slice(1));
    if (valueCase) {
      const children = this.parseSub('', arg, LEVEL.sub);
      return elemMatchLeaf(path, (el) => children.every((c) => c.e(el)));
    }
    if (Object.prototype.hasOwnProperty.call(arg, '$where')) {
      throw new CommandError('BadValue', '$elemMatch cannot contain $where expression');
    }
    const sub = this.parseDocument(arg, LEVEL.sub);
    return elemMatchLeaf(path, (el) => (isDocument(el) || Array.isArray(el)) && sub.m(el, undefined));
  }

  private parseAll(path: string, arg: unknown): Node {
    if (!Array.isArray(arg)) throw new CommandError('BadValue', '$all needs an array');
    if (arg.length === 0) return FALSE_NODE;
    const first = arg[0];
    if (isDocument(first) && Object.keys(first)[0] === '$elemMatch') {
      return and(arg.map((el) => {
        if (!isDocument(el) || Object.keys(el)[0] !== '$elemMatch') throw new CommandError('BadValue', '$all/$elemMatch has to be consistent');
        return this.parseElemMatch(path, el.$elemMatch);
      }));
    }
    return and(arg.map((el) => {
      if (isRegex(el)) {
        const { pattern, options } = regexParts(el);
        return leaf(path, regexPredicate(pattern, options));
      }
      if (isDocument(el) && PATH_OPERATORS.has((Object.keys(el)[0] ?? '').slice(1)) && (Object.keys(el)[0] ?? '').startsWith('$')) {
        throw new CommandError('BadValue', 'no $ expressions in $all');
      }
      return leaf(path, comparison('$eq', el, this.compare));
    }));
  }
}

/** A path-based leaf: true when any value the path designates satisfies `pred`. */
function leaf(path: string, pred: (v: unknown) => boolean, traverseLeafArrays = true): Node {
  const parts = splitPath(path);
  const plain = (v: unknown): boolean => pred(v);
  return {
    m(doc, details) {
      if (!details) return visitPath(doc, parts, plain, traverseLeafArrays);
      return visitPath(doc, parts, (v, offset) => {
        if (!pred(v)) return false;
        if (offset !== undefined) details.elemMatchKey = String(offset);
        return true;
      }, traverseLeafArrays);
    },
    e: pred,
  };
}

/**
 * `$elemMatch`: an array at the path (leaf arrays not traversed) with an element satisfying `element`. Records the
 * index of that element as the elemMatchKey, as ArrayMatchingMatchExpression does, for positional `$`.
 */
function elemMatchLeaf(path: string, element: (el: unknown) => boolean): Node {
  const firstMatch = (v: unknown): number => {
    if (!Array.isArray(v)) return -1;
    for (let k = 0; k < v.length; k++) if (element(v[k])) return k;
    return -1;
  };
  const node = leaf(path, (v) => firstMatch(v) >= 0, false);
  const parts = splitPath(path);
  return {
    m(doc, details) {
      if (!details) return node.m(doc, undefined);
      return visitPath(doc, parts, (v, offset) => {
        const k = firstMatch(v);
        if (k < 0) return false;
        details.elemMatchKey = String(offset ?? k);
        return true;
      }, false);
    },
    e: node.e,
  };
}

function and(nodes: Node[]): Node {
  if (nodes.length === 0) return TRUE_NODE;
  if (nodes.length === 1) return nodes[0];
  return {
    m: (doc, details) => {
      for (const n of nodes) if (!n.m(doc, details)) return false;
      return true;
    },
    e: (v) => nodes.every((n) => n.e(v)),
  };
}

function or(nodes: Node[]): Node {
  if (nodes.length === 1) return nodes[0];
  return {
    m: (doc, details) => {
      for (const n of nodes) if (n.m(doc, details)) return true;
      return false;
    },
    e: (v) => nodes.some((n) => n.e(v)),
  };
}

function not(node: Node): Node {
  return { m: (doc) => !node.m(doc, undefined), e: (v) => !node.e(v) };
}

/**
 * isExpressionDocument (expression_parser.cpp): a non-empty embedded document whose first field starts with `$`,
 * unless it is a DBRef ({$ref, $id}; with `allowIncompleteDBRef`, any of $ref/$id/$db).
 */
function isExpressionDocument(v: unknown, allowIncompleteDBRef: boolean): boolean {
  if (!isDocument(v) || (v as { _bsontype?: string })._bsontype === 'DBRef') return false;
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys[0].startsWith('$')) return false;
  const hasRef = keys.includes('$ref');
  const hasId = keys.includes('$id');
  const hasDb = keys.includes('$db');
  return allowIncompleteDBRef ? !(hasRef || hasId || hasDb) : !(hasRef && hasId);
}

function isRegex(v: unknown): v is BSONRegExp | RegExp {
  return v instanceof BSONRegExp || v instanceof RegExp;
}

function isNaNValue(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (v instanceof Double) return Number.isNaN(v.value);
  if (v instanceof Decimal128) return v.toString().endsWith('NaN');
  return false;
}

type ComparisonOp = '$eq' | '$lt' | '$lte' | '$gt' | '$gte';

/**
 * ComparisonMatchExpression::matchesSingleElement: values of different canonical types never compare, except null
 * with missing/undefined (equal) and MinKey/MaxKey bounds; NaN only equals NaN.
 */
function comparison(op: ComparisonOp, rhs: unknown, compare: ValueComparator): (v: unknown) => boolean {
  if (rhs === undefined) throw new CommandError('BadValue', 'cannot compare to undefined');
  const rr = canonicalRank(rhs);
  const inclusive = op === '$eq' || op === '$lte' || op === '$gte';
  const rhsMax = rhs instanceof MaxKey;
  const rhsMin = rhs instanceof MinKey;
  const rhsNaN = isNaNValue(rhs);
  if (op === '$eq' && rr === 5) return (v) => v === null || v === undefined;
  return (v) => {
    const r = canonicalRank(v);
    if (r !== rr) {
      if (r + rr === 5) return inclusive;
      if (rhsMax) return op === '$lt' || op === '$lte';
      if (rhsMin) return op === '$gt' || op === '$gte';
      return false;
    }
    if (op !== '$eq' && (rhsNaN || isNaNValue(v))) return inclusive && rhsNaN && isNaNValue(v);
    const c = compare(v, rhs);
    switch (op) {
      case '$eq': return c === 0;
      case '$lt': return c < 0;
      case '$lte': return c <= 0;
      case '$gt': return c > 0;
      default: return c >= 0;
    }
  };
}

/** InMatchExpression: equality with any listed value (null also matches missing), or a match of any regex. */
function inPredicate(list: unknown[], compare: ValueComparator): (v: unknown) => boolean {
  const equalities: unknown[] = [];
  const regexes: ((v: unknown) => boolean)[] = [];
  let hasNull = false;
  for (const e of list) {
    if (isExpressionDocument(e, false)) throw new CommandError('BadValue', 'cannot nest $ under $in');
    if (isRegex(e)) {
      const { pattern, options } = regexParts(e);
      regexes.push(regexPredicate(pattern, options));
      continue;
    }
    if (e === undefined) throw new CommandError('BadValue', 'InMatchExpression equality cannot be undefined');
    if (e === null) hasNull = true;
    equalities.push(e);
  }
  equalities.sort(compare);
  return (v) => {
    if (hasNull && v === undefined) return true;
    if (v !== undefined && binarySearch(equalities, v, compare)) return true;
    for (const r of regexes) if (r(v)) return true;
    return false;
  };
}

function binarySearch(sorted: unknown[], v: unknown, compare: ValueComparator): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(sorted[mid], v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function sizePredicate(arg: unknown): (v: unknown) => boolean {
  let size: number;
  if (arg instanceof Int32 || (typeof arg === 'number' && Number.isInteger(arg))) {
    size = Number(numberOf(arg));
  } else if (arg instanceof Long) {
    const n = arg.toNumber();
    if (n < -2147483648 || n > 2147483647) throw new CommandError('BadValue', '$size must be representable as a 32-bit integer');
    size = n;
  } else if (arg instanceof Double || typeof arg === 'number') {
    const n = Number(numberOf(arg));
    if (!Number.isInteger(n)) throw new CommandError('BadValue', '$size must be a whole number');
    size = n;
  } else {
    throw new CommandError('BadValue', '$size needs a number');
  }
  if (size < 0) throw new CommandError('BadValue', '$size may not be negative');
  return (v) => Array.isArray(v) && v.length === size;
}

/** $mod: [divisor, remainder], both truncated to 64-bit integers; the dividend likewise (non-finite never matches). */
function modPredicate(arg: unknown): (v: unknown) => boolean {
  if (!Array.isArray(arg)) throw new CommandError('BadValue', 'malformed mod, needs to be an array');
  if (arg.length < 2) throw new CommandError('BadValue', 'malformed mod, not enough elements');
  if (arg.length > 2) throw new CommandError('BadValue', 'malformed mod, too many elements');
  const divisor = toInt64(arg[0]);
  if (divisor === undefined) throw new CommandError('BadValue', 'malformed mod, divisor not a number');
  const remainder = toInt64(arg[1]);
  if (remainder === undefined) throw new CommandError('BadValue', 'malformed mod, remainder not a number');
  if (divisor === 0n) throw new CommandError('BadValue', 'divisor cannot be 0');
  return (v) => {
    const dividend = toInt64(v);
    if (dividend === undefined) return false;
    // overflow::safeMod: x % -1 is 0 (avoids INT64_MIN % -1).
    const m = divisor === -1n ? 0n : dividend % divisor;
    return m === remainder;
  };
}

/** A numeric value truncated to a 64-bit integer; undefined for non-numbers, non-finite or out-of-range values. */
function toInt64(v: unknown): bigint | undefined {
  if (v instanceof Long) return v.toBigInt();
  if (v instanceof Int32) return BigInt(v.value);
  let x: number;
  if (v instanceof Double) x = v.value;
  else if (typeof v === 'number') x = v;
  else if (v instanceof Decimal128) x = Number(v.toString());
  else return undefined;
  if (!Number.isFinite(x)) return undefined;
  const t = Math.trunc(x);
  if (t >= 9223372036854775808 || t < -9223372036854775808) return undefined;
  return BigInt(t);
}

/** $bitsAllSet & co. over numbers (as 64-bit two's complement) and BinData (bytes little-endian). */
function bitTestPredicate(op: string, arg: unknown): (v: unknown) => boolean {
  const positions: number[] = [];
  if (Array.isArray(arg)) {
    for (const e of arg) {
      const n = numberOf(e);
      if (n === undefined) throw new CommandError('BadValue', `bit positions must be an integer but got: ${String(e)}`);
      if (Number.isNaN(n)) throw new CommandError('BadValue', `bit positions cannot take a NaN: ${String(e)}`);
      if (n > 2147483647 || n < -2147483648) throw new CommandError('BadValue', `bit positions cannot be represented as a 32-bit signed integer: ${String(e)}`);
      if (!Number.isInteger(n)) throw new CommandError('BadValue', `bit positions must be an integer but got: ${String(e)}`);
      if (n < 0) throw new CommandError('BadValue', `bit positions must be >= 0 but got: ${String(e)}`);
      positions.push(n);
    }
  } else if (numberOf(arg) !== undefined) {
    const n = numberOf(arg)!;
    if (Number.isNaN(n)) throw new CommandError('FailedToParse', `Expected an integer, but found NaN in: ${op}: ${String(arg)}`);
    if (!Number.isInteger(n)) throw new CommandError('FailedToParse', `Expected an integer: ${op}: ${String(arg)}`);
    if (n < 0) throw new CommandError('FailedToParse', `Expected a positive number in: ${op}: ${String(arg)}`);
    const mask = arg instanceof Long ? arg.toBigInt() : BigInt(n);
    for (let b = 0; b < 64; b++) if ((mask >> BigInt(b)) & 1n) positions.push(b);
  } else if (arg instanceof Binary) {
    const bytes = arg.buffer.subarray(0, arg.position);
    for (let i = 0; i < bytes.length; i++) for (let b = 0; b < 8; b++) if (bytes[i] & (1 << b)) positions.push(i * 8 + b);
  } else {
    throw new CommandError('BadValue', `${op} takes an Array, a number, or a BinData but received: ${op}: ${String(arg)}`);
  }
  const wantSet = op === '$bitsAllSet' || op === '$bitsAnySet';
  const all = op === '$bitsAllSet' || op === '$bitsAllClear';
  const test = (isSet: (p: number) => boolean): boolean => {
    for (const p of positions) {
      const ok = isSet(p) === wantSet;
      if (all && !ok) return false;
      if (!all && ok) return true;
    }
    return all;
  };
  return (v) => {
    if (v instanceof Binary) {
      const bytes = v.buffer.subarray(0, v.position);
      return test((p) => p < bytes.length * 8 && (bytes[p >> 3] & (1 << (p & 7))) !== 0);
    }
    let value: bigint;
    if (v instanceof Long) value = v.toBigInt();
    else if (v instanceof Int32) value = BigInt(v.value);
    else if (v instanceof Double || typeof v === 'number' || v instanceof Decimal128) {
      const x = Number(numberOf(v));
      if (Number.isNaN(x) || !Number.isInteger(x) || x >= 9223372036854775808 || x < -9223372036854775808) return false;
      value = BigInt(x);
    } else {
      return false;
    }
    // Positions past 63 test the sign bit: numbers are sign-extended.
    return test((p) => ((BigInt.asUintN(64, value) >> BigInt(Math.min(p, 63))) & 1n) === 1n);
  };
}

/** `$regex` with its `$options` sibling (parseRegexDocument). */
function regexDocument(context: Document): (v: unknown) => boolean {
  let pattern = '';
  let options = '';
  for (const key of Object.keys(context)) {
    const e = context[key];
    if (key === '$regex') {
      if (typeof e === 'string') {
        pattern = e;
      } else if (isRegex(e)) {
        const parts = regexParts(e);
        pattern = parts.pattern;
        if (parts.options) {
          if (options) throw new CommandError('Location51074', 'options set in both $regex and $options', {}, 51074);
          options = parts.options;
        }
      } else {
        throw new CommandError('BadValue', '$regex has to be a string');
      }
    } else if (key === '$options') {
      if (typeof e !== 'string') throw new CommandError('BadValue', '$options has to be a string');
      if (options) throw new CommandError('Location51075', 'options set in both $regex and $options', {}, 51075);
      options = e;
    }
  }
  return regexPredicate(pattern, options);
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Decimal128) return Number(v.toString());
  return undefined;
}

function isIntegralNumber(v: unknown): boolean {
  const n = numberOf(v);
  return n !== undefined && Number.isInteger(n);
}

/** BSONElement::trueValue: false, null, undefined and numeric zero are false; everything else is true. */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  const n = numberOf(v);
  if (n !== undefined) return n !== 0;
  return true;
}

