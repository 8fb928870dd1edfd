import { BSONRegExp, Int32, Timestamp, type Document } from 'bson';
import { compileRegex } from '../query/regex.js';
import { compareStrings } from '../bson_order.js';
import {
  aggError, fixed, indexBound, isNullish, isObject, show, variadic, type Compiled, type OperatorCompiler,
} from './expression_core.js';
import { typeName } from '../query/bson_types.js';
import { asDouble, isNumber, numKind } from './numeric.js';
import { formatIsoDate } from './operators_date.js';

/** C's printf("%g") of a double, which mongod's StringBuilder uses when it turns a double into text. */
export function formatDoubleG(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = x.toExponential(5).split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixedText = x.toFixed(Math.max(0, 5 - exp));
  return fixedText.includes('.') ? fixedText.replace(/\.?0+$/, '') : fixedText;
}

/** mongod's Value::coerceToString, used by $toLower/$toUpper/$substr/$concat-like operators. */
export function coerceToString(v: unknown, opName: string): string {
  if (isNullish(v)) return '';
  if (typeof v === 'string') return v;
  const kind = numKind(v);
  if (kind === 'double') return formatDoubleG(asDouble(v));
  if (kind) return String((v as { toString(): string }).toString());
  if (v instanceof Date) return formatIsoDate(v);
  if (v instanceof Timestamp) return v.toString();
  if (typeName(v) === 'symbol' || typeName(v) === 'javascript') return String((v as { value?: string; code?: string }).value ?? (v as { code: string }).code);
  void opName;
  throw aggError(16007, `can't convert from BSON type ${typeName(v)} to String`);
}

function requireString(code: number, message: (v: unknown) => string) {
  return (v: unknown): string => {
    if (typeof v !== 'string') throw aggError(code, message(v));
    return v;
  };
}

function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

function substrBytes(values: unknown[], name: string): string {
  const [s, start, len] = values;
  const text = coerceToString(s, name);
  if (!isNumber(start)) throw aggError(16034, `${name}: starting index must be a numeric type (is BSON type ${typeName(start)})`);
  if (!isNumber(len)) throw aggError(16035, `${name}: length must be a numeric type (is BSON type ${typeName(len)})`);
  const bytes = utf8(text);
  const lower = Math.trunc(asDouble(start));
  const length = Math.trunc(asDouble(len));
  if (lower < 0 || lower >= bytes.length) return '';
  const upper = length < 0 ? bytes.length : Math.min(bytes.length, lower + length);
  if (isContinuation(bytes[lower])) throw aggError(28656, `${name}:  Invalid range, starting index is a UTF-8 continuation byte.`);
  if (upper < bytes.length && isContinuation(bytes[upper])) {
    throw aggError(28657, `${name}:  Invalid range, ending index is in the middle of a UTF-8 character.`);
  }
  return bytes.subarray(lower, upper).toString('utf8');
}

function substrCP(values: unknown[]): string {
  const [s, start, len] = values;
  const text = coerceToString(s, '$substrCP');
  if (!isNumber(start)) throw aggError(34450, `$substrCP: starting index must be a numeric type (is BSON type ${typeName(start)})`);
  if (!Number.isInteger(asDouble(start)) || Math.abs(asDouble(start)) > 2 ** 31) throw aggError(34451, `$substrCP: starting index cannot be represented as a 32-bit integral value: ${show(start)}`);
  if (!isNumber(len)) throw aggError(34452, `$substrCP: length must be a numeric type (is BSON type ${typeName(len)})`);
  if (!Number.isInteger(asDouble(len)) || Math.abs(asDouble(len)) > 2 ** 31) throw aggError(34453, `$substrCP: length cannot be represented as a 32-bit integral value: ${show(len)}`);
  if (asDouble(len) < 0) throw aggError(34454, '$substrCP: length must be a nonnegative integer.');
  if (asDouble(start) < 0) throw aggError(34455, '$substrCP: the starting index must be nonnegative integer.');
  return [...text].slice(asDouble(start), asDouble(start) + asDouble(len)).join('');
}

