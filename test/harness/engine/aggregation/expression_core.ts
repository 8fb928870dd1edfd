import { Decimal128, Double, Int32, Long, type Document } from 'bson';
import { CommandError } from '../../errors.js';
import { typeName } from '../query/bson_types.js';
import { asDouble, isNumber } from './numeric.js';

/**
 * The variables visible to an expression at run time: `ROOT`, `CURRENT`, `NOW`, user variables. Scopes made by
 * `$let`, `$map`, `$filter`, ... inherit from their parent through the prototype chain.
 */
export type Variables = Record<string, unknown>;

/** A compiled expression: evaluates against the variables; `undefined` is mongod's "missing" value. */
export type Compiled = (vars: Variables) => unknown;

/** What compiling an expression needs: the variable names in scope (to refuse undefined ones, as mongod does). */
export interface ParseContext {
  readonly defined: ReadonlySet<string>;
  compile(expr: unknown, ctx?: ParseContext): Compiled;
  /** A context with further variable names defined (for $let, $map, $filter, $reduce). */
  with(names: string[]): ParseContext;
}

/** Compiles the arguments of one operator. */
export type OperatorCompiler = (args: unknown, ctx: ParseContext, name: string) => Compiled;

/**
 * An error raised by an expression with mongod's code: a numeric assertion id (codeName `Location<code>`) or an
 * error_codes.yml value, whose name {@link CommandError} looks up.
 */
export function aggError(code: number, message: string): CommandError {
  return CommandError.fromCode(code, message);
}

/** True for a plain embedded document (not an array or another BSON class). */
export function isObject(v: unknown): v is Document {
  return typeName(v) === 'object';
}

/** True for null, undefined or missing: the "nullish" values most operators answer null for. */
export function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

/** mongod's Value::coerceToBool: false, null, missing and numeric zero are false; all else true. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (isNumber(v)) {
    if (v instanceof Decimal128) return !/^-?0(\.0*)?(E[+-]?\d+)?$/i.test(v.toString());
    return asDouble(v) !== 0;
  }
  return true;
}

/** Array elements as compiled argument expressions; a non-array argument is a single argument. */
export function argList(args: unknown): unknown[] {
  return Array.isArray(args) ? args : [args];
}

/** Refuses an argument count other than `n` (code 16020), as mongod's fixed-arity expressions do. */
export function expectArgs(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    if (min === max) {
      throw aggError(16020, `Expression ${name} takes exactly ${min} arguments. ${args.length} were passed in.`);
    }
    if (args.length < min) {
      throw aggError(16020, `Expression ${name} takes at least ${min} arguments, and at most ${max}. ${args.length} were passed in.`);
    }
    throw aggError(16020, `Expression ${name} takes at least ${min} arguments, and at most ${max}. ${args.length} were passed in.`);
  }
}

/** Compiles a fixed-arity operator whose evaluated arguments are handed to `fn`. */
export function fixed(n: number, fn: (values: unknown[], name: string) => unknown, max = n): OperatorCompiler {
  return (args, ctx, name) => {
    const list = argList(args);
    expectArgs(name, list, n, max);
    const compiled = list.map((a) => ctx.compile(a));
    return (vars) => fn(compiled.map((c) => c(vars)), name);
  };
}

/** Compiles a variadic operator. */
export function variadic(fn: (values: unknown[], name: string) => unknown): OperatorCompiler {
  return (args, ctx, name) => {
    const compiled = argList(args).map((a) => ctx.compile(a));
    return (vars) => fn(compiled.map((c) => c(vars)), name);
  };
}

/** Reads an operator's named arguments object, refusing unknown names (mongod codes vary per operator). */
export function namedArgs(name: string, args: unknown, allowed: string[], required: string[], code = 40181): Document {
  if (!isObject(args)) throw aggError(code, `${name} only supports an object as its argument`);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw aggError(code, `Unrecognized parameter to ${name}: ${key}`);
  }
  for (const key of required) {
    if (!(key in args)) throw aggError(code, `Missing '${key}' parameter to ${name}`);
  }
  return args;
}

/**
 * The optional start or end index of $indexOfArray, $indexOfBytes and $indexOfCP: an integral (40096),
 * nonnegative (40097) number; `fallback` when absent.
 */
export function indexBound(v: unknown, which: 'start' | 'end', fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!isNumber(v) || !Number.isInteger(asDouble(v))) {
    throw aggError(40096, `${name} requires an integral ${which} index, found a value of type: ${typeName(v)}, with value: ${show(v)}`);
  }
  if (asDouble(v) < 0) throw aggError(40097, `${name} requires a nonnegative ${which} index, found: ${asDouble(v)}`);
  return asDouble(v);
}

/** A value's string form for error messages (close to mongod's `Value::toString`). */
export function show(v: unknown): string {
  if (v === undefined) return 'MISSING';
  if (typeof v === 'string') return `"${v}"`;
  if (v instanceof Int32 || v instanceof Double) return String(v.value);
  if (v instanceof Long || v instanceof Decimal128) return v.toString();
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v instanceof Date) return v.toISOString();
  if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  return String(v);
}

/**
 * Reads a field path (`a.b.c`) from a document as aggregation does: an array on the way yields the values of the
 * rest of the path in each of its document elements (non-documents skipped), so `$a.b` of `{a: [{b: 1}, {b: 2}]}`
 * is `[1, 2]`.
 */
export function getPath(value: unknown, path: readonly string[], index = 0): unknown {
  if (index >= path.length) return value;
  if (!isObject(value)) return undefined;
  const next = Object.prototype.hasOwnProperty.call(value, path[index]) ? (value as Document)[path[index]] : undefined;
  if (index === path.length - 1) return next;
  if (Array.isArray(next)) {
    const out: unknown[] = [];
    for (const element of next) {
      if (!isObject(element)) continue;
      const nested = getPath(element, path, index + 1);
      if (nested !== undefined) out.push(nested);
    }
    return out;
  }
  return getPath(next, path, index + 1);
}
