import { Int32, type Document } from 'bson';
import { compareValues, valuesEqual } from '../bson_order.js';
import {
  aggError, argList, fixed, indexBound, isNullish, isObject, show, truthy, variadic, type OperatorCompiler, type Variables,
} from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { asDouble, isNumber } from './numeric.js';
import { groupKey } from './group_key.js';

function int32Arg(v: unknown): boolean {
  return isNumber(v) && Number.isInteger(asDouble(v)) && asDouble(v) >= -(2 ** 31) && asDouble(v) < 2 ** 31;
}

function arrayElemAt(values: unknown[], name: string): unknown {
  const [arr, idx] = values;
  if (isNullish(arr) || isNullish(idx)) return null;
  if (!Array.isArray(arr)) throw aggError(28689, `${name}'s first argument must be an array, but is ${typeName(arr)}`);
  if (!isNumber(idx)) throw aggError(28690, `${name}'s second argument must be a numeric value, but is ${typeName(idx)}`);
  if (!int32Arg(idx)) throw aggError(28691, `${name}'s second argument must be representable as a 32-bit integer: ${show(idx)}`);
  const i = asDouble(idx);
  const at = i < 0 ? arr.length + i : i;
  return at >= 0 && at < arr.length ? arr[at] : undefined;
}

function firstLast(which: 'first' | 'last'): OperatorCompiler {
  return fixed(1, ([arr], name) => {
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) throw aggError(28689, `${name}'s argument must be an array, but is ${typeName(arr)}`);
    if (arr.length === 0) return undefined;
    return which === 'first' ? arr[0] : arr[arr.length - 1];
  });
}

/** Reads `{input, as, ...}` style arguments (for $map, $filter, $reduce, $zip, $sortArray). */
function objectArgs(args: unknown, name: string, allowed: string[], codes: { type: number; unknown: number }): Document {
  if (!isObject(args)) throw aggError(codes.type, `${name} only supports an object as its argument`);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw aggError(codes.unknown, `Unrecognized parameter to ${name}: ${key}`);
  }
  return args;
}

function sliceArray(values: unknown[]): unknown {
  const [arr, a, b] = values;
  if (values.some((v) => isNullish(v))) return null;
  if (!Array.isArray(arr)) throw aggError(28724, `First argument to $slice must be an array, but is of type: ${typeName(arr)}`);
  if (!isNumber(a)) throw aggError(28725, `Second argument to $slice must be a numeric value, but is of type: ${typeName(a)}`);
  if (!int32Arg(a)) throw aggError(28726, `Second argument to $slice can't be represented as a 32-bit integer: ${show(a)}`);
  if (values.length === 2) {
    const n = asDouble(a);
    return n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
  }
  if (!isNumber(b)) throw aggError(28727, `Third argument to $slice must be numeric, but is of type: ${typeName(b)}`);
  if (!int32Arg(b)) throw aggError(28728, `Third argument to $slice can't be represented as a 32-bit integer: ${show(b)}`);
  const n = asDouble(b);
  if (n <= 0) throw aggError(28729, `Third argument to $slice must be positive: ${show(b)}`);
  let start = asDouble(a);
  if (start < 0) start = Math.max(0, arr.length + start);
  return arr.slice(start, start + n);
}

function range(values: unknown[]): unknown {
  const [start, end, step] = values;
  if (!isNumber(start)) throw aggError(34443, `$range requires a numeric starting value, found value of type: ${typeName(start)}`);
  if (!int32Arg(start)) throw aggError(34444, `$range requires a starting value that can be represented as a 32-bit integer, found value: ${show(start)}`);
  if (!isNumber(end)) throw aggError(34445, `$range requires a numeric ending value, found value of type: ${typeName(end)}`);
  if (!int32Arg(end)) throw aggError(34446, `$range requires an ending value that can be represented as a 32-bit integer, found value: ${show(end)}`);
  let s = 1;
  if (step !== undefined) {
    if (!isNumber(step)) throw aggError(34447, `$range requires a numeric step value, found value of type:${typeName(step)}`);
    if (!int32Arg(step)) throw aggError(34448, `$range requires a step value that can be represented as a 32-bit integer, found value: ${show(step)}`);
    s = asDouble(step);
    if (s === 0) throw aggError(34449, '$range requires a non-zero step value');
  }
  const out: Int32[] = [];
  const e = asDouble(end);
  for (let i = asDouble(start); s > 0 ? i < e : i > e; i += s) out.push(new Int32(i));
  return out;
}

