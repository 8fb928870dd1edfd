/**
 * The small vocabulary `schema.ts` is written in: sections, fields, and the parse rule of each field kind.
 *
 * A field is data (doc, expected form, default, flag) plus one pure `parse` function from the raw value to the
 * resolved value or problems. The input and resolved TypeScript types of the whole configuration are computed
 * from the schema by {@link InputOf} and {@link ResolvedOf}, so there is one description only.
 */
import path from 'node:path';
import { ERROR_CODES, type AreaCode } from '../errors.js';

/** Whether a field must be given, has a default, or may stay unset. */
export type Presence = 'required' | 'defaulted' | 'optional';

/** What a field's parse function knows besides the raw value. */
export interface FieldContext {
  /** Dotted key path of the value, e.g. `copy.parallelism`, `includeNamespaces[0].database`. */
  readonly keyPath: string;
  /**
   * True when the raw value is text that came from an environment variable or a command-line flag, where `8`
   * and `true` can only be written as strings; such strings are converted to numbers and booleans.
   */
  readonly fromText: boolean;
  /** Directory that relative paths are resolved against (the config file's, or the working directory's). */
  readonly baseDir: string;
}

/** One problem with one value, before it is turned into a message with the value's location. */
export interface FieldProblem {
  readonly code: AreaCode<'CONFIG'>;
  /** Key path of the offending value. */
  readonly keyPath: string;
  /** The value expected, as a phrase: `an integer from 1 to 64`. */
  readonly expected?: string;
  /** The value found, already redacted and quoted: `"abc"`, `a list`. */
  readonly found?: string;
  /** A sentence used instead of expected/found when they do not fit (unknown key, unset variable). */
  readonly problem?: string;
  /** The operator's next step. Unset: derived from `expected`. */
  readonly hint?: string;
}

/** The outcome of parsing one value. */
export type FieldResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** The kinds of fields (also tells `config check` which values to redact: `uri`). */
export type FieldKind = 'string' | 'integer' | 'byteSize' | 'choice' | 'boolean' | 'uri' | 'path' | 'namespaceFilters';

/** A leaf of the schema. `TOut` is the resolved type, `TIn` what the YAML may hold. */
export interface FieldSpec<TOut, P extends Presence, TIn = TOut> {
  readonly type: 'field';
  readonly kind: FieldKind;
  readonly presence: P;
  /** What the field means, its unit, and what unset means. Printed by the example file and `--help`. */
  readonly doc: string;
  /** The accepted values as a phrase (`an integer from 1 to 64`). */
  readonly expected: string;
  /** Resolved value when unset. Undefined for required and optional fields. */
  readonly default: TOut | undefined;
  /** Long command-line flag that overrides the field (`log-level`). Unset: no flag. */
  readonly flag: string | undefined;
  /** Allowed values of a `choice` field. */
  readonly choices: readonly string[] | undefined;
  /** Converts and checks a raw value; never called with `undefined`. */
  readonly parse: (raw: unknown, context: FieldContext) => FieldResult<TOut>;
  /** Type-level only: the input type. Never set. */
  readonly inputType?: TIn;
}

/** Any field, whatever its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFieldSpec = FieldSpec<any, Presence, any>;

/** A mapping of named fields and sections. */
export interface SectionSpec<F extends Readonly<Record<string, AnySpec>>> {
  readonly type: 'section';
  /** What the section groups. */
  readonly doc: string;
  readonly fields: F;
}

/** A field or a section. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySpec = AnyFieldSpec | SectionSpec<any>;

/** The type a YAML file may hold for a spec (every key optional: env and flags can fill required ones). */
export type InputOf<S> =
  S extends SectionSpec<infer F>
    ? { [K in keyof F]?: InputOf<F[K]> }
    : S extends FieldSpec<infer _TOut, infer _P, infer TIn>
      ? TIn
      : never;

/** The resolved, read-only type for a spec: defaults filled in, optional fields possibly undefined. */
export type ResolvedOf<S> =
  S extends SectionSpec<infer F>
    ? { readonly [K in keyof F]: ResolvedOf<F[K]> }
    : S extends FieldSpec<infer TOut, infer P, infer _TIn>
      ? P extends 'optional'
        ? TOut | undefined
        : TOut
      : never;

/** Options every field builder accepts. */
export interface CommonFieldOptions<T> {
  readonly doc: string;
  readonly default?: T;
  readonly required?: boolean;
  readonly flag?: string;
}

/** The presence implied by a builder's options. */
export type PresenceOf<O> = O extends { readonly required: true }
  ? 'required'
  : O extends { readonly default: unknown }
    ? 'defaulted'
    : 'optional';

/** Builds a section. */
export function section<const F extends Readonly<Record<string, AnySpec>>>(doc: string, fields: F): SectionSpec<F> {
  return Object.freeze({ type: 'section', doc, fields });
}

function field<TOut, P extends Presence, TIn>(
  kind: FieldKind,
  options: CommonFieldOptions<TOut>,
  expected: string,
  parse: FieldSpec<TOut, P, TIn>['parse'],
  choices?: readonly string[],
): FieldSpec<TOut, P, TIn> {
  const presence = (options.required === true ? 'required' : options.default !== undefined ? 'defaulted' : 'optional') as P;
  return Object.freeze({
    type: 'field',
    kind,
    presence,
    doc: options.doc,
    expected,
    default: options.default,
    flag: options.flag,
    choices,
    parse,
  });
}

/** A success result. */
export function ok<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}

