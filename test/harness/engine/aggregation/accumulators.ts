import type { Document } from 'bson';
import { compareValues } from '../bson_order.js';
import { groupKey } from './group_key.js';
import { aggError, isNullish, isObject, type Compiled } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { compileExpression } from './expression.js';
import { decAdd, decDiv, decFromBigInt, decFromDouble, type Dec } from './decimal.js';
import { asBigInt, asDec, asDouble, fitsLong, intOrLong, isNumber, makeDecimal, makeDouble, makeLong, numKind, widest, type NumKind } from './numeric.js';

/** The running state of one accumulator for one group. */
export interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

/**
 * A numeric total kept as mongod's AccumulatorSum does: integers exactly, doubles with compensated summation,
 * decimals exactly; the result type is the widest input type (ints that overflow become longs, then doubles).
 */
export class NumericTotal {
  private kind: NumKind = 'int';
  private integer = 0n;
  private double = 0;
  private compensation = 0;
  private decimal: Dec | undefined;
  count = 0;

  add(v: unknown): void {
    const kind = numKind(v);
    if (!kind) return;
    this.count++;
    this.kind = widest(this.kind, kind);
    if (kind === 'decimal') {
      this.decimal = this.decimal ? decAdd(this.decimal, asDec(v)) : asDec(v);
    } else if (kind === 'double') {
      // Neumaier's compensated summation, close to mongod's DoubleDoubleSummation.
      const x = asDouble(v);
      const t = this.double + x;
      if (Number.isFinite(t)) {
        this.compensation += Math.abs(this.double) >= Math.abs(x) ? (this.double - t) + x : (x - t) + this.double;
      }
      this.double = t;
    } else {
      this.integer += asBigInt(v);
    }
  }

  /** The total with mongod's result type. */
  value(): unknown {
    if (this.kind === 'decimal') {
      let d = this.decimal ?? decFromBigInt(0n);
      d = decAdd(d, decFromBigInt(this.integer));
      if (this.double !== 0 || this.compensation !== 0) d = decAdd(d, decFromDouble(this.double + this.compensation));
      return makeDecimal(d);
    }
    if (this.kind === 'double') return makeDouble(this.doubleTotal());
    if (!fitsLong(this.integer)) return makeDouble(Number(this.integer));
    return this.kind === 'int' ? intOrLong(this.integer) : makeLong(this.integer);
  }

  /** The total as a double (for averages). */
  doubleTotal(): number {
    if (!Number.isFinite(this.double)) return this.double;
    return Number(this.integer) + this.double + this.compensation;
  }

  /** The mean, as $avg returns it: a double, or a decimal when a decimal was summed; null without numbers. */
  average(): unknown {
    if (this.count === 0) return null;
    if (this.kind === 'decimal') {
      const total = this.value();
      return makeDecimal(decDiv(asDec(total), decFromBigInt(BigInt(this.count))));
    }
    if (this.kind !== 'double') return makeDouble(Number(this.integer) / this.count);
    return makeDouble(this.doubleTotal() / this.count);
  }
}

class Sum implements Accumulator {
  private readonly total = new NumericTotal();
  add(v: unknown): void {
    this.total.add(v);
  }
  result(): unknown {
    return this.total.value();
  }
}

class Avg implements Accumulator {
  private readonly total = new NumericTotal();
  add(v: unknown): void {
    this.total.add(v);
  }
  result(): unknown {
    return this.total.average();
  }
}

class MinMax implements Accumulator {
  private best: unknown;
  private seen = false;
  constructor(private readonly sign: 1 | -1) {}
  add(v: unknown): void {
    if (isNullish(v)) return;
    if (!this.seen || compareValues(v, this.best) * this.sign > 0) this.best = v;
    this.seen = true;
  }
  result(): unknown {
    return this.seen ? this.best : null;
  }
}

class First implements Accumulator {
  private value: unknown;
  private seen = false;
  add(v: unknown): void {
    if (this.seen) return;
    this.seen = true;
    this.value = v;
  }
  result(): unknown {
    return this.value ?? null;
  }
}

