import { Decimal128, Double, Int32, Long, Timestamp, type Document } from 'bson';
import { compareValues, isNumeric } from '../bson_order.js';
import { collationComparator, type ValueComparator } from '../query/collation_compare.js';
import { CommandError } from '../../errors.js';
import { arith } from '../aggregation/numeric.js';
import { getPathValue, isDocument, splitPath } from '../query/paths.js';
import { compileMatcher } from '../query/filter.js';
import { formatElement, formatValue, updateTypeName } from './format_value.js';

/** Returned by a modifier to remove the field (or null it, inside an array). */
export const UNSET: unique symbol = Symbol('unset');
/** Returned by a modifier that leaves the value as it is, or creates nothing for a missing field. */
export const NOOP: unique symbol = Symbol('noop');

/** What a modifier may consult while it applies. */
export interface ModifierContext {
  /** The document being updated (already partly updated by earlier modifiers). */
  readonly root: Document;
  /** True when the update is building the document of an upsert ($setOnInsert applies only then). */
  readonly isInsert: boolean;
  /** $currentDate's clock. */
  readonly now: () => Date;
  /** $currentDate {$type: "timestamp"}'s clock. */
  readonly timestamp: () => Timestamp;
}

/** Where a modifier applies: the field name and the full dotted path (for messages). */
export interface ModifierTarget {
  field: string;
  path: string;
}

/**
 * One leaf of an update (an operator applied at one path). `existing` gets the current value and returns the new
 * one, UNSET or NOOP; `missing` returns the value to create the path with, or NOOP.
 */
export interface Modifier {
  readonly op: string;
  /** False for modifiers that never create a path ($unset, $pop, $pull, $pullAll, $rename's placeholder). */
  readonly creates: boolean;
  existing(value: unknown, ctx: ModifierContext, target: ModifierTarget): unknown;
  missing(ctx: ModifierContext, target: ModifierTarget): unknown;
}

