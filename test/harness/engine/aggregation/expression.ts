import { Double, Int32, type Document } from 'bson';
import { compareValues } from '../bson_order.js';
import {
  aggError, argList, expectArgs, fixed, getPath, isNullish, isObject, namedArgs, truthy, variadic,
  type Compiled, type OperatorCompiler, type ParseContext, type Variables,
} from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { ARITHMETIC_OPERATORS } from './operators_arithmetic.js';
import { EXTRA_OPERATORS } from './operators_registry.js';

/** Variables every expression may use without defining them. */
const BUILTIN_VARIABLES = ['ROOT', 'CURRENT', 'REMOVE', 'NOW', 'CLUSTER_TIME', 'SEARCH_META', 'USER_ROLES'];

/** The marker value of `$$REMOVE`: evaluates to missing. */
const REMOVE: Compiled = () => undefined;

/** Comparisons use the full BSON order; missing ranks with undefined, below null (so missing != null). */
function compare(test: (c: number) => boolean): OperatorCompiler {
  return fixed(2, ([a, b]) => test(compareValues(a, b)));
}

const CORE_OPERATORS: Record<string, OperatorCompiler> = {
  $and: variadic((values) => values.every(truthy)),
  $or: variadic((values) => values.some(truthy)),
  $not: fixed(1, ([v]) => !truthy(v)),
  $eq: compare((c) => c === 0),
  $ne: compare((c) => c !== 0),
  $gt: compare((c) => c > 0),
  $gte: compare((c) => c >= 0),
  $lt: compare((c) => c < 0),
  $lte: compare((c) => c <= 0),
  $cmp: fixed(2, ([a, b]) => {
    const c = compareValues(a, b);
    return new Int32(c === 0 ? 0 : c < 0 ? -1 : 1);
  }),
  $literal: (args) => () => args,
  $cond: (args, ctx) => {
    let parts: unknown[];
    if (Array.isArray(args)) {
      expectArgs('$cond', args, 3);
      parts = args;
    } else if (isObject(args)) {
      for (const key of Object.keys(args)) {
        if (!['if', 'then', 'else'].includes(key)) throw aggError(17083, `Unrecognized parameter to $cond: ${key}`);
      }
      if (!('if' in args)) throw aggError(17080, "Missing 'if' parameter to $cond");
      if (!('then' in args)) throw aggError(17081, "Missing 'then' parameter to $cond");
      if (!('else' in args)) throw aggError(17082, "Missing 'else' parameter to $cond");
      parts = [args.if, args.then, args.else];
    } else {
      expectArgs('$cond', [args], 3);
      parts = [];
    }
    const [test, then, otherwise] = parts.map((p) => ctx.compile(p));
    return (vars) => (truthy(test(vars)) ? then(vars) : otherwise(vars));
  },
  $ifNull: (args, ctx) => {
    const list = argList(args);
    if (list.length < 2) throw aggError(1257300, '$ifNull needs at least two arguments, had: ' + list.length);
    const compiled = list.map((a) => ctx.compile(a));
    return (vars) => {
      for (let i = 0; i < compiled.length - 1; i++) {
        const v = compiled[i](vars);
        if (!isNullish(v)) return v;
      }
      return compiled[compiled.length - 1](vars);
    };
  },
  $switch: (args, ctx) => {
    if (!isObject(args)) throw aggError(40060, `$switch requires an object as an argument, found: ${typeName(args)}`);
    const branches: { case: Compiled; then: Compiled }[] = [];
    let fallback: Compiled | undefined;
    for (const [key, value] of Object.entries(args)) {
      if (key === 'branches') {
        if (!Array.isArray(value)) throw aggError(40061, `$switch expected an array for 'branches', found: ${typeName(value)}`);
        for (const b of value) {
          if (!isObject(b)) throw aggError(40062, `$switch expected each branch to be an object, found: ${typeName(b)}`);
          for (const k of Object.keys(b)) {
            if (k !== 'case' && k !== 'then') throw aggError(40063, `$switch found an unknown argument to a branch: ${k}`);
          }
          if (!('case' in b)) throw aggError(40064, "$switch requires each branch have a 'case' expression");
          if (!('then' in b)) throw aggError(40065, "$switch requires each branch have a 'then' expression.");
          branches.push({ case: ctx.compile(b.case), then: ctx.compile(b.then) });
        }
      } else if (key === 'default') {
        fallback = ctx.compile(value);
      } else {
        throw aggError(40067, `$switch found an unknown argument: ${key}`);
      }
    }
    if (branches.length === 0) throw aggError(40068, '$switch requires at least one branch.');
    return (vars) => {
      for (const b of branches) if (truthy(b.case(vars))) return b.then(vars);
      if (!fallback) throw aggError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
      return fallback(vars);
    };
  },
  $let: (args, ctx) => {
    if (!isObject(args)) throw aggError(16874, '$let only supports an object as its argument');
    for (const key of Object.keys(args)) {
      if (key !== 'vars' && key !== 'in') throw aggError(16875, `Unrecognized parameter to $let: ${key}`);
    }
    if (!('vars' in args)) throw aggError(16876, "Missing 'vars' parameter to $let");
    if (!('in' in args)) throw aggError(16877, "Missing 'in' parameter to $let");
    if (!isObject(args.vars)) throw aggError(10065, `invalid parameter: expected an object (vars)`);
    const defs = Object.entries(args.vars as Document).map(([name, e]) => {
      assertVariableName(name);
      return [name, ctx.compile(e)] as const;
    });
    const inner = ctx.compile(args.in, ctx.with(defs.map(([n]) => n)));
    return (vars) => {
      const scope: Variables = Object.create(vars);
      for (const [name, c] of defs) scope[name] = c(vars);
      return inner(scope);
    };
  },
  $getField: (args, ctx) => {
    const spec = isObject(args) && !Object.keys(args).some((k) => k.startsWith('$'))
      ? namedArgs('$getField', args, ['field', 'input'], ['field'], 3041701)
      : { field: args, input: '$$CURRENT' };
    const field = ctx.compile(spec.field);
    const input = ctx.compile('input' in spec ? spec.input : '$$CURRENT');
    return (vars) => {
      const name = field(vars);
      if (typeof name !== 'string') throw aggError(3041704, `$getField requires 'field' to evaluate to type String, but got ${typeName(name)}`);
      const from = input(vars);
      if (isNullish(from)) return undefined;
      if (!isObject(from)) return undefined;
      return Object.prototype.hasOwnProperty.call(from, name) ? from[name] : undefined;
    };
  },
  $setField: (args, ctx) => {
    const spec = namedArgs('$setField', args, ['field', 'input', 'value'], ['field', 'input', 'value'], 4161101);
    // 'field' must be a constant string: a plain string that is not a field path, or {$literal: <string>} (the way
    // to name a '$'-prefixed field), as mongod's ExpressionSetField parser requires.
    const literal = isObject(spec.field) && Object.keys(spec.field).length === 1 ? (spec.field as Document).$literal : undefined;
    const constant = typeof spec.field === 'string' && !spec.field.startsWith('$') ? spec.field : literal;
    if (constant === undefined) throw aggError(4161106, "$setField requires 'field' to evaluate to a constant, but got a non-constant argument");
    if (typeof constant !== 'string') throw aggError(4161107, `$setField requires 'field' to evaluate to type String, but got ${typeName(constant)}`);
    const name = constant;
    const input = ctx.compile(spec.input);
    const value = ctx.compile(spec.value);
    return (vars) => {
      const from = input(vars);
      if (isNullish(from)) return null;
      if (!isObject(from)) throw aggError(4161105, `$setField requires 'input' to evaluate to type Object, but got ${typeName(from)}`);
      const v = value(vars);
      const out: Document = { ...from };
      if (v === undefined) delete out[name];
      else out[name] = v;
      return out;
    };
  },
  $unsetField: (args, ctx) => {
    const spec = namedArgs('$unsetField', args, ['field', 'input'], ['field', 'input'], 4161101);
    return CORE_OPERATORS.$setField({ field: spec.field, input: spec.input, value: '$$REMOVE' }, ctx, '$setField');
  },
  $rand: (args) => {
    if (!isObject(args) || Object.keys(args).length) throw aggError(3040501, '$rand not expecting any arguments');
    return () => new Double(Math.random());
  },
};

