/**
 * The one description of `sync.yaml` and of the flags that override it. The input type
 * ({@link SyncConfigInput}), the resolved type ({@link SyncConfig}), validation, defaults, the yargs flags
 * (`config_flags.ts`) and the redaction of `config check` are all derived from {@link SYNC_CONFIG_SCHEMA}.
 *
 * Key names are mongosync's where mongosync has the option
 * (https://www.mongodb.com/docs/mongosync/current/reference/api/start/).
 */
import { ERROR_CODES } from '../errors.js';
import { LOG_FORMATS, LOG_LEVELS } from '../log/logger.js';
import {
  booleanField,
  byteSizeField,
  choiceField,
  customField,
  integerField,
  pathField,
  section,
  stringField,
  type FieldProblem,
  type InputOf,
  type ResolvedOf,
} from './field_types.js';
import { isLoopbackHost, LOOPBACK_HOSTS_DESCRIPTION } from './loopback_host.js';
import { MONGO_URI_EXPECTED, parseMongoUri, sharedHosts } from './mongo_uri.js';
import {
  NAMESPACE_RULE_EXPECTED,
  parseNamespaceRules,
  type NamespaceFilterRule,
  type NamespaceRuleInput,
} from './namespace_rules.js';

/** When the destination's indexes are built (mongosync's `buildIndexes`). */
export const BUILD_INDEXES = Object.freeze(['afterDataCopy', 'beforeDataCopy', 'never'] as const);
/** A `buildIndexes` value. */
export type BuildIndexes = (typeof BUILD_INDEXES)[number];

/** Which clusters get user writes blocked (mongosync's `enableUserWriteBlocking`). */
export const USER_WRITE_BLOCKING = Object.freeze(['destinationOnly', 'sourceAndDestination', 'none'] as const);
/** An `enableUserWriteBlocking` value. */
export type UserWriteBlocking = (typeof USER_WRITE_BLOCKING)[number];

/**
 * The maximum size of a wire protocol message (`maxMessageSizeBytes`, 48,000,000 bytes): a write batch larger than
 * this is split by the driver, which defeats our own byte bound.
 */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

const MIB = 1024 * 1024;

const uriField = <const R extends boolean>(doc: string, required: R) =>
  customField<string, string, { doc: string; required: R }>('uri', { doc, required }, MONGO_URI_EXPECTED, parseMongoUri);

const namespaceFiltersField = (doc: string) =>
  customField<readonly NamespaceFilterRule[], NamespaceRuleInput[], { doc: string }>(
    'namespaceFilters',
    { doc },
    `a non-empty list of filters, each ${NAMESPACE_RULE_EXPECTED}`,
    parseNamespaceRules,
  );

/** The accepted form of `api.token`: visible ASCII (it travels in an HTTP header), long enough not to be guessed. */
const API_TOKEN_EXPECTED = '16 to 4096 visible ASCII characters (no spaces)';

/**
 * `api.token`. A rejected value is described by its type and length only: echoing a secret in an error message
 * (and so in logs and terminals) would leak the very thing being configured.
 */
const apiTokenField = (doc: string) =>
  customField<string, string, { doc: string }>('string', { doc }, API_TOKEN_EXPECTED, (raw, context) => {
    if (typeof raw === 'string' && /^[\x21-\x7e]{16,4096}$/.test(raw)) return { ok: true, value: raw };
    return {
      ok: false,
      problems: [
        {
          code: ERROR_CODES.CONFIG_INVALID_VALUE,
          keyPath: context.keyPath,
          expected: API_TOKEN_EXPECTED,
          found: typeof raw === 'string' ? `a string of ${raw.length} characters` : `a value of type ${typeof raw}`,
          hint: 'Set api.token to a random string, e.g. the output of `openssl rand -hex 32`, through an environment variable.',
        },
      ],
    };
  });