/** Builds the modifier of operator `op` with argument `arg` for the update path `path`. Validates the argument. */
export function makeModifier(
  op: string,
  path: string,
  arg: unknown,
  options: { rename?: string[]; collation?: Document } = {},
): Modifier {
  // The operation's collation also governs the comparisons of $min/$max, $addToSet, $pull(All) and $push's $sort.
  const compare = collationComparator(options.collation) ?? compareValues;
  const equal = (a: unknown, b: unknown): boolean => compare(a, b) === 0;
  switch (op) {
    case '$set':
      return { op, creates: true, existing: () => arg, missing: () => arg };
    case '$setOnInsert':
      return {
        op, creates: true,
        existing: (_v, ctx) => (ctx.isInsert ? arg : NOOP),
        missing: (ctx) => (ctx.isInsert ? arg : NOOP),
      };
    case '$unset':
      return { op, creates: false, existing: () => UNSET, missing: () => NOOP };
    case '$inc': case '$mul':
      return arithmeticModifier(op, path, arg);
    case '$min': case '$max':
      return {
        op, creates: true,
        existing: (v) => {
          const c = compare(arg, v);
          return (op === '$min' ? c < 0 : c > 0) ? arg : NOOP;
        },
        missing: () => arg,
      };
    case '$currentDate':
      return currentDateModifier(path, arg);
    case '$push':
      return pushModifier(arg, compare);
    case '$addToSet':
      return addToSetModifier(arg, equal);
    case '$pop':
      return popModifier(arg);
    case '$pull':
      return cullingModifier(op, pullPredicate(arg, equal, options.collation));
    case '$pullAll': {
      if (!Array.isArray(arg)) throw new CommandError('BadValue', `$pullAll requires an array argument but was given a ${updateTypeName(arg)}`);
      const values = arg;
      return cullingModifier(op, (el) => values.some((v) => equal(el, v)));
    }
    case '$bit':
      return bitModifier(arg);
    case '$rename':
      return renameModifier(options.rename!);
    default:
      throw new CommandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
}

/** The source of a $rename: a leaf that changes nothing by itself but takes part in conflict detection. */
export const RENAME_SOURCE: Modifier = Object.freeze({ op: '$rename', creates: false, existing: () => NOOP, missing: () => NOOP });

function arithmeticModifier(op: '$inc' | '$mul', path: string, arg: unknown): Modifier {
  if (!isNumeric(arg)) {
    const verb = op === '$inc' ? 'increment' : 'multiply';
    throw new CommandError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${formatElement(path, arg)}}`);
  }
  const apply = (v: unknown, ctx: ModifierContext, target: ModifierTarget): unknown => {
    if (!isNumeric(v)) {
      throw new CommandError(
        'TypeMismatch',
        `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(ctx.root._id)}} has the field '${target.field}' of non-numeric type ${updateTypeName(v)}`,
      );
    }
    const result = arith(op === '$inc' ? 'add' : 'mul', v, arg);
    // SafeNum: an int32 result overflows into a long, but a long that overflows is an error, not a double.
    if (result instanceof Double && !(v instanceof Double) && !(arg instanceof Double) && typeof v !== 'number' && typeof arg !== 'number') {
      throw new CommandError(
        'BadValue',
        `Failed to apply ${op} operations to current value (${safeNumDebug(v)}) for document {_id: ${formatValue(ctx.root._id)}}`,
      );
    }
    return result;
  };
  return {
    op, creates: true,
    existing: apply,
    // A missing field is created with the argument ($inc) or with a zero of the argument's type ($mul).
    missing: () => (op === '$inc' ? arg : zeroLike(arg)),
  };
}

/** SafeNum::debugString: the value with its numeric type, as in "(NumberLong)9223372036854775807". */
function safeNumDebug(v: unknown): string {
  if (v instanceof Int32) return `(NumberInt)${v.value}`;
  if (v instanceof Long) return `(NumberLong)${v.toString()}`;
  if (v instanceof Decimal128) return `(NumberDecimal)${v.toString()}`;
  return `(NumberDouble)${formatValue(v)}`;
}

function zeroLike(v: unknown): unknown {
  if (v instanceof Int32) return new Int32(0);
  if (v instanceof Long) return Long.fromInt(0);
  if (v instanceof Decimal128) return Decimal128.fromString('0');
  if (typeof v === 'number') return Number.isInteger(v) ? new Int32(0) : new Double(0);
  return new Double(0);
}

function currentDateModifier(path: string, arg: unknown): Modifier {
  let kind: 'date' | 'timestamp';
  if (typeof arg === 'boolean') {
    kind = 'date';
  } else if (isDocument(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== '$type') {
      throw new CommandError('BadValue', `The only valid field of the option is '$type': {$currentDate: {${formatElement(path, arg)}}}`);
    }
    if (arg.$type !== 'date' && arg.$type !== 'timestamp') {
      throw new CommandError('BadValue', "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
    }
    kind = arg.$type;
  } else {
    throw new CommandError('BadValue', `${updateTypeName(arg)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
  }
  const value = (ctx: ModifierContext): unknown => (kind === 'date' ? ctx.now() : ctx.timestamp());
  return { op: '$currentDate', creates: true, existing: (_v, ctx) => value(ctx), missing: (ctx) => value(ctx) };
}

function integerArg(v: unknown): number | undefined {
  if (v instanceof Int32) return v.value;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Double || typeof v === 'number' || v instanceof Decimal128) {
    const n = v instanceof Double ? v.value : typeof v === 'number' ? v : Number(v.toString());
    return Number.isInteger(n) ? n : undefined;
  }
  return undefined;
}

type ArraySorter = (a: unknown, b: unknown) => number;