class Last implements Accumulator {
  private value: unknown;
  add(v: unknown): void {
    this.value = v;
  }
  result(): unknown {
    return this.value ?? null;
  }
}

class Push implements Accumulator {
  private readonly values: unknown[] = [];
  add(v: unknown): void {
    if (v !== undefined) this.values.push(v);
  }
  result(): unknown {
    return this.values;
  }
}

class AddToSet implements Accumulator {
  private readonly values: unknown[] = [];
  private readonly keys = new Set<string>();
  add(v: unknown): void {
    if (v === undefined) return;
    const key = groupKey(v);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.values.push(v);
  }
  result(): unknown {
    return this.values;
  }
}

class MergeObjects implements Accumulator {
  private readonly merged: Document = {};
  add(v: unknown): void {
    if (isNullish(v)) return;
    if (!isObject(v)) throw aggError(40400, `$mergeObjects requires object inputs, but input ${JSON.stringify(v)} is of type ${typeName(v)}`);
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) this.merged[k] = x;
    }
  }
  result(): unknown {
    return this.merged;
  }
}

class StdDev implements Accumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  constructor(private readonly sample: boolean) {}
  add(v: unknown): void {
    if (!isNumber(v)) return;
    const x = asDouble(v);
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }
  result(): unknown {
    if (this.n === 0 || (this.sample && this.n < 2)) return null;
    return makeDouble(Math.sqrt(this.m2 / (this.sample ? this.n - 1 : this.n)));
  }
}

/** N-value accumulators ($firstN, $lastN, $maxN, $minN) keep all values and cut at the end. */
class NValues implements Accumulator {
  private readonly values: unknown[] = [];
  constructor(private readonly kind: 'first' | 'last' | 'max' | 'min', private readonly n: () => number) {}
  add(v: unknown): void {
    if ((this.kind === 'max' || this.kind === 'min') && isNullish(v)) return;
    this.values.push(v ?? null);
  }
  result(): unknown {
    const n = this.n();
    if (this.kind === 'first') return this.values.slice(0, n);
    if (this.kind === 'last') return this.values.slice(Math.max(0, this.values.length - n));
    const sorted = [...this.values].sort((a, b) => compareValues(a, b) * (this.kind === 'max' ? -1 : 1));
    return sorted.slice(0, n);
  }
}

/** The names of the accumulators usable in $group (and $bucket, $bucketAuto output). */
export const ACCUMULATOR_NAMES = [
  '$sum', '$avg', '$min', '$max', '$first', '$last', '$push', '$addToSet', '$count', '$mergeObjects', '$stdDevPop',
  '$stdDevSamp', '$firstN', '$lastN', '$maxN', '$minN', '$top', '$bottom', '$topN', '$bottomN',
] as const;

/** A compiled accumulator of a $group output field: the argument expression and a state factory. */
export interface CompiledAccumulator {
  readonly field: string;
  /** Evaluated per input document; its value is fed to the state. */
  readonly argument: Compiled;
  create(): Accumulator;
}