/** The schema of sync.yaml. */
export const SYNC_CONFIG_SCHEMA = section('The sync.yaml configuration of one migration.', {
  id: stringField({
    doc:
      'Migration id: names the migration\'s state on the destination, so several migrations can share a ' +
      'destination. 1 to 64 characters among A-Z a-z 0-9 _ -. Unset: "default".',
    expected: '1 to 64 characters among A-Z, a-z, 0-9, "_" and "-"',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    default: 'default',
    flag: 'id',
  }),
  source: section('The cluster to migrate from.', {
    uri: uriField(
      'Connection string of the source cluster (mongodb:// or mongodb+srv://). Required; may be "${SOURCE_URI}".',
      true,
    ),
  }),
  destination: section('The cluster to migrate to.', {
    uri: uriField(
      'Connection string of the destination cluster (mongodb:// or mongodb+srv://). Required; must name other ' +
        'hosts than source.uri.',
      true,
    ),
  }),
  includeNamespaces: namespaceFiltersField(
    'Only namespaces matching one of these filters are synced. Each filter is "db.coll", "db.*", or ' +
      'mongosync\'s {database | databaseRegex, collections | collectionsRegex}. Unset: every namespace.',
  ),
  excludeNamespaces: namespaceFiltersField(
    'Namespaces matching one of these filters are not synced, even when included. Unset: nothing excluded.',
  ),
  buildIndexes: choiceField(BUILD_INDEXES, {
    doc:
      'When indexes are built on the destination: "afterDataCopy" (faster copy), "beforeDataCopy", or "never" ' +
      '(only the _id index). Unset: "afterDataCopy".',
    default: 'afterDataCopy',
  }),
  enableUserWriteBlocking: choiceField(USER_WRITE_BLOCKING, {
    doc:
      'Which clusters refuse user writes: "destinationOnly" until commit, "sourceAndDestination" (also the ' +
      'source from commit on; required by reversible), or "none". Unset: "destinationOnly".',
    default: 'destinationOnly',
  }),
  reversible: booleanField({
    doc:
      'Whether the migration can be reversed after commit (destination back to source). Requires ' +
      'enableUserWriteBlocking: sourceAndDestination. Unset: false.',
    default: false,
  }),
  copy: section('The initial copy of the documents.', {
    parallelism: integerField({
      doc: 'Number of partitions copied at once, 1 to 64. Unset: 4.',
      min: 1,
      max: 64,
      default: 4,
    }),
    batchSizeBytes: byteSizeField({
      doc:
        'Upper bound of one insert batch, in bytes (an integer or a size such as "8MiB"), at most 48,000,000 ' +
        '(the server\'s message size limit). Unset: 8 MiB.',
      minBytes: 1024,
      maxBytes: MAX_MESSAGE_SIZE_BYTES,
      default: 8 * MIB,
    }),
    partitionSizeBytes: byteSizeField({
      doc:
        'Target size of one copy partition (an _id range copied and checkpointed on its own), in bytes or with a ' +
        'unit. Smaller partitions resume with less rework; larger ones cost fewer queries. Unset: 64 MiB.',
      minBytes: MIB,
      maxBytes: Number.MAX_SAFE_INTEGER,
      default: 64 * MIB,
    }),
  }),
  api: section('The local HTTP API (mongosync-compatible endpoints, /metrics, /healthz).', {
    host: stringField({
      doc: 'Interface the API listens on. Unset: 127.0.0.1 (local only).',
      expected: 'a host name or IP address',
      pattern: /^[A-Za-z0-9.:[\]_-]+$/,
      default: '127.0.0.1',
    }),
    port: integerField({
      doc: 'TCP port of the API; 0 picks a free port (logged at start). Unset: 27182 (mongosync\'s).',
      min: 0,
      max: 65535,
      default: 27182,
      flag: 'port',
    }),
    token: apiTokenField(
      'Bearer token every API request but /healthz must carry (Authorization: Bearer <token>); required when ' +
        'api.host is not a loopback address. 16 to 4096 visible ASCII characters; keep it out of the file: ' +
        '"${SYNC_API_TOKEN}". Unset: no token (loopback only).',
    ),
  }),
  logging: section('Logs (always on stderr; command results go to stdout).', {
    level: choiceField(LOG_LEVELS, {
      doc: 'Least severe level logged: error, warn, info or debug (per batch). Unset: info.',
      default: 'info',
      flag: 'log-level',
    }),
    format: choiceField(LOG_FORMATS, {
      doc:
        'Console format: "text" (readable lines when stderr is a terminal, JSON lines otherwise) or "json" ' +
        '(always JSON lines). Unset: text.',
      default: 'text',
      flag: 'log-format',
    }),
    file: pathField({
      doc:
        'File that also receives every entry as JSON lines, appended. A relative path is relative to the config ' +
        'file. Unset: no log file.',
      flag: 'log-file',
    }),
  }),
});

