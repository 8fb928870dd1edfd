/**
 * `${NAME}` references in configuration values, resolved from the environment given to `loadConfig`.
 *
 * Only string values are interpolated (never keys). `$${` writes a literal `${`; a `$` not followed by `{` is
 * literal. There is no default syntax: a variable that is not set is an error naming the key and the variable,
 * because an empty URI or id would fail later with a less helpful message.
 */
import { ERROR_CODES } from '../errors.js';
import type { FieldProblem } from './field_types.js';

/** The outcome of interpolating a whole document. */
export interface InterpolationResult {
  /** A copy of the input with every reference replaced. */
  readonly value: unknown;
  /** Key paths whose value contained at least one reference (their text may stand for a number or boolean). */
  readonly interpolatedPaths: ReadonlySet<string>;
  readonly problems: readonly FieldProblem[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces `${NAME}` in every string of `value` (recursively); `keyPath` is the path of `value` itself. */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  keyPath = '',
): InterpolationResult {
  const interpolatedPaths = new Set<string>();
  const problems: FieldProblem[] = [];

  const visit = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      const result = interpolateString(node, env, path);
      if (result.referenced) interpolatedPaths.add(path);
      problems.push(...result.problems);
      return result.text;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, `${path}[${index}]`));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [key, visit(child, path === '' ? key : `${path}.${key}`)]),
      );
    }
    return node;
  };
  return { value: visit(value, keyPath), interpolatedPaths, problems };
}

/** Interpolates one string. */
export function interpolateString(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  keyPath: string,
): { text: string; referenced: boolean; problems: FieldProblem[] } {
  let out = '';
  let referenced = false;
  const problems: FieldProblem[] = [];
  let index = 0;
  while (index < text.length) {
    if (text.startsWith('$${', index)) {
      out += '${';
      index += 3;
      continue;
    }
    if (!text.startsWith('${', index)) {
      out += text[index];
      index += 1;
      continue;
    }
    const end = text.indexOf('}', index + 2);
    const name = end === -1 ? undefined : text.slice(index + 2, end);
    if (name === undefined || !VARIABLE_NAME.test(name)) {
      problems.push({
        code: ERROR_CODES.CONFIG_ENV_VARIABLE,
        keyPath,
        problem: `malformed environment reference ${JSON.stringify(text.slice(index, end === -1 ? undefined : end + 1))}`,
        hint: 'Write ${NAME} with a name of letters, digits and "_" (not starting with a digit), or $${ for a literal "${".',
      });
      break;
    }
    referenced = true;
    const resolved = env[name];
    if (resolved === undefined) {
      problems.push({
        code: ERROR_CODES.CONFIG_ENV_VARIABLE,
        keyPath,
        problem: `environment variable ${name} is not set`,
        hint: `Export ${name} before running the command, or write $\${${name}} for the literal text.`,
      });
    } else {
      out += resolved;
    }
    index = end + 1;
  }
  return { text: out, referenced, problems };
}
