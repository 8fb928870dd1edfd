/**
 * Connection string checks: the `uri` fields' parse rule and the host comparison behind "source and destination
 * must be different clusters". Parsing uses `mongodb-connection-string-url`, the driver's own parser, so a URI
 * accepted here is accepted by `MongoClient`.
 */
import { ConnectionString } from 'mongodb-connection-string-url';
import { ERROR_CODES } from '../errors.js';
import { redactUri } from '../log/redact.js';
import { ok, type FieldContext, type FieldResult } from './field_types.js';

/** The phrase describing an acceptable URI. */
export const MONGO_URI_EXPECTED = 'a connection string starting with "mongodb://" or "mongodb+srv://"';

/** The server's default port, implied by a host without one. */
const DEFAULT_PORT = 27017;

/** Parse rule of a `uri` field: the string must parse as a MongoDB connection string. */
export function parseMongoUri(raw: unknown, context: FieldContext): FieldResult<string> {
  if (typeof raw !== 'string' || raw.trim() === '') {
    return {
      ok: false,
      problems: [
        {
          code: ERROR_CODES.CONFIG_INVALID_URI,
          keyPath: context.keyPath,
          expected: MONGO_URI_EXPECTED,
          found: raw === '' ? 'an empty string' : typeof raw === 'string' ? 'blank text' : describeNonString(raw),
        },
      ],
    };
  }
  try {
    const parsed = new ConnectionString(raw);
    // The URL parser accepts any port text; the driver refuses it only when it connects, so check it here.
    const badHost = parsed.isSRV ? undefined : parsed.hosts.find((host) => !isValidHostPort(host));
    if (badHost !== undefined) throw new Error(`host "${badHost}" does not end in a port from 1 to 65535`);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          code: ERROR_CODES.CONFIG_INVALID_URI,
          keyPath: context.keyPath,
          expected: MONGO_URI_EXPECTED,
          found: `${JSON.stringify(describeUriSafely(raw))} (${(error as Error).message})`,
          hint: 'Percent-encode special characters (@ : / ? # [ ] %) in the user name and password.',
        },
      ],
    };
  }
  return ok(raw);
}

/**
 * The hosts a URI names, normalized for comparison: lower case, default port made explicit, and for
 * `mongodb+srv://` the SRV name prefixed with `srv:` (its members are only known after a DNS lookup).
 */
export function uriHosts(uri: string): readonly string[] {
  const parsed = new ConnectionString(uri);
  return parsed.hosts.map((host) => {
    const normalized = host.toLowerCase();
    if (parsed.isSRV) return `srv:${normalized}`;
    return /:\d+$/.test(normalized) ? normalized : `${normalized}:${DEFAULT_PORT}`;
  });
}

/** Hosts that both URIs name; empty when the two are different deployments (as far as the URIs tell). */
export function sharedHosts(leftUri: string, rightUri: string): readonly string[] {
  const right = new Set(uriHosts(rightUri));
  return uriHosts(leftUri).filter((host) => right.has(host));
}

/**
 * A URI shown in a message: redacted, and when it has no scheme (so it is not recognized as a URI) everything
 * before its last `@` is masked, since it may be a password.
 */
export function describeUriSafely(raw: string): string {
  const redacted = redactUri(raw);
  if (redacted.includes('://')) return redacted;
  const at = redacted.lastIndexOf('@');
  return at === -1 ? redacted : `****${redacted.slice(at)}`;
}

/** `host`, `host:port` or `[ipv6]:port`, with a port from 1 to 65535 when one is given. */
function isValidHostPort(host: string): boolean {
  const match = /^(?:\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(host);
  if (match === null) return false;
  return match[1] === undefined || (Number(match[1]) >= 1 && Number(match[1]) <= 65535);
}

function describeNonString(raw: unknown): string {
  if (raw === undefined) return 'nothing';
  if (raw === null) return 'null (an empty value)';
  if (Array.isArray(raw)) return 'a list';
  return typeof raw === 'object' ? 'a mapping' : String(raw);
}