/** Whitespace $trim removes by default (mongod's kDefaultTrimWhitespaceChars). */
const TRIM_DEFAULT = ['\0', ' ', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003',
  '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];

function trim(kind: 'both' | 'left' | 'right'): OperatorCompiler {
  return (args, ctx, name) => {
    if (!isObject(args)) throw aggError(50696, `${name} only supports an object as an argument, found: ${typeName(args)}`);
    for (const key of Object.keys(args)) {
      if (key !== 'input' && key !== 'chars') throw aggError(50694, `${name} found an unknown argument: ${key}`);
    }
    if (!('input' in args)) throw aggError(50695, `${name} requires an 'input' field`);
    const input = ctx.compile(args.input);
    const chars = 'chars' in args ? ctx.compile(args.chars) : undefined;
    return (vars) => {
      const s = input(vars);
      if (isNullish(s)) return null;
      if (typeof s !== 'string') throw aggError(50699, `${name} requires its input to be a string, got ${show(s)} (of type ${typeName(s)}) instead.`);
      let set = TRIM_DEFAULT;
      if (chars) {
        const c = chars(vars);
        if (isNullish(c)) return null;
        if (typeof c !== 'string') throw aggError(50700, `${name} requires 'chars' to be a string, got ${show(c)} (of type ${typeName(c)}) instead.`);
        set = [...c];
      }
      const cps = [...s];
      let from = 0;
      let to = cps.length;
      if (kind !== 'right') while (from < to && set.includes(cps[from])) from++;
      if (kind !== 'left') while (to > from && set.includes(cps[to - 1])) to--;
      return cps.slice(from, to).join('');
    };
  };
}

function indexOf(unit: 'bytes' | 'cp'): OperatorCompiler {
  return fixed(2, (values, name) => {
    const [s, sub, start, end] = values;
    if (isNullish(s)) return null;
    if (typeof s !== 'string') throw aggError(40091, `${name} requires a string as the first argument, found: ${typeName(s)}`);
    if (typeof sub !== 'string') throw aggError(40092, `${name} requires a string as the second argument, found: ${typeName(sub)}`);
    const hay: (string | number)[] = unit === 'bytes' ? [...utf8(s)] : [...s];
    const needle: (string | number)[] = unit === 'bytes' ? [...utf8(sub)] : [...sub];
    const from = indexBound(start, 'start', 0, name);
    const to = Math.min(indexBound(end, 'end', hay.length, name), hay.length);
    for (let i = from; i + needle.length <= to; i++) {
      let ok = true;
      for (let j = 0; j < needle.length && ok; j++) ok = hay[i + j] === needle[j];
      if (ok) return new Int32(i);
    }
    return new Int32(-1);
  }, 4);
}

function regexArgs(args: unknown, ctx: Parameters<OperatorCompiler>[1], name: string): (vars: Document) => { input: string; re: RegExp } | null {
  if (!isObject(args)) throw aggError(51103, `${name} expects an object of named arguments but found: ${typeName(args)}`);
  for (const key of Object.keys(args)) {
    if (!['input', 'regex', 'options'].includes(key)) throw aggError(31024, `${name} found an unknown argument: ${key}`);
  }
  if (!('input' in args)) throw aggError(31022, `${name} requires 'input' parameter`);
  if (!('regex' in args)) throw aggError(31023, `${name} requires 'regex' parameter`);
  const input: Compiled = ctx.compile(args.input);
  const regex: Compiled = ctx.compile(args.regex);
  const options: Compiled | undefined = 'options' in args ? ctx.compile(args.options) : undefined;
  return (vars) => {
    const r = regex(vars);
    const o = options?.(vars);
    let pattern: string;
    let flags = '';
    if (r instanceof BSONRegExp) {
      pattern = r.pattern;
      flags = r.options;
      if (!isNullish(o) && flags) throw aggError(51107, `${name}: found regex option(s) specified in both 'regex' and 'option' fields`);
    } else if (typeof r === 'string') {
      pattern = r;
    } else if (isNullish(r)) {
      pattern = '';
    } else {
      throw aggError(51105, `${name} needs 'regex' to be of type string or regex`);
    }
    if (!isNullish(o)) {
      if (typeof o !== 'string') throw aggError(51106, `${name} needs 'options' to be of type string`);
      flags = o;
    }
    const s = input(vars);
    if (isNullish(s) || isNullish(r)) return null;
    if (typeof s !== 'string') throw aggError(51104, `${name} needs 'input' to be of type string`);
    return { input: s, re: compileRegex(pattern, flags) };
  };
}

function codePointIndex(s: string, utf16Index: number): number {
  return [...s.slice(0, utf16Index)].length;
}

function regexFindOne(input: string, re: RegExp, from: number): Document | undefined {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  g.lastIndex = from;
  const m = g.exec(input);
  if (!m) return undefined;
  return {
    match: m[0],
    idx: new Int32(codePointIndex(input, m.index)),
    captures: m.slice(1).map((c) => (c === undefined ? null : c)),
    end: m.index + m[0].length,
    empty: m[0].length === 0,
  };
}

function replace(all: boolean): OperatorCompiler {
  return (args, ctx, name) => {
    if (!isObject(args)) throw aggError(51751, `${name} requires an object as an argument, found: ${typeName(args)}`);
    for (const key of Object.keys(args)) {
      if (!['input', 'find', 'replacement'].includes(key)) throw aggError(51750, `${name} found an unknown argument: ${key}`);
    }
    for (const [key, code] of [['input', 51749], ['find', 51748], ['replacement', 51747]] as const) {
      if (!(key in args)) throw aggError(code, `${name} requires '${key}' to be specified`);
    }
    const input = ctx.compile(args.input);
    const find = ctx.compile(args.find);
    const replacement = ctx.compile(args.replacement);
    return (vars) => {
      const values = [input(vars), find(vars), replacement(vars)];
      const codes = [51746, 51745, 51744];
      const names = ['input', 'find', 'replacement'];
      let nullish = false;
      values.forEach((v, i) => {
        if (isNullish(v)) nullish = true;
        else if (typeof v !== 'string') throw aggError(codes[i], `${name} requires that '${names[i]}' be a string, found: ${show(v)}`);
      });
      if (nullish) return null;
      const [s, f, r] = values as string[];
      if (all) return s.split(f).join(r);
      const at = s.indexOf(f);
      return at < 0 ? s : s.slice(0, at) + r + s.slice(at + f.length);
    };
  };
}

export const STRING_OPERATORS: Record<string, OperatorCompiler> = {
  $concat: variadic((values) => {
    let out = '';
    for (const v of values) {
      if (isNullish(v)) return null;
      if (typeof v !== 'string') throw aggError(16702, `$concat only supports strings, not ${typeName(v)}`);
      out += v;
    }
    return out;
  }),
  $toLower: fixed(1, ([v], name) => coerceToString(v, name).toLowerCase()),
  $toUpper: fixed(1, ([v], name) => coerceToString(v, name).toUpperCase()),
  $substr: fixed(3, substrBytes),
  $substrBytes: fixed(3, substrBytes),
  $substrCP: fixed(3, substrCP),
  $strLenBytes: fixed(1, ([v]) => {
    if (typeof v !== 'string') throw aggError(34473, `$strLenBytes requires a string argument, found: ${typeName(v)}`);
    return new Int32(utf8(v).length);
  }),
  $strLenCP: fixed(1, ([v]) => {
    if (typeof v !== 'string') throw aggError(34471, `$strLenCP requires a string argument, found: ${typeName(v)}`);
    return new Int32([...v].length);
  }),
  $strcasecmp: fixed(2, ([a, b], name) => {
    const c = compareStrings(coerceToString(a, name).toUpperCase(), coerceToString(b, name).toUpperCase());
    return new Int32(c === 0 ? 0 : c < 0 ? -1 : 1);
  }),
  $split: fixed(2, ([s, d]) => {
    if (isNullish(s) || isNullish(d)) return null;
    requireString(40085, (v) => `$split requires an expression that evaluates to a string as a first argument, found: ${typeName(v)}`)(s);
    requireString(40086, (v) => `$split requires an expression that evaluates to a string as a second argument, found: ${typeName(v)}`)(d);
    if (d === '') throw aggError(40087, '$split requires a non-empty separator');
    return (s as string).split(d as string);
  }),
  $trim: trim('both'),
  $ltrim: trim('left'),
  $rtrim: trim('right'),
  $indexOfBytes: indexOf('bytes'),
  $indexOfCP: indexOf('cp'),
  $regexMatch: (args, ctx, name) => {
    const prepared = regexArgs(args, ctx, name);
    return (vars) => {
      const p = prepared(vars);
      return p ? p.re.test(p.input) : false;
    };
  },
  $regexFind: (args, ctx, name) => {
    const prepared = regexArgs(args, ctx, name);
    return (vars) => {
      const p = prepared(vars);
      if (!p) return null;
      const m = regexFindOne(p.input, p.re, 0);
      if (!m) return null;
      return { match: m.match, idx: m.idx, captures: m.captures };
    };
  },
  $regexFindAll: (args, ctx, name) => {
    const prepared = regexArgs(args, ctx, name);
    return (vars) => {
      const p = prepared(vars);
      if (!p) return [];
      const out: Document[] = [];
      let from = 0;
      while (from <= p.input.length) {
        const m = regexFindOne(p.input, p.re, from);
        if (!m) break;
        out.push({ match: m.match, idx: m.idx, captures: m.captures });
        from = m.empty ? (m.end as number) + 1 : (m.end as number);
      }
      return out;
    };
  },
  $replaceOne: replace(false),
  $replaceAll: replace(true),
};

