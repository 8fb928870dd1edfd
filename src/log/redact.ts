/**
 * Credential redaction, used by the log format (on every entry), by configuration printing and by `SyncError`.
 *
 * The rule is "over-redact rather than leak": when a URI cannot be parsed, everything between `://` and the last
 * `@` of the token is treated as credentials.
 */
import { ConnectionString } from 'mongodb-connection-string-url';

/** What replaces a secret. */
export const REDACTED = '****';

/**
 * URI options whose value is a secret. `authMechanismProperties` can carry `AWS_SESSION_TOKEN`.
 * https://www.mongodb.com/docs/manual/reference/connection-string-options/
 */
const SENSITIVE_URI_OPTIONS: ReadonlySet<string> = new Set([
  'authmechanismproperties',
  'tlscertificatekeyfilepassword',
  'sslpemkeypassword',
  'proxypassword',
]);

/**
 * Field names whose value is masked. `key` alone and `<qualifier>Key` names that hold secret material are masked;
 * MongoDB's own vocabulary (`documentKey`, `shardKey`, `keyPattern`, `resumeToken`) is not, because it holds no
 * credential and is needed to debug a migration.
 */
const SENSITIVE_FIELD = /pass(word|wd|phrase)|^pwd$|secret|token|credential|^key$|(api|access|private|signing|encryption|master|session|secret)_?key$/i;

/** Names that look sensitive but are MongoDB vocabulary holding no credential (a change stream position). */
const NOT_SENSITIVE_FIELD = /resumeToken$/i;

/**
 * Commands whose bodies carry credentials; logged as an empty document.
 * Same list as the driver's command monitoring (src/cmap/command_monitoring_events.ts).
 */
const SENSITIVE_COMMANDS: ReadonlySet<string> = new Set([
  'authenticate',
  'saslstart',
  'saslcontinue',
  'getnonce',
  'createuser',
  'updateuser',
  'copydbgetnonce',
  'copydbsaslstart',
  'copydb',
]);

/**
 * `scheme://userinfo@` inside free text. Userinfo runs to the LAST `@` before whitespace or a quote, so that an
 * unencoded `@` in a password (an invalid URI, but one a user may still type) is redacted entirely.
 */
const URI_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)@/gi;

/** True when a field with this name holds a secret and must be masked. */
export function isSensitiveField(name: string): boolean {
  return SENSITIVE_FIELD.test(name) && !NOT_SENSITIVE_FIELD.test(name);
}

/** True when a command (by its first key) carries credentials. */
export function isSensitiveCommand(commandName: string): boolean {
  return SENSITIVE_COMMANDS.has(commandName.toLowerCase());
}

/**
 * Redacts one connection string: the password becomes `****` (the user name is kept, it helps to diagnose
 * authentication failures), and secret-bearing options are masked. A string that does not parse as a MongoDB URI
 * is redacted as free text by {@link redactText}.
 */
export function redactUri(uri: string): string {
  let parsed: ConnectionString;
  try {
    parsed = new ConnectionString(uri);
  } catch {
    return redactText(uri);
  }
  if (parsed.password !== '') parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_URI_OPTIONS.has(name.toLowerCase())) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/**
 * Redacts every `scheme://user:password@` found in free text (error messages, log messages): the password part
 * becomes `****`; userinfo without a `:` is kept (it is a user name only).
 */
export function redactText(text: string): string {
  return text.replace(URI_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon === -1) return `${scheme}${userinfo}@`;
    return `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** Options of {@link redactValue}. */
export interface RedactValueOptions {
  /** Strings longer than this are cut and marked. Unset or 0: no limit. */
  readonly maxStringLength?: number;
  /** Nesting depth below which values are replaced by `'[…]'`. Unset: 20. */
  readonly maxDepth?: number;
}

/**
 * Returns a redacted copy of a value: strings through {@link redactText}, fields named like a secret masked,
 * sensitive command documents emptied, errors turned into plain `{ name, message, code, codeName, stack }`.
 * Plain objects and arrays are copied; other class instances (BSON values, Dates, Buffers) are returned as they
 * are. The input is never modified.
 */
export function redactValue(value: unknown, options: RedactValueOptions = {}): unknown {
  return redactInner(value, options, 0, new WeakSet());
}

function redactInner(value: unknown, options: RedactValueOptions, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return truncate(redactText(value), options.maxStringLength);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= (options.maxDepth ?? 20)) return '[…]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactInner(item, options, depth + 1, seen));
    if (value instanceof Error) return redactError(value, options, depth, seen);
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined && field !== null && isSensitiveField(key)) out[key] = REDACTED;
      else if ((key === 'command' || key === 'cmd') && isCommandWithCredentials(field)) out[key] = {};
      else out[key] = redactInner(field, options, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function redactError(
  error: Error,
  options: RedactValueOptions,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  const extra = error as Error & { code?: unknown; codeName?: unknown; hint?: unknown };
  if (extra.code !== undefined) out['code'] = extra.code;
  if (extra.codeName !== undefined) out['codeName'] = extra.codeName;
  if (typeof extra.hint === 'string' && extra.hint !== '') out['hint'] = redactText(extra.hint);
  if (error.stack !== undefined) out['stack'] = redactText(error.stack);
  if (error.cause !== undefined) out['cause'] = redactInner(error.cause, options, depth + 1, seen);
  return out;
}

function isCommandWithCredentials(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && isSensitiveCommand(first);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function truncate(text: string, maxLength: number | undefined): string {
  if (maxLength === undefined || maxLength <= 0 || text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}… (${text.length - maxLength} more characters)`;
}