/** All expression operators by name. */
export const OPERATORS: Readonly<Record<string, OperatorCompiler>> = Object.freeze({
  ...CORE_OPERATORS,
  ...ARITHMETIC_OPERATORS,
  ...EXTRA_OPERATORS,
});

/** mongod's variable name rule: starts with a lowercase letter or non-ASCII, then letters, digits and '_'. */
export function assertVariableName(name: string): void {
  if (!name) throw aggError(16866, 'empty variable names are not allowed');
  if (!/^[a-z\u0080-\uffff]/.test(name)) {
    throw aggError(16867, `'${name}' starts with an invalid character for a user variable name`);
  }
  if (!/^[\w\u0080-\uffff]*$/.test(name)) throw aggError(16868, `'${name}' contains an invalid character for a variable name: '${name}'`);
}

function makeContext(defined: ReadonlySet<string>): ParseContext {
  const ctx: ParseContext = {
    defined,
    compile: (expr, inner) => compileIn(expr, inner ?? ctx),
    with: (names) => makeContext(new Set([...defined, ...names])),
  };
  return ctx;
}

function compileFieldPath(text: string, ctx: ParseContext): Compiled {
  if (text.startsWith('$$')) {
    const [name, ...rest] = text.slice(2).split('.');
    if (name === 'REMOVE' && rest.length === 0) return REMOVE;
    if (!BUILTIN_VARIABLES.includes(name) && !ctx.defined.has(name)) {
      if (!/^[A-Za-z\u0080-\uffff][\w\u0080-\uffff]*$/.test(name)) assertVariableName(name);
      throw aggError(17276, `Use of undefined variable: ${name}`);
    }
    validatePath(rest, text);
    return (vars) => {
      const base = vars[name];
      if (name === 'NOW' && base === undefined) return new Date();
      return rest.length ? getPath(base, rest) : base;
    };
  }
  const path = text.slice(1).split('.');
  if (text === '$') throw aggError(16872, "'$' by itself is not a valid FieldPath");
  validatePath(path, text);
  return (vars) => getPath(vars.CURRENT, path);
}

