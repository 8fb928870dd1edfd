/**
 * The `includeNamespaces` / `excludeNamespaces` field: mongosync's filter documents
 * (https://www.mongodb.com/docs/mongosync/current/reference/collection-level-filtering/) plus two short forms,
 * `db.coll` and `db.*`. Every form resolves to a {@link NamespaceFilterRule}; `catalog/namespace_filter.ts` applies
 * the rules.
 */
import { ERROR_CODES } from '../errors.js';
import { closestMatch } from './did_you_mean.js';
import { describeFound, ok, type FieldContext, type FieldProblem, type FieldResult } from './field_types.js';

/** A regular expression as mongosync writes it. */
export interface RegexSpec {
  /** The pattern, unanchored (as with `$regex`): write `^` and `$` to match whole names. */
  readonly pattern: string;
  /** Flags among `i`, `m`, `s`, `u`; empty for none. */
  readonly options: string;
}

/**
 * One resolved filter rule: exactly one of `database` and `databaseRegex`, at most one of `collections` and
 * `collectionsRegex` (neither: every collection of the matching databases).
 */
export interface NamespaceFilterRule {
  readonly database?: string;
  readonly databaseRegex?: RegexSpec;
  readonly collections?: readonly string[];
  readonly collectionsRegex?: RegexSpec;
}

/** A filter rule as it may be written in sync.yaml. */
export type NamespaceRuleInput =
  | string
  | {
      database?: string;
      databaseRegex?: { pattern: string; options?: string };
      collections?: string[];
      collectionsRegex?: { pattern: string; options?: string };
    };

/** The phrase describing an acceptable rule. */
export const NAMESPACE_RULE_EXPECTED =
  '"db.coll", "db.*", or a mapping with "database" or "databaseRegex" and optionally "collections" or ' +
  '"collectionsRegex"';

const RULE_KEYS = ['database', 'databaseRegex', 'collections', 'collectionsRegex'] as const;
const REGEX_KEYS = ['pattern', 'options'] as const;

/**
 * Regex options accepted. `$regex` also knows `x` (extended), which JavaScript's RegExp lacks; it is refused
 * rather than silently ignored.
 */
const REGEX_OPTIONS = /^[imsu]*$/;

/** Characters MongoDB forbids in database names (https://www.mongodb.com/docs/manual/reference/limits/). */
const INVALID_DATABASE_CHARS = /[/\\. "$\0]/;
/** MongoDB's database name length limit, in bytes. */
const MAX_DATABASE_NAME_BYTES = 63;

/** Parses a list of rules. An empty list is refused: leave the key out to include every namespace. */
export function parseNamespaceRules(raw: unknown, context: FieldContext): FieldResult<readonly NamespaceFilterRule[]> {
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail({
      code: ERROR_CODES.CONFIG_INVALID_VALUE,
      keyPath: context.keyPath,
      expected: `a non-empty list of filters, each ${NAMESPACE_RULE_EXPECTED}`,
      found: describeFound(raw),
      hint: `Remove ${context.keyPath} to apply no filter, or list at least one filter.`,
    });
  }
  const rules: NamespaceFilterRule[] = [];
  const problems: FieldProblem[] = [];
  raw.forEach((item: unknown, index) => {
    const itemPath = `${context.keyPath}[${index}]`;
    const result = typeof item === 'string' ? parseShortForm(item, itemPath) : parseRuleMapping(item, itemPath);
    if (result.ok) rules.push(result.value);
    else problems.push(...result.problems);
  });
  return problems.length > 0 ? { ok: false, problems } : ok(Object.freeze(rules));
}

function parseShortForm(text: string, keyPath: string): FieldResult<NamespaceFilterRule> {
  const dot = text.indexOf('.');
  const database = dot === -1 ? text : text.slice(0, dot);
  const collection = dot === -1 ? '' : text.slice(dot + 1);
  if (dot === -1 || collection === '' || databaseNameProblem(database) !== undefined) {
    return fail({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath,
      expected: '"db.coll" or "db.*" (a database name, a dot, and a collection name or "*")',
      found: describeFound(text),
    });
  }
  return ok(Object.freeze(collection === '*' ? { database } : { database, collections: Object.freeze([collection]) }));
}

