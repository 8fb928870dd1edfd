/**
 * Validation of a raw configuration against the schema: pure, no file or environment access.
 *
 * Every problem is collected (not only the first), each with its key path, the expected value and the value
 * found, and turned into one `ConfigError`.
 */
import { ConfigError, ERROR_CODES } from '../errors.js';
import { closestMatch } from './did_you_mean.js';
import { describeFound, formatBytes, type AnyFieldSpec, type AnySpec, type FieldProblem, type SectionSpec } from './field_types.js';
import { CROSS_FIELD_RULES, SYNC_CONFIG_SCHEMA, type SyncConfig } from './schema.js';

/** Where the values being validated came from, asked per key path. */
export interface ValueSources {
  /**
   * Where a key or value sits, for messages: `sync.yaml:7:16`, `flag --log-level`. Undefined when unknown
   * (a missing key).
   */
  readonly locate: (keyPath: string, what: 'key' | 'value') => string | undefined;
  /** True when the value is text from the environment or a flag (see `FieldContext.fromText`). */
  readonly isText: (keyPath: string) => boolean;
  /** Directory a relative path at this key resolves against. */
  readonly baseDir: (keyPath: string) => string;
}

/** A problem with its final, located message. */
export interface ConfigProblem extends FieldProblem {
  /** `copy.parallelism (sync.yaml:7:16): expected an integer from 1 to 64, found 100.` */
  readonly message: string;
  /** The operator's next step (always set). */
  readonly hint: string;
}

/** The outcome of {@link validateConfig}. */
export type ValidationResult =
  | { readonly ok: true; readonly config: SyncConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Every key path of the schema, leaves only (`copy.parallelism`), for "did you mean" across sections. */
export const SCHEMA_KEY_PATHS: readonly string[] = Object.freeze(leafPaths(SYNC_CONFIG_SCHEMA, ''));

/**
 * Validates a raw configuration (after `${ENV}` interpolation and flag overrides): unknown keys, types, ranges,
 * required keys, then the cross-field rules. Returns the resolved, deeply frozen configuration, or every problem.
 */
export function validateConfig(raw: unknown, sources: ValueSources): ValidationResult {
  const fieldProblems: FieldProblem[] = [];
  const resolved = validateSection(SYNC_CONFIG_SCHEMA, raw, '', sources, fieldProblems);
  if (fieldProblems.length === 0) {
    const config = deepFreeze(resolved) as SyncConfig;
    for (const rule of CROSS_FIELD_RULES) {
      const problem = rule.check(config);
      if (problem !== undefined) fieldProblems.push(problem);
    }
    if (fieldProblems.length === 0) return { ok: true, config };
  }
  return { ok: false, problems: fieldProblems.map((problem) => locateProblem(problem, sources)) };
}

/** One `ConfigError` for a list of problems: the problem's own code when there is one, CONFIG-1000 otherwise. */
export function configErrorFromProblems(problems: readonly ConfigProblem[], sourceLabel?: string): ConfigError {
  const [first] = problems;
  if (first === undefined) throw new Error('configErrorFromProblems needs at least one problem');
  const details = {
    ...(sourceLabel === undefined ? {} : { file: sourceLabel }),
    problems: problems.map(({ code, keyPath, expected, found, message, hint }) => ({
      code,
      keyPath,
      expected,
      found,
      message,
      hint,
    })),
  };
  if (problems.length === 1) return new ConfigError(first.code, first.message, { hint: first.hint, details });
  const where = sourceLabel === undefined ? 'The configuration' : `The configuration (${sourceLabel})`;
  const lines = problems.map((problem) => `  - ${problem.message} ${problem.hint}`);
  return new ConfigError(ERROR_CODES.CONFIG_INVALID, `${where} has ${problems.length} problems:\n${lines.join('\n')}`, {
    hint: 'Fix each problem listed, then run `sync config check --config <file>` again.',
    details,
  });
}

function validateSection(
  spec: SectionSpec<Record<string, AnySpec>>,
  raw: unknown,
  keyPath: string,
  sources: ValueSources,
  problems: FieldProblem[],
): Record<string, unknown> {
  // `copy:` with every key commented out is YAML null: the same as leaving the section out.
  const input = raw === undefined || raw === null ? {} : raw;
  const names = Object.keys(spec.fields);
  if (typeof input !== 'object' || Array.isArray(input)) {
    problems.push({
      code: ERROR_CODES.CONFIG_INVALID_VALUE,
      keyPath,
      expected: `a mapping with the keys ${names.join(', ')}`,
      found: describeFound(input),
    });
    return {};
  }
  const values = input as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!Object.hasOwn(spec.fields, key)) problems.push(unknownKeyProblem(key, keyPath, names));
  }

  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(spec.fields)) {
    const childPath = keyPath === '' ? name : `${keyPath}.${name}`;
    out[name] =
      child.type === 'section'
        ? validateSection(child, values[name], childPath, sources, problems)
        : validateField(child, values[name], childPath, sources, problems);
  }
  return out;
}

