import { Int32, type Document } from 'bson';
import { canonicalRank, compareValues } from '../bson_order.js';
import { aggError, isObject, show, type Compiled, type Variables } from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { compileExpression, rootVariables } from './expression.js';
import { compileAccumulator, type Accumulator, type CompiledAccumulator } from './accumulators.js';
import { groupKey } from './group_key.js';
import { asDouble, isNumber, makeDouble } from './numeric.js';

/** A stage over a whole input (blocking stages). */
export type StageFunction = (docs: Document[], base: Variables) => Document[];

interface Group {
  id: unknown;
  states: Accumulator[];
}

function groupBy(docs: Document[], base: Variables, key: Compiled, accumulators: CompiledAccumulator[]): Group[] {
  const groups = new Map<string, Group>();
  for (const doc of docs) {
    const vars = rootVariables(doc, base);
    const id = key(vars) ?? null;
    const k = groupKey(id);
    let group = groups.get(k);
    if (!group) {
      group = { id, states: accumulators.map((a) => a.create()) };
      groups.set(k, group);
    }
    accumulators.forEach((a, i) => group!.states[i].add(a.argument(vars)));
  }
  return [...groups.values()];
}

function compileOutputFields(spec: Document, variables: string[], skip: string[]): CompiledAccumulator[] {
  return Object.entries(spec).filter(([k]) => !skip.includes(k)).map(([field, acc]) => compileAccumulator(field, acc, variables));
}

/** `_id` of $group: an object of expressions keys on the computed sub-document (missing fields dropped). */
function compileGroupId(spec: unknown, variables: string[]): Compiled {
  return compileExpression(spec, variables);
}

/** $group. */
export function compileGroup(spec: unknown, variables: string[]): StageFunction {
  if (!isObject(spec)) throw aggError(15947, 'a group\'s fields must be specified in an object');
  if (!('_id' in spec)) throw aggError(15955, 'a group specification must include an _id');
  const key = compileGroupId(spec._id, variables);
  const accumulators = compileOutputFields(spec, variables, ['_id']);
  return (docs, base) => {
    // With no input, a constant _id still yields no group (mongod returns nothing for an empty input).
    return groupBy(docs, base, key, accumulators).map((g) => {
      const out: Document = { _id: g.id };
      accumulators.forEach((a, i) => {
        out[a.field] = g.states[i].result();
      });
      return out;
    });
  };
}

/** $count. */
export function compileCount(spec: unknown): StageFunction {
  if (typeof spec !== 'string') throw aggError(40156, 'the count field must be a non-empty string');
  if (spec.length === 0) throw aggError(40157, 'the count field must be a non-empty string');
  if (spec.startsWith('$')) throw aggError(40158, 'the count field cannot be a $-prefixed path');
  if (spec.includes('.')) throw aggError(40160, "the count field cannot contain '.'");
  return (docs) => (docs.length === 0 ? [] : [{ [spec]: new Int32(docs.length) }]);
}

/** $sortByCount: $group {_id: expr, count: {$sum: 1}} then $sort {count: -1}. */
export function compileSortByCount(spec: unknown, variables: string[]): StageFunction {
  const isFieldPath = typeof spec === 'string' && spec.startsWith('$');
  const isOperator = isObject(spec) && Object.keys(spec).length === 1 && Object.keys(spec)[0].startsWith('$');
  if (!isFieldPath && !isOperator) {
    throw aggError(40147, 'the sortByCount field must be defined as a $-prefixed path or an expression inside an object');
  }
  const group = compileGroup({ _id: spec, count: { $sum: new Int32(1) } }, variables);
  return (docs, base) => group(docs, base).sort((a, b) => compareValues(b.count, a.count));
}

