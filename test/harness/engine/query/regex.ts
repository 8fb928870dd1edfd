import { BSONRegExp, BSONSymbol } from 'bson';
import { CommandError } from '../../errors.js';

/** The options mongod's PCRE wrapper accepts in `$options` and regex literals (pcre_util::flagsToOptions). */
const VALID_FLAGS = new Set(['i', 'm', 's', 'x', 'u', 'l']);

/**
 * Compiles a MongoDB regular expression (PCRE syntax, options i m s x) into a JS RegExp. The `x` (extended) flag
 * has no JS counterpart: unescaped whitespace and `#` comments outside character classes are stripped first.
 * Throws mongod's errors for embedded nulls (BadValue), unknown flags (51108) and invalid patterns (51091).
 */
export function compileRegex(pattern: string, options: string): RegExp {
  if (pattern.includes('\0')) throw new CommandError('BadValue', 'Regular expression cannot contain an embedded null byte');
  let flags = '';
  for (const f of options) {
    if (!VALID_FLAGS.has(f)) throw new CommandError('Location51108', `invalid flag in regex options: ${f}`, {}, 51108);
    if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
  }
  const source = options.includes('x') ? stripExtended(pattern) : pattern;
  try {
    return new RegExp(source, flags + 'u');
  } catch {
    // Unicode mode rejects some escapes PCRE accepts (\-, \_ ...); without it they are literal characters.
    try {
      return new RegExp(source, flags);
    } catch (error) {
      throw new CommandError('Location51091', `Regular expression is invalid: ${(error as Error).message}`, {}, 51091);
    }
  }
}

function stripExtended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + pattern[++i];
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) continue;
    out += c;
  }
  return out;
}

/** The pattern and options of a regex value (BSONRegExp, or a JS RegExp from internal callers). */
export function regexParts(v: BSONRegExp | RegExp): { pattern: string; options: string } {
  if (v instanceof BSONRegExp) return { pattern: v.pattern, options: v.options };
  return { pattern: v.source, options: v.flags.replace(/[gyu]/g, '') };
}

/**
 * A predicate for one value as a regex match expression tests it (RegexMatchExpression::matchesSingleElement):
 * strings and symbols are searched; a regex value matches when pattern and options are the same.
 */
export function regexPredicate(pattern: string, options: string): (v: unknown) => boolean {
  const re = compileRegex(pattern, options);
  return (v) => {
    if (typeof v === 'string') return re.test(v);
    if (v instanceof BSONSymbol) return re.test(v.value);
    if (v instanceof BSONRegExp) return v.pattern === pattern && v.options === options;
    if (v instanceof RegExp) {
      const p = regexParts(v);
      return p.pattern === pattern && p.options === options;
    }
    return false;
  };
}