/** Compiles `{field: {$acc: expr}}` of a $group. */
export function compileAccumulator(field: string, spec: unknown, variables: string[]): CompiledAccumulator {
  if (field.includes('.')) throw aggError(40235, `The field name '${field}' cannot contain '.'`);
  if (field.startsWith('$')) throw aggError(40236, `The field name '${field}' cannot be an operator name`);
  if (!isObject(spec)) throw aggError(40234, `The field '${field}' must be an accumulator object`);
  const keys = Object.keys(spec);
  if (keys.length !== 1) throw aggError(40238, `The field '${field}' must specify one accumulator`);
  const name = keys[0];
  const arg = spec[name];
  const compile = (e: unknown): Compiled => compileExpression(e, variables);
  switch (name) {
    case '$sum': return { field, argument: compile(arg), create: () => new Sum() };
    case '$avg': return { field, argument: compile(arg), create: () => new Avg() };
    case '$min': return { field, argument: compile(arg), create: () => new MinMax(-1) };
    case '$max': return { field, argument: compile(arg), create: () => new MinMax(1) };
    case '$first': return { field, argument: compile(arg), create: () => new First() };
    case '$last': return { field, argument: compile(arg), create: () => new Last() };
    case '$push': return { field, argument: compile(arg), create: () => new Push() };
    case '$addToSet': return { field, argument: compile(arg), create: () => new AddToSet() };
    case '$mergeObjects': return { field, argument: compile(arg), create: () => new MergeObjects() };
    case '$stdDevPop': return { field, argument: compile(arg), create: () => new StdDev(false) };
    case '$stdDevSamp': return { field, argument: compile(arg), create: () => new StdDev(true) };
    case '$count': {
      if (!isObject(arg) || Object.keys(arg).length) throw aggError(40237, "$count takes no arguments, i.e. $count:{}");
      return { field, argument: () => 1, create: () => new Sum() };
    }
    case '$firstN': case '$lastN': case '$maxN': case '$minN': {
      if (!isObject(arg) || !('input' in arg) || !('n' in arg)) throw aggError(5787901, `${name} requires 'input' and 'n' fields`);
      const input = compile(arg.input);
      const n = constantN(name, arg.n);
      const kind = name.slice(1, -1) as 'first' | 'last' | 'max' | 'min';
      return { field, argument: input, create: () => new NValues(kind, () => n) };
    }
    case '$top': case '$bottom': case '$topN': case '$bottomN':
      return compileTopBottom(field, name, arg, variables);
    default:
      throw aggError(15952, `unknown group operator '${name}'`);
  }
}

function constantN(name: string, n: unknown): number {
  if (!isNumber(n) || !Number.isInteger(asDouble(n))) throw aggError(5787902, `Value for 'n' must be of integral type, but found ${JSON.stringify(n)}`);
  if (asDouble(n) <= 0) throw aggError(5787908, `'n' must be greater than 0, found ${asDouble(n)}`);
  void name;
  return asDouble(n);
}

function compileTopBottom(field: string, name: string, arg: unknown, variables: string[]): CompiledAccumulator {
  if (!isObject(arg) || !('output' in arg) || !('sortBy' in arg)) throw aggError(5788001, `${name} requires 'output' and 'sortBy' fields`);
  const single = name === '$top' || name === '$bottom';
  const n = single ? 1 : constantN(name, arg.n);
  const output = compileExpression(arg.output, variables);
  const sortBy = Object.entries(arg.sortBy as Document).map(([path, dir]) => ({ path: path.split('.'), dir: asDouble(dir) < 0 ? -1 : 1 }));
  const bottom = name.startsWith('$bottom');
  const argument: Compiled = (vars) => ({ out: output(vars), keys: sortBy.map((k) => getSortValue(vars.CURRENT, k.path)) });
  return {
    field,
    argument,
    create: () => {
      const items: { out: unknown; keys: unknown[] }[] = [];
      return {
        add: (v) => items.push(v as { out: unknown; keys: unknown[] }),
        result: () => {
          const sorted = [...items].sort((a, b) => {
            for (let i = 0; i < sortBy.length; i++) {
              const c = compareValues(a.keys[i], b.keys[i]) * sortBy[i].dir;
              if (c) return c;
            }
            return 0;
          });
          const chosen = bottom ? sorted.slice(Math.max(0, sorted.length - n)) : sorted.slice(0, n);
          const outs = chosen.map((x) => x.out ?? null);
          return single ? outs[0] ?? null : outs;
        },
      };
    },
  };
}

function getSortValue(doc: unknown, path: string[]): unknown {
  let v = doc;
  for (const p of path) {
    if (!isObject(v)) return null;
    v = v[p];
  }
  return v ?? null;
}

/** $sum, $avg, ... as expressions over an array (or over their arguments). */
export function foldValues(name: string, values: unknown[]): unknown {
  const acc = ((): Accumulator => {
    switch (name) {
      case '$sum': return new Sum();
      case '$avg': return new Avg();
      case '$min': return new MinMax(-1);
      case '$max': return new MinMax(1);
      case '$stdDevPop': return new StdDev(false);
      default: return new StdDev(true);
    }
  })();
  for (const v of values) acc.add(v);
  return acc.result();
}