/** What sync.yaml may contain (every key optional; `validateConfig` enforces the required ones). */
export type SyncConfigInput = InputOf<typeof SYNC_CONFIG_SCHEMA>;

/** The resolved configuration: validated, `${ENV}` resolved, defaults filled in, deeply frozen. */
export type SyncConfig = ResolvedOf<typeof SYNC_CONFIG_SCHEMA>;
/** The `copy` section, as the copy module receives it. */
export type CopyOptions = SyncConfig['copy'];
/** The `api` section. */
export type ApiOptions = SyncConfig['api'];
/** The `logging` section; fits `LoggerOptions` of `log/logger.ts`. */
export type LoggingOptions = SyncConfig['logging'];

/** A rule between several keys, checked once each key is valid on its own. */
export interface CrossFieldRule {
  /** The rule as one sentence (listed by the docs and tests). */
  readonly description: string;
  /** Returns the problem, or undefined when the configuration satisfies the rule. */
  readonly check: (config: SyncConfig) => FieldProblem | undefined;
}

/** Rules that span several keys. */
export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = Object.freeze([
  {
    description: 'reversible: true requires enableUserWriteBlocking: sourceAndDestination (as in mongosync).',
    check: (config: SyncConfig) =>
      config.reversible && config.enableUserWriteBlocking !== 'sourceAndDestination'
        ? {
            code: ERROR_CODES.CONFIG_CONFLICT,
            keyPath: 'enableUserWriteBlocking',
            expected: '"sourceAndDestination" when reversible is true',
            found: JSON.stringify(config.enableUserWriteBlocking),
            hint:
              'Set enableUserWriteBlocking: sourceAndDestination (a reverse sync needs the source write-blocked ' +
              'at commit), or set reversible: false.',
          }
        : undefined,
  },
  {
    description: `api.host other than a loopback address (${LOOPBACK_HOSTS_DESCRIPTION}) requires api.token.`,
    check: (config: SyncConfig) =>
      isLoopbackHost(config.api.host) || config.api.token !== undefined
        ? undefined
        : {
            code: ERROR_CODES.CONFIG_CONFLICT,
            keyPath: 'api.token',
            expected: `a bearer token when api.host is not a loopback address (${LOOPBACK_HOSTS_DESCRIPTION})`,
            found: `nothing, with api.host ${JSON.stringify(config.api.host)}`,
            hint:
              'Set api.token (e.g. api.token: "${SYNC_API_TOKEN}"), since anyone who reaches that address could ' +
              'otherwise pause, commit or reverse the migration; or set api.host: 127.0.0.1.',
          },
  },
  {
    description: 'source.uri and destination.uri must not name the same hosts.',
    check: (config: SyncConfig) => {
      const shared = sharedHosts(config.source.uri, config.destination.uri);
      return shared.length === 0
        ? undefined
        : {
            code: ERROR_CODES.CONFIG_SAME_CLUSTER,
            keyPath: 'destination.uri',
            expected: 'hosts other than those of source.uri',
            found: `the same host${shared.length === 1 ? '' : 's'} ${shared.join(', ')}`,
            hint: 'Point destination.uri at the cluster to migrate to, not at the source.',
          };
    },
  },
]);