/** $bucket: documents grouped by the boundary range their groupBy value falls in. */
export function compileBucket(spec: unknown, variables: string[]): StageFunction {
  if (!isObject(spec)) throw aggError(40201, `Argument to $bucket stage must be an object, but found type: ${typeName(spec)}.`);
  for (const key of Object.keys(spec)) {
    if (!['groupBy', 'boundaries', 'default', 'output'].includes(key)) throw aggError(40197, `Unrecognized option to $bucket: ${key}.`);
  }
  if (!('groupBy' in spec) || !('boundaries' in spec)) {
    throw aggError(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  const groupByIsPath = typeof spec.groupBy === 'string' && spec.groupBy.startsWith('$');
  const groupByIsOperator = isObject(spec.groupBy) && Object.keys(spec.groupBy)[0]?.startsWith('$');
  if (!groupByIsPath && !groupByIsOperator) {
    throw aggError(40202, `The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression, but found: ${show(spec.groupBy)}.`);
  }
  const boundaries = spec.boundaries;
  if (!Array.isArray(boundaries) || boundaries.length < 2) {
    throw aggError(40192, `The $bucket 'boundaries' field must be an array of values. At least 2 values are required.`);
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (canonicalRank(boundaries[i]) !== canonicalRank(boundaries[0])) {
      throw aggError(40193, `All values in the the 'boundaries' option to $bucket must have the same type. Found conflicting types ${typeName(boundaries[0])} and ${typeName(boundaries[i])}.`);
    }
    if (compareValues(boundaries[i - 1], boundaries[i]) >= 0) {
      throw aggError(40194, `The 'boundaries' option to $bucket must be sorted in ascending order, but elements ${i - 1} and ${i} are not in ascending order (${show(boundaries[i - 1])} is not less than ${show(boundaries[i])}).`);
    }
  }
  const hasDefault = 'default' in spec;
  if (hasDefault && compareValues(spec.default, boundaries[0]) >= 0 && compareValues(spec.default, boundaries[boundaries.length - 1]) < 0 && canonicalRank(spec.default) === canonicalRank(boundaries[0])) {
    throw aggError(40199, 'The $bucket \'default\' field must be less than the lowest boundary or greater than or equal to the highest boundary.');
  }
  const groupByExpr = compileExpression(spec.groupBy, variables);
  const output = isObject(spec.output) ? spec.output : { count: { $sum: new Int32(1) } };
  const accumulators = compileOutputFields(output, variables, []);
  const key: Compiled = (vars) => {
    const v = groupByExpr(vars) ?? null;
    if (compareValues(v, boundaries[0]) >= 0 && compareValues(v, boundaries[boundaries.length - 1]) < 0) {
      let lo = 0;
      while (lo + 1 < boundaries.length - 1 && compareValues(v, boundaries[lo + 1]) >= 0) lo++;
      return { bucket: lo };
    }
    if (!hasDefault) {
      throw aggError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
    }
    return { bucket: -1 };
  };
  return (docs, base) => {
    const groups = groupBy(docs, base, key, accumulators);
    return groups
      .map((g) => ({ id: (g.id as { bucket: number }).bucket === -1 ? spec.default : boundaries[(g.id as { bucket: number }).bucket], g }))
      .sort((a, b) => compareValues(a.id, b.id))
      .map(({ id, g }) => {
        const out: Document = { _id: id };
        accumulators.forEach((a, i) => {
          out[a.field] = g.states[i].result();
        });
        return out;
      });
  };
}

/** Preferred number series for $bucketAuto's granularity. */
const SERIES: Record<string, number[]> = {
  R5: [1.0, 1.6, 2.5, 4.0, 6.3],
  R10: [1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0],
  R20: [1.0, 1.12, 1.25, 1.4, 1.6, 1.8, 2.0, 2.24, 2.5, 2.8, 3.15, 3.55, 4.0, 4.5, 5.0, 5.6, 6.3, 7.1, 8.0, 9.0],
  R40: [1.0, 1.06, 1.12, 1.18, 1.25, 1.32, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.12, 2.24, 2.36, 2.5, 2.65, 2.8, 3.0, 3.15, 3.35, 3.55, 3.75, 4.0, 4.25, 4.5, 4.75, 5.0, 5.3, 5.6, 6.0, 6.3, 6.7, 7.1, 7.5, 8.0, 8.5, 9.0, 9.5],
  R80: [1.0, 1.03, 1.06, 1.09, 1.12, 1.15, 1.18, 1.22, 1.25, 1.28, 1.32, 1.36, 1.4, 1.45, 1.5, 1.55, 1.6, 1.65, 1.7, 1.75, 1.8, 1.85, 1.9, 1.95, 2.0, 2.06, 2.12, 2.18, 2.24, 2.3, 2.36, 2.43, 2.5, 2.58, 2.65, 2.72, 2.8, 2.9, 3.0, 3.07, 3.15, 3.25, 3.35, 3.45, 3.55, 3.65, 3.75, 3.87, 4.0, 4.12, 4.25, 4.37, 4.5, 4.62, 4.75, 4.87, 5.0, 5.15, 5.3, 5.45, 5.6, 5.8, 6.0, 6.15, 6.3, 6.5, 6.7, 6.9, 7.1, 7.3, 7.5, 7.75, 8.0, 8.25, 8.5, 8.75, 9.0, 9.25, 9.5, 9.75],
  '1-2-5': [1, 2, 5],
  E6: [1.0, 1.5, 2.2, 3.3, 4.7, 6.8],
  E12: [1.0, 1.2, 1.5, 1.8, 2.2, 2.7, 3.3, 3.9, 4.7, 5.6, 6.8, 8.2],
  E24: [1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1],
  E48: [1.0, 1.05, 1.1, 1.15, 1.21, 1.27, 1.33, 1.4, 1.47, 1.54, 1.62, 1.69, 1.78, 1.87, 1.96, 2.05, 2.15, 2.26, 2.37, 2.49, 2.61, 2.74, 2.87, 3.01, 3.16, 3.32, 3.48, 3.65, 3.83, 4.02, 4.22, 4.42, 4.64, 4.87, 5.11, 5.36, 5.62, 5.9, 6.19, 6.49, 6.81, 7.15, 7.5, 7.87, 8.25, 8.66, 9.09, 9.53],
  E96: [],
  E192: [],
};

function roundToSeries(x: number, granularity: string, up: boolean): number {
  if (x === 0) return 0;
  if (granularity === 'POWERSOF2') {
    const p = 2 ** (up ? Math.floor(Math.log2(x)) + 1 : Math.ceil(Math.log2(x)) - 1);
    return p;
  }
  const series = SERIES[granularity];
  const exp = Math.floor(Math.log10(x));
  const candidates: number[] = [];
  for (let e = exp - 1; e <= exp + 1; e++) for (const s of series) candidates.push(Number((s * 10 ** e).toPrecision(12)));
  candidates.sort((a, b) => a - b);
  if (up) return candidates.find((c) => c > x) ?? x;
  return [...candidates].reverse().find((c) => c < x) ?? x;
}

/** $bucketAuto: `buckets` groups of about equal size over the sorted groupBy values. */
export function compileBucketAuto(spec: unknown, variables: string[]): StageFunction {
  if (!isObject(spec)) throw aggError(40240, `The argument to $bucketAuto must be an object, but found type: ${typeName(spec)}.`);
  for (const key of Object.keys(spec)) {
    if (!['groupBy', 'buckets', 'output', 'granularity'].includes(key)) throw aggError(40245, `Unrecognized option to $bucketAuto: ${key}.`);
  }
  if (!('groupBy' in spec) || !('buckets' in spec)) throw aggError(40246, "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
  if (!isNumber(spec.buckets) || !Number.isInteger(asDouble(spec.buckets))) {
    throw aggError(40241, `The $bucketAuto 'buckets' field must be a numeric value, but found type: ${typeName(spec.buckets)}`);
  }
  const n = asDouble(spec.buckets);
  if (n <= 0) throw aggError(40243, `The $bucketAuto 'buckets' field must be greater than 0, but found: ${n}`);
  const granularity = spec.granularity as string | undefined;
  if (granularity !== undefined && granularity !== 'POWERSOF2' && !SERIES[granularity]?.length) {
    throw aggError(40257, `Rounding granularity not recognized: ${String(granularity)}`);
  }
  const groupBy = compileExpression(spec.groupBy, variables);
  const output = isObject(spec.output) ? spec.output : { count: { $sum: new Int32(1) } };
  const accumulators = compileOutputFields(output, variables, []);
  return (docs, base) => {
    const items = docs.map((doc) => {
      const vars = rootVariables(doc, base);
      const value = groupBy(vars) ?? null;
      if (granularity && (!isNumber(value) || asDouble(value) < 0)) {
        throw aggError(40258, `$bucketAuto can specify a 'granularity' with numeric boundaries only, but found a value with type: ${typeName(value)}`);
      }
      return { value, vars };
    }).sort((a, b) => compareValues(a.value, b.value));
    if (items.length === 0) return [];
    const size = Math.round(items.length / n);
    const buckets: { min: unknown; max: unknown; states: Accumulator[] }[] = [];
    let i = 0;
    while (i < items.length) {
      const bucket = { min: items[i].value, max: items[i].value, states: accumulators.map((a) => a.create()) };
      const take = Math.max(1, buckets.length === n - 1 ? items.length - i : size);
      let taken = 0;
      while (i < items.length && (taken < take || compareValues(items[i].value, bucket.max) === 0)) {
        bucket.max = items[i].value;
        accumulators.forEach((a, j) => bucket.states[j].add(a.argument(items[i].vars)));
        i++;
        taken++;
      }
      buckets.push(bucket);
    }
    // Each bucket's max is the next bucket's min; the last keeps its own maximum.
    const bounds = buckets.map((b, j) => ({ min: b.min, max: j + 1 < buckets.length ? buckets[j + 1].min : b.max }));
    if (granularity) {
      for (let j = 0; j < bounds.length; j++) {
        bounds[j].min = j === 0 ? makeDouble(roundToSeries(asDouble(bounds[j].min), granularity, false)) : bounds[j - 1].max;
        bounds[j].max = makeDouble(roundToSeries(asDouble(bounds[j].max), granularity, true));
      }
    }
    return buckets.map((b, j) => {
      const out: Document = { _id: { min: bounds[j].min, max: bounds[j].max } };
      accumulators.forEach((a, k) => {
        out[a.field] = b.states[k].result();
      });
      return out;
    });
  };
}