/** A failure with one invalid-value problem. */
export function invalid<T>(context: FieldContext, expected: string, raw: unknown, hint?: string): FieldResult<T> {
  return {
    ok: false,
    problems: [
      {
        code: ERROR_CODES.CONFIG_INVALID_VALUE,
        keyPath: context.keyPath,
        expected,
        found: describeFound(raw),
        ...(hint === undefined ? {} : { hint }),
      },
    ],
  };
}

/** Options of {@link stringField}. */
export interface StringFieldOptions extends CommonFieldOptions<string> {
  /** Pattern the whole string must match. Unset: any non-empty string. */
  readonly pattern?: RegExp;
  /** The accepted form as a phrase. */
  readonly expected: string;
}

/** A non-empty string, optionally matching a pattern. */
export function stringField<const O extends StringFieldOptions>(options: O): FieldSpec<string, PresenceOf<O>, string> {
  return field('string', options, options.expected, (raw, context) => {
    if (typeof raw !== 'string' || raw === '') return invalid(context, options.expected, raw);
    if (options.pattern !== undefined && !options.pattern.test(raw)) return invalid(context, options.expected, raw);
    return ok(raw);
  });
}

/** Options of {@link integerField}. */
export interface IntegerFieldOptions extends CommonFieldOptions<number> {
  readonly min: number;
  readonly max: number;
}

/** An integer within `[min, max]`. */
export function integerField<const O extends IntegerFieldOptions>(options: O): FieldSpec<number, PresenceOf<O>, number> {
  const expected = `an integer from ${formatInteger(options.min)} to ${formatInteger(options.max)}`;
  return field('integer', options, expected, (raw, context) => {
    const value = context.fromText && typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < options.min || value > options.max) {
      return invalid(context, expected, raw);
    }
    return ok(value);
  });
}

/** Options of {@link byteSizeField}. */
export interface ByteSizeFieldOptions extends CommonFieldOptions<number> {
  readonly minBytes: number;
  readonly maxBytes: number;
}

const BYTE_UNITS: Readonly<Record<string, number>> = Object.freeze({
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
});

/**
 * A size in bytes: an integer, or a string with a unit (`8MiB`, `64 MiB`, `1.5GB`; KiB/MiB/GiB are powers of
 * 1024, KB/MB/GB powers of 1000). The resolved value is always an integer number of bytes.
 */
export function byteSizeField<const O extends ByteSizeFieldOptions>(
  options: O,
): FieldSpec<number, PresenceOf<O>, number | string> {
  const expected =
    `a size in bytes from ${formatBytes(options.minBytes)} to ${formatBytes(options.maxBytes)} ` +
    '(an integer, or a number with a unit: B, KB, MB, GB, KiB, MiB, GiB)';
  return field('byteSize', options, expected, (raw, context) => {
    const bytes = parseByteSize(raw);
    if (bytes === undefined || bytes < options.minBytes || bytes > options.maxBytes) {
      return invalid(context, expected, raw);
    }
    return ok(bytes);
  });
}

/** Parses an integer or a `<number><unit>` string into whole bytes; undefined when it is neither. */
export function parseByteSize(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (match === null) return undefined;
  const unit = BYTE_UNITS[(match[2] ?? '').toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** One of a fixed set of strings. */
export function choiceField<const V extends readonly string[], const O extends CommonFieldOptions<V[number]>>(
  values: V,
  options: O,
): FieldSpec<V[number], PresenceOf<O>, V[number]> {
  const expected = `one of ${values.map((value) => `"${value}"`).join(', ')}`;
  return field(
    'choice',
    options,
    expected,
    (raw, context) => (typeof raw === 'string' && values.includes(raw) ? ok(raw as V[number]) : invalid(context, expected, raw)),
    values,
  );
}

/** `true` or `false`. */
export function booleanField<const O extends CommonFieldOptions<boolean>>(
  options: O,
): FieldSpec<boolean, PresenceOf<O>, boolean> {
  const expected = 'true or false';
  return field('boolean', options, expected, (raw, context) => {
    if (typeof raw === 'boolean') return ok(raw);
    if (context.fromText && (raw === 'true' || raw === 'false')) return ok(raw === 'true');
    return invalid(context, expected, raw);
  });
}

/** A file path; a relative path is resolved against the config file's directory (or, from a flag, the cwd). */
export function pathField<const O extends CommonFieldOptions<string>>(options: O): FieldSpec<string, PresenceOf<O>, string> {
  const expected = 'a file path';
  return field('path', options, expected, (raw, context) =>
    typeof raw === 'string' && raw.trim() !== '' ? ok(path.resolve(context.baseDir, raw)) : invalid(context, expected, raw),
  );
}

/** A field with a custom parse rule (URIs, namespace filters). */
export function customField<TOut, TIn, const O extends CommonFieldOptions<TOut>>(
  kind: FieldKind,
  options: O,
  expected: string,
  parse: (raw: unknown, context: FieldContext) => FieldResult<TOut>,
): FieldSpec<TOut, PresenceOf<O>, TIn> {
  return field(kind, options, expected, parse);
}

/**
 * How a found value is shown in a message: strings quoted (cut at 80 characters, URIs' passwords masked by the
 * error's own redaction), containers by their kind.
 */
export function describeFound(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  if (raw === null) return 'null (an empty value)';
  if (typeof raw === 'string') {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    return raw === '' ? 'an empty string' : JSON.stringify(shown);
  }
  if (Array.isArray(raw)) return `a list of ${raw.length} item${raw.length === 1 ? '' : 's'}`;
  if (typeof raw === 'object') return 'a mapping';
  return String(raw);
}

function formatInteger(value: number): string {
  return value.toLocaleString('en-US');
}

/** `8 MiB`, `48,000,000 bytes`: a binary unit only when the size is a whole number of it. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${formatInteger(bytes)} bytes`;
}