function validateField(
  spec: AnyFieldSpec,
  raw: unknown,
  keyPath: string,
  sources: ValueSources,
  problems: FieldProblem[],
): unknown {
  if (raw === undefined || raw === null) {
    if (spec.presence === 'required') {
      problems.push({
        code: ERROR_CODES.CONFIG_MISSING_KEY,
        keyPath,
        problem: raw === null ? `required key is empty (expected ${spec.expected})` : 'required key is missing',
        hint: `Set ${keyPath} to ${spec.expected}; it may reference an environment variable, e.g. "\${${envNameFor(keyPath)}}".`,
      });
    }
    return spec.default;
  }
  const result = spec.parse(raw, { keyPath, fromText: sources.isText(keyPath), baseDir: sources.baseDir(keyPath) });
  if (result.ok) return result.value;
  problems.push(...result.problems);
  return undefined;
}

function unknownKeyProblem(key: string, sectionPath: string, siblings: readonly string[]): FieldProblem {
  const keyPath = sectionPath === '' ? key : `${sectionPath}.${key}`;
  const sibling = closestMatch(key, siblings);
  const suggestion =
    sibling !== undefined
      ? sectionPath === ''
        ? sibling
        : `${sectionPath}.${sibling}`
      : // A key written in the wrong section, e.g. `parallelism` at the top level.
        (SCHEMA_KEY_PATHS.find((path) => lastSegment(path).toLowerCase() === key.toLowerCase()) ??
        closestMatch(key, SCHEMA_KEY_PATHS));
  return {
    code: ERROR_CODES.CONFIG_UNKNOWN_KEY,
    keyPath,
    problem: 'unknown key',
    hint:
      suggestion === undefined
        ? `Remove it; the keys allowed ${sectionPath === '' ? 'at the top level' : `in ${sectionPath}`} are ${siblings.join(', ')}.`
        : `Did you mean "${suggestion}"?`,
  };
}

function locateProblem(problem: FieldProblem, sources: ValueSources): ConfigProblem {
  const what = problem.code === ERROR_CODES.CONFIG_UNKNOWN_KEY ? 'key' : 'value';
  const location = sources.locate(problem.keyPath, what) ?? locateParent(problem.keyPath, sources);
  const subject = `${problem.keyPath}${location === undefined ? '' : ` (${location})`}`;
  const body =
    problem.problem !== undefined
      ? problem.problem
      : `expected ${problem.expected ?? 'a valid value'}, found ${problem.found ?? 'nothing'}`;
  const field = findField(problem.keyPath);
  const defaultHint =
    problem.expected === undefined
      ? 'Fix the value, then run `sync config check --config <file>` again.'
      : `Set ${problem.keyPath} to ${problem.expected}${
          field?.default !== undefined ? `, or remove it to use the default (${formatDefault(field)})` : ''
        }.`;
  return { ...problem, message: `${subject}: ${body}.`, hint: problem.hint ?? defaultHint };
}

function formatDefault(field: AnyFieldSpec): string {
  return field.kind === 'byteSize' ? formatBytes(field.default as number) : JSON.stringify(field.default);
}

function locateParent(keyPath: string, sources: ValueSources): string | undefined {
  let path = keyPath;
  for (;;) {
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) return undefined;
    path = path.slice(0, cut);
    const location = sources.locate(path, 'key');
    if (location !== undefined) return location;
  }
}

function findField(keyPath: string): AnyFieldSpec | undefined {
  let spec: AnySpec | undefined = SYNC_CONFIG_SCHEMA;
  for (const segment of keyPath.split('.')) {
    if (spec?.type !== 'section') return undefined;
    spec = (spec.fields as Record<string, AnySpec>)[segment];
  }
  return spec?.type === 'field' ? spec : undefined;
}

function leafPaths(spec: AnySpec, prefix: string): string[] {
  if (spec.type === 'field') return [prefix];
  return Object.entries(spec.fields as Record<string, AnySpec>).flatMap(([name, child]) =>
    leafPaths(child, prefix === '' ? name : `${prefix}.${name}`),
  );
}

function lastSegment(keyPath: string): string {
  return keyPath.slice(keyPath.lastIndexOf('.') + 1);
}

/** `source.uri` -> `SOURCE_URI`, for hints. */
function envNameFor(keyPath: string): string {
  return keyPath.replace(/[.[\]]+/g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