function validatePath(path: string[], text: string): void {
  for (const part of path) {
    if (part === '') throw aggError(15998, `FieldPath field names may not be empty strings.`);
    if (part.startsWith('$')) throw aggError(16410, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
  }
  void text;
}

function compileIn(expr: unknown, ctx: ParseContext): Compiled {
  if (typeof expr === 'string') {
    if (expr.startsWith('$')) return compileFieldPath(expr, ctx);
    return () => expr;
  }
  if (Array.isArray(expr)) {
    const items = expr.map((e) => compileIn(e, ctx));
    // A missing element of an array literal becomes null, as mongod serializes it.
    return (vars) => items.map((c) => c(vars) ?? null);
  }
  if (isObject(expr)) {
    const keys = Object.keys(expr);
    if (keys.length > 0 && keys[0].startsWith('$')) {
      if (keys.length !== 1) {
        throw aggError(15983, `an expression specification must contain exactly one field, the name of the expression. Found ${keys.length} fields in ${JSON.stringify(expr)}, while parsing object ${JSON.stringify(expr)}`);
      }
      const op = OPERATORS[keys[0]];
      if (!op) throw aggError(168, `Unrecognized expression '${keys[0]}'`);
      return op(expr[keys[0]], ctx, keys[0]);
    }
    const fields: [string, Compiled][] = [];
    for (const key of keys) {
      if (key.startsWith('$')) throw aggError(16404, `Field names may not start with '$': ${key}`);
      if (key.includes('.')) throw aggError(16412, `FieldPath field names may not contain '.'. Consider using $getField or $setField.`);
      fields.push([key, compileIn(expr[key], ctx)]);
    }
    return (vars) => {
      const out: Document = {};
      for (const [key, c] of fields) {
        const v = c(vars);
        if (v !== undefined) out[key] = v;
      }
      return out;
    };
  }
  return () => expr;
}

/**
 * Compiles an aggregation expression. `variables` are the user variable names in scope (from `let`); referencing
 * any other user variable is refused (17276) at compile time, as mongod refuses it at parse time.
 */
export function compileExpression(expr: unknown, variables: Iterable<string> = []): Compiled {
  return compileIn(expr, makeContext(new Set(variables)));
}

/** Builds the run-time variables for a document: ROOT and CURRENT, plus user variables. */
export function rootVariables(root: unknown, variables?: Record<string, unknown>): Variables {
  return { ...(variables ?? {}), ROOT: root, CURRENT: root };
}

/**
 * Evaluates an aggregation expression against a document (`$expr` in queries, expression projections, pipeline
 * updates). Returns undefined for a missing result. Throws CommandError with mongod's codes.
 */
export function evaluateExpression(expr: unknown, root: Document, variables?: Record<string, unknown>): unknown {
  const names = Object.keys(variables ?? {});
  return cachedCompile(expr, names)(rootVariables(root, variables));
}

/** Compiled forms of expression objects already seen ($expr runs once per document with the same object). */
const COMPILED = new WeakMap<object, Map<string, Compiled>>();

function cachedCompile(expr: unknown, names: string[]): Compiled {
  if (expr === null || typeof expr !== 'object') return compileExpression(expr, names);
  const key = names.join('\0');
  let byNames = COMPILED.get(expr);
  if (!byNames) {
    byNames = new Map();
    COMPILED.set(expr, byNames);
  }
  let compiled = byNames.get(key);
  if (!compiled) {
    compiled = compileExpression(expr, names);
    byNames.set(key, compiled);
  }
  return compiled;
}