function parseRuleMapping(raw: unknown, keyPath: string): FieldResult<NamespaceFilterRule> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath,
      expected: NAMESPACE_RULE_EXPECTED,
      found: describeFound(raw),
    });
  }
  const input = raw as Record<string, unknown>;
  const problems: FieldProblem[] = unknownKeyProblems(input, RULE_KEYS, keyPath);
  const rule: { -readonly [K in keyof NamespaceFilterRule]: NamespaceFilterRule[K] } = {};

  if ((input['database'] === undefined) === (input['databaseRegex'] === undefined)) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath,
      problem: 'a filter needs exactly one of "database" and "databaseRegex"',
      hint: 'Give the filter either "database: <name>" or "databaseRegex: {pattern: <regex>}", not both.',
    });
  } else if (input['database'] !== undefined) {
    const database = input['database'];
    const reason = typeof database === 'string' ? databaseNameProblem(database) : 'it is not a string';
    if (reason === undefined) rule.database = database as string;
    else {
      problems.push({
        code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
        keyPath: `${keyPath}.database`,
        expected: `a database name (1 to ${MAX_DATABASE_NAME_BYTES} bytes, none of / \\ . space " $)`,
        found: describeFound(database),
      });
    }
  } else {
    const regex = parseRegex(input['databaseRegex'], `${keyPath}.databaseRegex`, problems);
    if (regex !== undefined) rule.databaseRegex = regex;
  }

  if (input['collections'] !== undefined && input['collectionsRegex'] !== undefined) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath,
      problem: 'a filter may have "collections" or "collectionsRegex", not both',
      hint: 'Split the filter in two, or keep only one of the two keys.',
    });
  } else if (input['collections'] !== undefined) {
    const collections = input['collections'];
    if (
      !Array.isArray(collections) ||
      collections.length === 0 ||
      !collections.every((name) => typeof name === 'string' && name !== '' && !name.includes('\0'))
    ) {
      problems.push({
        code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
        keyPath: `${keyPath}.collections`,
        expected: 'a non-empty list of collection names',
        found: describeFound(collections),
      });
    } else rule.collections = Object.freeze([...(collections as string[])]);
  } else if (input['collectionsRegex'] !== undefined) {
    const regex = parseRegex(input['collectionsRegex'], `${keyPath}.collectionsRegex`, problems);
    if (regex !== undefined) rule.collectionsRegex = regex;
  }
  return problems.length > 0 ? { ok: false, problems } : ok(Object.freeze(rule));
}

function parseRegex(raw: unknown, keyPath: string, problems: FieldProblem[]): RegexSpec | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath,
      expected: 'a mapping {pattern: <regex>, options: <flags>}',
      found: describeFound(raw),
    });
    return undefined;
  }
  const input = raw as Record<string, unknown>;
  const before = problems.length;
  problems.push(...unknownKeyProblems(input, REGEX_KEYS, keyPath));
  const pattern = input['pattern'];
  const options = input['options'] ?? '';
  if (typeof pattern !== 'string' || pattern === '') {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath: `${keyPath}.pattern`,
      expected: 'a regular expression',
      found: describeFound(pattern),
    });
  }
  if (typeof options !== 'string' || !REGEX_OPTIONS.test(options)) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath: `${keyPath}.options`,
      expected: 'regex options among "i", "m", "s", "u"',
      found: describeFound(options),
      ...(typeof options === 'string' && options.includes('x')
        ? { hint: 'The "x" (extended) option is not supported: remove the whitespace and comments from the pattern.' }
        : {}),
    });
  }
  if (problems.length > before) return undefined;
  try {
    new RegExp(pattern as string, options as string);
  } catch (error) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_NAMESPACE_FILTER,
      keyPath: `${keyPath}.pattern`,
      expected: 'a regular expression that compiles',
      found: `${describeFound(pattern)} (${(error as Error).message})`,
    });
    return undefined;
  }
  return Object.freeze({ pattern: pattern as string, options: options as string });
}

function unknownKeyProblems(input: Record<string, unknown>, known: readonly string[], keyPath: string): FieldProblem[] {
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = closestMatch(key, known);
      return {
        code: ERROR_CODES.CONFIG_UNKNOWN_KEY,
        keyPath: `${keyPath}.${key}`,
        problem: 'unknown key',
        hint:
          suggestion === undefined
            ? `Remove it; the keys allowed here are ${known.map((name) => `"${name}"`).join(', ')}.`
            : `Did you mean "${keyPath}.${suggestion}"?`,
      };
    });
}

/** Why a database name is invalid, or undefined when it is valid. */
function databaseNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (INVALID_DATABASE_CHARS.test(name)) return 'it contains a forbidden character';
  if (Buffer.byteLength(name, 'utf8') > MAX_DATABASE_NAME_BYTES) return 'it is too long';
  return undefined;
}

function fail<T>(problem: FieldProblem): FieldResult<T> {
  return { ok: false, problems: [problem] };
}