function arrayToObject(values: unknown[]): unknown {
  const [arr] = values;
  if (isNullish(arr)) return null;
  if (!Array.isArray(arr)) throw aggError(40386, `$arrayToObject requires an array input, found: ${typeName(arr)}`);
  const out: Document = {};
  if (arr.length === 0) return out;
  const pairs = Array.isArray(arr[0]);
  for (const item of arr) {
    let k: unknown;
    let v: unknown;
    if (pairs) {
      if (!Array.isArray(item)) throw aggError(40396, `$arrayToObject requires a consistent input format. Elements must all be arrays or all be objects. Array was detected, now found: ${typeName(item)}`);
      if (item.length !== 2) throw aggError(40397, `$arrayToObject requires an array of size 2 arrays,found array of size: ${item.length}`);
      [k, v] = item;
      if (typeof k !== 'string') throw aggError(40395, `$arrayToObject requires an array of key-value pairs, where the key must be of type string. Found key type: ${typeName(k)}`);
    } else if (isObject(item)) {
      const keys = Object.keys(item);
      if (keys.length !== 2) throw aggError(40392, `$arrayToObject requires an object keys of 'k' and 'v'. Found incorrect number of keys:${keys.length}`);
      if (!('k' in item) || !('v' in item)) throw aggError(40393, `$arrayToObject requires an object with keys 'k' and 'v'. Missing either or both keys from: ${show(item)}`);
      k = item.k;
      v = item.v;
      if (typeof k !== 'string') throw aggError(40394, `$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string. Found type: ${typeName(k)}`);
    } else {
      throw aggError(40398, `Unrecognised input type format for $arrayToObject: ${typeName(item)}`);
    }
    if ((k as string).includes('\0')) throw aggError(4940400, "Key field cannot contain an embedded null byte");
    out[k as string] = v;
  }
  return out;
}

function setOf(values: unknown[], name: string): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const key = groupKey(v);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  void name;
  return out;
}

function requireArrays(values: unknown[], name: string, code: number): unknown[][] | null {
  if (values.some((v) => isNullish(v))) return null;
  values.forEach((v, i) => {
    if (!Array.isArray(v)) throw aggError(code, `All operands of ${name} must be arrays. ${i === 0 ? 'One' : 'One'} argument is of type: ${typeName(v)}`);
  });
  return values as unknown[][];
}