function parseSortSpec(spec: unknown, compare: ValueComparator): ArraySorter {
  const invalid = (): CommandError => new CommandError('BadValue', 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
  if (isNumeric(spec)) {
    const dir = integerArg(spec);
    if (dir !== 1 && dir !== -1) throw invalid();
    return (a, b) => compare(a, b) * dir;
  }
  if (!isDocument(spec)) throw invalid();
  const keys = Object.keys(spec);
  if (keys.length === 0) throw new CommandError('BadValue', 'The $sort pattern is empty when it should be a set of fields.');
  const fields = keys.map((k) => {
    const dir = integerArg(spec[k]);
    if (dir !== 1 && dir !== -1) throw new CommandError('BadValue', 'The $sort element value must be either 1 or -1');
    if (k === '' || k.split('.').some((p) => p === '')) throw new CommandError('BadValue', 'The $sort field is a dotted field but has an empty part: ' + k);
    return { parts: splitPath(k), dir };
  });
  return (a, b) => {
    for (const { parts, dir } of fields) {
      const x = isDocument(a) ? getPathValue(a, parts) ?? null : null;
      const y = isDocument(b) ? getPathValue(b, parts) ?? null : null;
      const c = compare(x, y);
      if (c) return c * dir;
    }
    return 0;
  };
}

function pushModifier(arg: unknown, compare: ValueComparator): Modifier {
  let each: unknown[] = [arg];
  let slice: number | undefined;
  let position: number | undefined;
  let sort: ArraySorter | undefined;
  if (isDocument(arg) && Object.prototype.hasOwnProperty.call(arg, '$each')) {
    for (const key of Object.keys(arg)) {
      const v = arg[key];
      switch (key) {
        case '$each':
          if (!Array.isArray(v)) throw new CommandError('BadValue', `The argument to $each in $push must be an array but it was of type: ${updateTypeName(v)}`);
          each = v;
          break;
        case '$slice':
          slice = integerArg(v);
          if (slice === undefined) throw new CommandError('BadValue', `The value for $slice must be an integer value but was given type: ${updateTypeName(v)}`);
          break;
        case '$position':
          position = integerArg(v);
          if (position === undefined) throw new CommandError('BadValue', `The value for $position must be an integer value, not of type: ${updateTypeName(v)}`);
          break;
        case '$sort':
          sort = parseSortSpec(v, compare);
          break;
        default:
          throw new CommandError('BadValue', `Unrecognized clause in $push: ${key}`);
      }
    }
  }
  const build = (current: unknown[]): unknown[] => {
    let out = current.slice();
    if (position === undefined || position >= out.length) out.push(...each);
    else {
      const at = position < 0 ? Math.max(0, out.length + position) : position;
      out.splice(at, 0, ...each);
    }
    if (sort) out = stableSort(out, sort);
    if (slice !== undefined) out = slice >= 0 ? out.slice(0, slice) : out.slice(Math.max(0, out.length + slice));
    return out;
  };
  return {
    op: '$push', creates: true,
    existing: (v, ctx, target) => {
      if (!Array.isArray(v)) {
        throw new CommandError('BadValue', `The field '${target.field}' must be an array but is of type ${updateTypeName(v)} in document {_id: ${formatValue(ctx.root._id)}}`);
      }
      return build(v);
    },
    missing: () => build([]),
  };
}

function stableSort(values: unknown[], compare: ArraySorter): unknown[] {
  return values.map((v, i) => ({ v, i })).sort((a, b) => compare(a.v, b.v) || a.i - b.i).map((x) => x.v);
}

function addToSetModifier(arg: unknown, equal: (a: unknown, b: unknown) => boolean): Modifier {
  let each: unknown[] = [arg];
  if (isDocument(arg) && Object.keys(arg)[0] === '$each') {
    const keys = Object.keys(arg);
    if (keys.length > 1) throw new CommandError('BadValue', `Found unexpected fields after $each in $addToSet: ${formatValue(arg)}`);
    if (!Array.isArray(arg.$each)) throw new CommandError('TypeMismatch', `The argument to $each in $addToSet must be an array but it was of type ${updateTypeName(arg.$each)}`);
    each = arg.$each;
  }
  const unique: unknown[] = [];
  for (const v of each) if (!unique.some((u) => equal(u, v))) unique.push(v);
  return {
    op: '$addToSet', creates: true,
    existing: (v, _ctx, target) => {
      if (!Array.isArray(v)) {
        throw new CommandError('BadValue', `Cannot apply $addToSet to non-array field. Field named '${target.field}' has non-array type ${updateTypeName(v)}`);
      }
      const added = unique.filter((u) => !v.some((e) => equal(e, u)));
      return added.length ? [...v, ...added] : NOOP;
    },
    missing: () => unique.slice(),
  };
}

function popModifier(arg: unknown): Modifier {
  const n = integerArg(arg);
  if (n !== 1 && n !== -1) throw new CommandError('FailedToParse', `$pop expects 1 or -1, found: ${formatValue(arg)}`);
  return {
    op: '$pop', creates: false,
    existing: (v, _ctx, target) => {
      if (!Array.isArray(v)) throw new CommandError('TypeMismatch', `Path '${target.path}' contains an element of non-array type '${updateTypeName(v)}'`);
      if (v.length === 0) return NOOP;
      return n === 1 ? v.slice(0, -1) : v.slice(1);
    },
    missing: () => NOOP,
  };
}

/**
 * $pull's element test (PullNode): an object whose first field is not an operator is a query on embedded documents;
 * another object or a regex is a condition on the element itself; anything else is BSON equality.
 */
function pullPredicate(arg: unknown, equal: (a: unknown, b: unknown) => boolean, collation: Document | undefined): (el: unknown) => boolean {
  if (isDocument(arg) && !(Object.keys(arg)[0] ?? '').startsWith('$')) {
    const matcher = compileMatcher(arg, { collation });
    return (el) => isDocument(el) && matcher.matches(el);
  }
  if (isDocument(arg) || arg instanceof RegExp || (arg as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp') {
    const matcher = compileMatcher({ '': arg }, { collation });
    return (el) => matcher.matches({ '': el });
  }
  return (el) => equal(el, arg);
}

function cullingModifier(op: string, remove: (el: unknown) => boolean): Modifier {
  return {
    op, creates: false,
    existing: (v) => {
      if (!Array.isArray(v)) throw new CommandError('BadValue', 'Cannot apply $pull to a non-array value');
      const kept = v.filter((el) => !remove(el));
      return kept.length === v.length ? NOOP : kept;
    },
    missing: () => NOOP,
  };
}

function bitModifier(arg: unknown): Modifier {
  if (!isDocument(arg)) {
    throw new CommandError('BadValue', `The $bit modifier is not compatible with a ${updateTypeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}.`);
  }
  const ops = Object.keys(arg).map((k) => {
    if (k !== 'and' && k !== 'or' && k !== 'xor') {
      throw new CommandError('BadValue', `The $bit modifier only supports 'and', 'or', and 'xor', not '${k}' which is an unknown operator: {${formatElement(k, arg[k])}}`);
    }
    const v = arg[k];
    if (!(v instanceof Int32) && !(v instanceof Long) && !(typeof v === 'number' && Number.isInteger(v))) {
      throw new CommandError('BadValue', `The $bit modifier field must be an Integer(32/64 bit); a '${updateTypeName(v)}' is not supported here: {${formatElement(k, v)}}`);
    }
    return { k, v };
  });
  if (ops.length === 0) throw new CommandError('BadValue', `You must pass in at least one bitwise operation. The format is: {$bit: {field: {and/or/xor: #}}`);
  const run = (start: unknown): unknown => {
    let isLong = start instanceof Long;
    let acc = start instanceof Long ? start.toBigInt() : BigInt(start instanceof Int32 ? start.value : Number(start));
    for (const { k, v } of ops) {
      if (v instanceof Long) isLong = true;
      const b = v instanceof Long ? v.toBigInt() : BigInt(v instanceof Int32 ? v.value : Number(v));
      acc = k === 'and' ? acc & b : k === 'or' ? acc | b : acc ^ b;
    }
    return isLong ? Long.fromBigInt(BigInt.asIntN(64, acc)) : new Int32(Number(BigInt.asIntN(32, acc)));
  };
  return {
    op: '$bit', creates: true,
    existing: (v, ctx, target) => {
      if (!(v instanceof Int32) && !(v instanceof Long)) {
        throw new CommandError('BadValue', `Cannot apply $bit to a value of non-integral type.{_id: ${formatValue(ctx.root._id)}} has the field ${target.field} of non-integer type ${updateTypeName(v)}`);
      }
      return run(v);
    },
    missing: () => run(new Int32(0)),
  };
}

/** $rename's destination: takes the source's value (removing the source) or does nothing when it is missing. */
function renameModifier(from: string[]): Modifier {
  const take = (ctx: ModifierContext): unknown => {
    // mongod refuses to move a value out of an array (RenameNode: "The source field cannot be an array element").
    let cur: unknown = ctx.root;
    for (let i = 0; i < from.length - 1 && isDocument(cur); i++) {
      const next: unknown = (cur as Document)[from[i]];
      if (Array.isArray(next)) {
        throw new CommandError(
          'BadValue',
          `The source field cannot be an array element, '${from.join('.')}' in doc with ${formatElement(from[i], next)} has an array field called '${from[i]}'`,
        );
      }
      cur = next;
    }
    const value = getPathValue(ctx.root, from);
    if (value === undefined) return NOOP;
    removePath(ctx.root, from);
    return value;
  };
  return { op: '$rename', creates: true, existing: (_v, ctx) => take(ctx), missing: (ctx) => take(ctx) };
}

function removePath(root: Document, parts: string[]): void {
  let cur: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) cur = (cur as Document)[parts[i]];
  delete (cur as Document)[parts[parts.length - 1]];
}