export const ARRAY_OPERATORS: Record<string, OperatorCompiler> = {
  $size: fixed(1, ([arr]) => {
    if (!Array.isArray(arr)) throw aggError(17124, `The argument to $size must be an array. Type of argument: ${typeName(arr)}`);
    return new Int32(arr.length);
  }),
  $arrayElemAt: fixed(2, arrayElemAt),
  $first: firstLast('first'),
  $last: firstLast('last'),
  $in: fixed(2, ([v, arr]) => {
    if (!Array.isArray(arr)) throw aggError(40081, `$in requires an array as a second argument, found: ${typeName(arr)}`);
    return arr.some((x) => valuesEqual(x, v));
  }),
  $indexOfArray: fixed(2, ([arr, search, start, end], name) => {
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) throw aggError(40090, `${name} requires an array as a first argument, found: ${typeName(arr)}`);
    const from = indexBound(start, 'start', 0, name);
    const to = Math.min(indexBound(end, 'end', arr.length, name), arr.length);
    for (let i = from; i < to; i++) if (valuesEqual(arr[i], search)) return new Int32(i);
    return new Int32(-1);
  }, 4),
  $concatArrays: variadic((values) => {
    const out: unknown[] = [];
    for (const v of values) {
      if (isNullish(v)) return null;
      if (!Array.isArray(v)) throw aggError(28664, `$concatArrays only supports arrays, not ${typeName(v)}`);
      out.push(...v);
    }
    return out;
  }),
  $isArray: fixed(1, ([v]) => Array.isArray(v)),
  $reverseArray: fixed(1, ([v]) => {
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) throw aggError(34435, `The argument to $reverseArray must be an array, but was of type: ${typeName(v)}`);
    return [...v].reverse();
  }),
  $slice: fixed(2, sliceArray, 3),
  $range: fixed(2, range, 3),
  $arrayToObject: fixed(1, arrayToObject),
  $objectToArray: fixed(1, ([v]) => {
    if (isNullish(v)) return null;
    if (!isObject(v)) throw aggError(40390, `$objectToArray requires a document input, found: ${typeName(v)}`);
    return Object.entries(v).map(([k, x]) => ({ k, v: x }));
  }),
  $mergeObjects: variadic((values) => {
    const out: Document = {};
    for (const v of values) {
      if (isNullish(v)) continue;
      if (!isObject(v)) throw aggError(40400, `$mergeObjects requires object inputs, but input ${show(v)} is of type ${typeName(v)}`);
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = x;
    }
    return out;
  }),
  $filter: (args, ctx, name) => {
    const a = objectArgs(args, name, ['input', 'as', 'cond', 'limit'], { type: 28646, unknown: 28647 });
    if (!('input' in a)) throw aggError(28648, "Missing 'input' parameter to $filter");
    if (!('cond' in a)) throw aggError(28650, "Missing 'cond' parameter to $filter");
    const as = typeof a.as === 'string' ? a.as : 'this';
    const input = ctx.compile(a.input);
    const cond = ctx.compile(a.cond, ctx.with([as]));
    const limit = 'limit' in a ? ctx.compile(a.limit) : undefined;
    return (vars) => {
      const arr = input(vars);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr)) throw aggError(28651, `input to $filter must be an array not ${typeName(arr)}`);
      let max = Infinity;
      if (limit) {
        const l = limit(vars);
        if (!isNullish(l)) {
          if (!int32Arg(l)) throw aggError(327391, `$filter: limit must be represented as a 32-bit integral value: ${show(l)}`);
          if (asDouble(l) < 1) throw aggError(327392, `$filter: limit must be greater than 0: ${show(l)}`);
          max = asDouble(l);
        }
      }
      const out: unknown[] = [];
      const scope: Variables = Object.create(vars);
      for (const item of arr) {
        if (out.length >= max) break;
        scope[as] = item;
        if (truthy(cond(scope))) out.push(item);
      }
      return out;
    };
  },
  $map: (args, ctx, name) => {
    const a = objectArgs(args, name, ['input', 'as', 'in'], { type: 16878, unknown: 16879 });
    if (!('input' in a)) throw aggError(16880, "Missing 'input' parameter to $map");
    if (!('in' in a)) throw aggError(16882, "Missing 'in' parameter to $map");
    const as = typeof a.as === 'string' ? a.as : 'this';
    const input = ctx.compile(a.input);
    const inner = ctx.compile(a.in, ctx.with([as]));
    return (vars) => {
      const arr = input(vars);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr)) throw aggError(16883, `input to $map must be an array not ${typeName(arr)}`);
      const scope: Variables = Object.create(vars);
      return arr.map((item) => {
        scope[as] = item;
        return inner(scope) ?? null;
      });
    };
  },
  $reduce: (args, ctx, name) => {
    const a = objectArgs(args, name, ['input', 'initialValue', 'in'], { type: 40075, unknown: 40076 });
    if (!('input' in a)) throw aggError(40077, "$reduce requires 'input' to be specified");
    if (!('initialValue' in a)) throw aggError(40078, "$reduce requires 'initialValue' to be specified");
    if (!('in' in a)) throw aggError(40079, "$reduce requires 'in' to be specified");
    const input = ctx.compile(a.input);
    const initial = ctx.compile(a.initialValue);
    const inner = ctx.compile(a.in, ctx.with(['value', 'this']));
    return (vars) => {
      const arr = input(vars);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr)) throw aggError(40080, `$reduce requires that 'input' be an array, found: ${show(arr)}`);
      let acc = initial(vars);
      const scope: Variables = Object.create(vars);
      for (const item of arr) {
        scope.value = acc;
        scope.this = item;
        acc = inner(scope);
      }
      return acc;
    };
  },
  $zip: (args, ctx, name) => {
    const a = objectArgs(args, name, ['inputs', 'useLongestLength', 'defaults'], { type: 34460, unknown: 34464 });
    if (!Array.isArray(a.inputs)) throw aggError(34461, `inputs must be an array of expressions, found ${typeName(a.inputs)}`);
    const longest = a.useLongestLength === true;
    if ('useLongestLength' in a && typeof a.useLongestLength !== 'boolean') throw aggError(34463, `useLongestLength must be a bool, found ${typeName(a.useLongestLength)}`);
    if ('defaults' in a && !Array.isArray(a.defaults)) throw aggError(34462, `defaults must be an array of expressions, found ${typeName(a.defaults)}`);
    if (a.defaults && !longest) throw aggError(34466, 'cannot specify defaults unless useLongestLength is true');
    if (a.defaults && (a.defaults as unknown[]).length !== a.inputs.length) throw aggError(34467, 'defaults and inputs must be the same length');
    const inputs = (a.inputs as unknown[]).map((e) => ctx.compile(e));
    const defaults = ((a.defaults as unknown[] | undefined) ?? []).map((e) => ctx.compile(e));
    return (vars) => {
      const arrays: unknown[][] = [];
      for (const c of inputs) {
        const v = c(vars);
        if (isNullish(v)) return null;
        if (!Array.isArray(v)) throw aggError(34468, `$zip found a non-array expression in input: ${show(v)}`);
        arrays.push(v);
      }
      const fills = defaults.map((c) => c(vars) ?? null);
      const n = arrays.length === 0 ? 0 : longest ? Math.max(...arrays.map((x) => x.length)) : Math.min(...arrays.map((x) => x.length));
      const out: unknown[][] = [];
      for (let i = 0; i < n; i++) out.push(arrays.map((arr, j) => (i < arr.length ? arr[i] : fills[j] ?? null)));
      return out;
    };
  },
  $sortArray: (args, ctx, name) => {
    const a = objectArgs(args, name, ['input', 'sortBy'], { type: 2942500, unknown: 2942501 });
    if (!('input' in a)) throw aggError(2942502, "$sortArray requires 'input' to be specified");
    if (!('sortBy' in a)) throw aggError(2942503, "$sortArray requires 'sortBy' to be specified");
    const input = ctx.compile(a.input);
    const sortBy = a.sortBy;
    let compare: (x: unknown, y: unknown) => number;
    if (isNumber(sortBy)) {
      const dir = asDouble(sortBy) < 0 ? -1 : 1;
      compare = (x, y) => compareValues(x, y) * dir;
    } else if (isObject(sortBy)) {
      const keys = Object.entries(sortBy).map(([p, d]) => ({ path: p.split('.'), dir: asDouble(d) < 0 ? -1 : 1 }));
      const get = (v: unknown, path: string[]): unknown => {
        let x = v;
        for (const p of path) {
          if (!isObject(x)) return undefined;
          x = x[p];
        }
        return x ?? null;
      };
      compare = (x, y) => {
        for (const k of keys) {
          const c = compareValues(get(x, k.path), get(y, k.path)) * k.dir;
          if (c) return c;
        }
        return 0;
      };
    } else {
      throw aggError(2942505, `$sortArray requires 'sortBy' to be an object or a number, found: ${typeName(sortBy)}`);
    }
    return (vars) => {
      const arr = input(vars);
      if (isNullish(arr)) return null;
      if (!Array.isArray(arr)) throw aggError(2942504, `The input argument to $sortArray must be an array, but was of type: ${typeName(arr)}`);
      return [...arr].sort(compare);
    };
  },
  $setUnion: variadic((values, name) => {
    const arrays = requireArrays(values, name, 17043);
    return arrays ? setOf(arrays.flat(), name) : null;
  }),
  $setIntersection: variadic((values, name) => {
    const arrays = requireArrays(values, name, 17047);
    if (!arrays) return null;
    if (arrays.length === 0) return [];
    const [first, ...rest] = arrays;
    return setOf(first, name).filter((v) => rest.every((arr) => arr.some((x) => valuesEqual(x, v))));
  }),
  $setDifference: fixed(2, ([a, b], name) => {
    if (isNullish(a) || isNullish(b)) return null;
    if (!Array.isArray(a) || !Array.isArray(b)) {
      throw aggError(17048, `both operands of ${name} must be arrays. ${Array.isArray(a) ? 'Second' : 'First'} argument is of type: ${typeName(Array.isArray(a) ? b : a)}`);
    }
    return setOf(a, name).filter((v) => !b.some((x) => valuesEqual(x, v)));
  }),
  $setEquals: (args, ctx, name) => {
    const list = argList(args);
    if (list.length < 2) throw aggError(17045, `${name} needs at least two arguments had: ${list.length}`);
    const compiled = list.map((e) => ctx.compile(e));
    return (vars) => {
      const arrays = compiled.map((c) => c(vars));
      arrays.forEach((v) => {
        if (!Array.isArray(v)) throw aggError(17044, `All operands of ${name} must be arrays. One argument is of type: ${typeName(v)}`);
      });
      const keys = (arrays as unknown[][]).map((a) => new Set(a.map(groupKey)));
      return keys.every((k) => k.size === keys[0].size && [...k].every((x) => keys[0].has(x)));
    };
  },
  $setIsSubset: fixed(2, ([a, b], name) => {
    if (!Array.isArray(a)) throw aggError(17046, `both operands of ${name} must be arrays. First argument is of type: ${typeName(a)}`);
    if (!Array.isArray(b)) throw aggError(17042, `both operands of ${name} must be arrays. Second argument is of type: ${typeName(b)}`);
    const keys = new Set(b.map(groupKey));
    return a.every((v) => keys.has(groupKey(v)));
  }),
  $anyElementTrue: fixed(1, ([a], name) => {
    if (!Array.isArray(a)) throw aggError(17041, `${name}'s argument must be an array, but is ${typeName(a)}`);
    return a.some(truthy);
  }),
  $allElementsTrue: fixed(1, ([a], name) => {
    if (!Array.isArray(a)) throw aggError(17040, `${name}'s argument must be an array, but is ${typeName(a)}`);
    return a.every(truthy);
  }),
};

