import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../../src/config/load_config.js';
import type { SyncConfig } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';

const BASE = 'source:\n  uri: mongodb://src:27017\ndestination:\n  uri: mongodb://dst:27017\n';

function resolve(text: string, argvOverrides: Record<string, unknown> = {}): SyncConfig {
  return resolveConfig({ text, fileLabel: 'sync.yaml', configDir: '/etc/sync', cwd: '/home/op', env: {}, argvOverrides });
}

function errorOf(text: string, argvOverrides: Record<string, unknown> = {}): ConfigError {
  try {
    resolve(text, argvOverrides);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  it('fills in every default when only the URIs are given', () => {
    expect(resolve(BASE)).toEqual({
      id: 'default',
      source: { uri: 'mongodb://src:27017' },
      destination: { uri: 'mongodb://dst:27017' },
      includeNamespaces: undefined,
      excludeNamespaces: undefined,
      buildIndexes: 'afterDataCopy',
      enableUserWriteBlocking: 'destinationOnly',
      reversible: false,
      copy: { parallelism: 4, batchSizeBytes: 8 * 1024 * 1024, partitionSizeBytes: 64 * 1024 * 1024 },
      api: { host: '127.0.0.1', port: 27182 },
      logging: { level: 'info', format: 'text', file: undefined },
    });
  });

  it('returns a deeply frozen configuration', () => {
    const config = resolve(`${BASE}includeNamespaces: [a.b]\n`);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.copy)).toBe(true);
    expect(Object.isFrozen(config.includeNamespaces?.[0])).toBe(true);
  });

  it.each([
    ['id: "with space"', 'id (sync.yaml:5:5)', 'expected 1 to 64 characters among A-Z, a-z, 0-9, "_" and "-"', 'found "with space"'],
    [`id: ${'x'.repeat(65)}`, 'id (sync.yaml:5:5)', 'expected 1 to 64 characters', `found "${'x'.repeat(65)}"`],
    ['buildIndexes: later', 'buildIndexes (sync.yaml:5:15)', 'expected one of "afterDataCopy", "beforeDataCopy", "never"', 'found "later"'],
    ['enableUserWriteBlocking: true', 'enableUserWriteBlocking', 'expected one of "destinationOnly", "sourceAndDestination", "none"', 'found true'],
    ['reversible: "yes"', 'reversible (sync.yaml:5:13)', 'expected true or false', 'found "yes"'],
    ['copy:\n  parallelism: 0', 'copy.parallelism (sync.yaml:6:16)', 'expected an integer from 1 to 64', 'found 0'],
    ['copy:\n  parallelism: 65', 'copy.parallelism', 'expected an integer from 1 to 64', 'found 65'],
    ['copy:\n  parallelism: 2.5', 'copy.parallelism', 'expected an integer from 1 to 64', 'found 2.5'],
    ['copy:\n  parallelism: "4"', 'copy.parallelism', 'expected an integer from 1 to 64', 'found "4"'],
    ['copy:\n  batchSizeBytes: 48000001', 'copy.batchSizeBytes', 'to 48,000,000 bytes', 'found 48000001'],
    ['copy:\n  batchSizeBytes: 64MiB', 'copy.batchSizeBytes', 'expected a size in bytes', 'found "64MiB"'],
    ['copy:\n  batchSizeBytes: 8 parsecs', 'copy.batchSizeBytes', 'expected a size in bytes', 'found "8 parsecs"'],
    ['copy:\n  partitionSizeBytes: 1000', 'copy.partitionSizeBytes', 'from 1 MiB', 'found 1000'],
    ['api:\n  port: 70000', 'api.port (sync.yaml:6:9)', 'expected an integer from 0 to 65,535', 'found 70000'],
    ['api:\n  host: "bad host"', 'api.host', 'expected a host name or IP address', 'found "bad host"'],
    ['logging:\n  level: verbose', 'logging.level (sync.yaml:6:10)', 'expected one of "error", "warn", "info", "debug"', 'found "verbose"'],
    ['logging:\n  format: xml', 'logging.format', 'expected one of "text", "json"', 'found "xml"'],
    ['logging:\n  file: ""', 'logging.file', 'expected a file path', 'found an empty string'],
    ['copy: 4', 'copy (sync.yaml:5:7)', 'expected a mapping with the keys parallelism, batchSizeBytes, partitionSizeBytes', 'found 4'],
    ['includeNamespaces: []', 'includeNamespaces', 'expected a non-empty list of filters', 'found a list of 0 items'],
    ['includeNamespaces: sales', 'includeNamespaces', 'expected a non-empty list of filters', 'found "sales"'],
  ])('rejects %j naming the key path, the expected value and the value found', (yaml, subject, expected, found) => {
    const error = errorOf(`${BASE}${yaml}\n`);
    expect(error.code).toBe('CONFIG-1004');
    expect(error.message).toContain(`${subject}`);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(found);
    expect(error.hint).not.toBe('');
  });

  it.each([
    ['source:\n  uri: mongodb://a', 'destination.uri', 'required key is missing', '${DESTINATION_URI}'],
    ['destination:\n  uri: mongodb://a', 'source.uri', 'required key is missing', '${SOURCE_URI}'],
    ['source:\n  uri:\ndestination:\n  uri: mongodb://b', 'source.uri (sync.yaml:2:', 'required key is empty', '${SOURCE_URI}'],
  ])('reports a missing required key (%#)', (yaml, subject, problem, hint) => {
    const error = errorOf(`${yaml}\n`);
    expect(error.code).toBe('CONFIG-1005');
    expect(error.message).toContain(`${subject}`);
    expect(error.message).toContain(problem);
    expect(error.hint).toContain(hint);
  });

  it.each([
    ['http://src:27017', 'found "http://src:27017"'],
    ['src:27017', 'found "src:27017"'],
    ['mongodb://', 'found "mongodb://"'],
    ['mongodb://u:p@ss@h:27017', 'found "mongodb://u:****@h:27017"'],
    ['mongodb://h:99999', 'host "h:99999" does not end in a port from 1 to 65535'],
    ['mongodb://h:abc', 'host "h:abc"'],
  ])('rejects the source URI %j', (uri, found) => {
    const error = errorOf(`source:\n  uri: "${uri}"\ndestination:\n  uri: mongodb://dst\n`);
    expect(error.code).toBe('CONFIG-1007');
    expect(error.message).toContain('source.uri (sync.yaml:2:8): expected a connection string starting with "mongodb://" or "mongodb+srv://"');
    expect(error.message).toContain(found);
    expect(error.message).not.toContain('p@ss');
  });

  it('accepts mongodb+srv URIs', () => {
    const config = resolve('source:\n  uri: mongodb+srv://u:p@cluster0.example.net/\ndestination:\n  uri: mongodb://dst\n');
    expect(config.source.uri).toBe('mongodb+srv://u:p@cluster0.example.net/');
  });

  it.each([
    ['mongodb://src:27017', 'mongodb://SRC'],
    ['mongodb://a:27017,src:27018', 'mongodb://src:27018,b:27017'],
    ['mongodb+srv://cluster0.example.net', 'mongodb+srv://Cluster0.example.net/?tls=true'],
  ])('rejects source %j and destination %j naming the same host', (source, destination) => {
    const error = errorOf(`source:\n  uri: "${source}"\ndestination:\n  uri: "${destination}"\n`);
    expect(error.code).toBe('CONFIG-1009');
    expect(error.message).toContain('destination.uri (sync.yaml:4:8): expected hosts other than those of source.uri, found the same host');
  });

  it('accepts the same host on different ports', () => {
    expect(resolve('source:\n  uri: mongodb://h:27017\ndestination:\n  uri: mongodb://h:27018\n').destination.uri).toBe(
      'mongodb://h:27018',
    );
  });

  it('rejects reversible without enableUserWriteBlocking: sourceAndDestination', () => {
    const error = errorOf(`${BASE}reversible: true\n`);
    expect(error.code).toBe('CONFIG-1008');
    expect(error.message).toContain(
      'enableUserWriteBlocking: expected "sourceAndDestination" when reversible is true, found "destinationOnly"',
    );
    expect(error.hint).toContain('enableUserWriteBlocking: sourceAndDestination');
  });

  it('accepts reversible with enableUserWriteBlocking: sourceAndDestination', () => {
    const config = resolve(`${BASE}reversible: true\nenableUserWriteBlocking: sourceAndDestination\n`);
    expect(config.reversible).toBe(true);
  });

  it.each(['0.0.0.0', '"::"', '10.0.0.7', 'sync-host'])('rejects api.host %s without api.token, naming both keys', (host) => {
    const error = errorOf(`${BASE}api:\n  host: ${host}\n`);
    expect(error.code).toBe('CONFIG-1008');
    expect(error.message).toContain('api.token (sync.yaml:5:1): expected a bearer token when api.host is not a loopback address');
    expect(error.message).toContain(`found nothing, with api.host ${JSON.stringify(host.replaceAll('"', ''))}`);
    expect(error.hint).toContain('api.host: 127.0.0.1');
  });

  it.each(['127.0.0.1', '127.0.1.1', 'localhost', '"::1"'])('accepts api.host %s without api.token', (host) => {
    expect(resolve(`${BASE}api:\n  host: ${host}\n`).api.token).toBeUndefined();
  });

  it('accepts any api.host with api.token, resolved from the environment', () => {
    const config = resolveConfig({
      text: `${BASE}api:\n  host: 0.0.0.0\n  token: \${SYNC_API_TOKEN}\n`,
      fileLabel: 'sync.yaml',
      configDir: '/etc/sync',
      cwd: '/home/op',
      env: { SYNC_API_TOKEN: 'a1b2c3d4e5f6a7b8c9d0' },
    });
    expect(config.api).toEqual({ host: '0.0.0.0', port: 27182, token: 'a1b2c3d4e5f6a7b8c9d0' });
  });

  it.each([
    ['short-token', 'a string of 11 characters'],
    ['"with a space in the token"', 'a string of 25 characters'],
    ['12345678901234567890', 'a value of type number'],
  ])('rejects api.token %s without showing it', (token, found) => {
    const error = errorOf(`${BASE}api:\n  token: ${token}\n`);
    expect(error.code).toBe('CONFIG-1004');
    expect(error.message).toContain(`api.token (sync.yaml:6:10): expected 16 to 4096 visible ASCII characters (no spaces), found ${found}`);
    expect(JSON.stringify({ message: error.message, hint: error.hint, details: error.details })).not.toContain(
      token.replaceAll('"', ''),
    );
  });

  it.each([
    ['8MiB', 8 * 1024 * 1024],
    ['"64 KiB"', 64 * 1024],
    ['1MB', 1_000_000],
    ['48000000', 48_000_000],
    ['2048', 2048],
    ['"1.5 MiB"', 1.5 * 1024 * 1024],
  ])('accepts batchSizeBytes %s as %d bytes', (value, bytes) => {
    expect(resolve(`${BASE}copy:\n  batchSizeBytes: ${value}\n`).copy.batchSizeBytes).toBe(bytes);
  });

  it('resolves logging.file relative to the config file', () => {
    expect(resolve(`${BASE}logging:\n  file: logs/sync.log\n`).logging.file).toBe('/etc/sync/logs/sync.log');
  });

  it('treats a section whose keys are all commented out as unset', () => {
    expect(resolve(`${BASE}copy:\n  # parallelism: 8\n`).copy.parallelism).toBe(4);
  });

  it('lists every problem at once under CONFIG-1000, each with its own code', () => {
    const error = errorOf(`${BASE}id: "a b"\ncopy:\n  parallelism: 100\nbuildIndex: never\n`);
    expect(error.code).toBe('CONFIG-1000');
    expect(error.message).toContain('has 3 problems');
    const problems = error.details['problems'] as { code: string; keyPath: string }[];
    expect(problems.map((problem) => [problem.code, problem.keyPath])).toEqual([
      ['CONFIG-1003', 'buildIndex'],
      ['CONFIG-1004', 'id'],
      ['CONFIG-1004', 'copy.parallelism'],
    ]);
  });
});

describe('unknown keys', () => {
  it.each([
    ['buildIndex: never', 'buildIndex (sync.yaml:5:1)', 'Did you mean "buildIndexes"?'],
    ['revesible: true', 'revesible', 'Did you mean "reversible"?'],
    ['copy:\n  paralelism: 8', 'copy.paralelism (sync.yaml:6:3)', 'Did you mean "copy.parallelism"?'],
    ['logging:\n  levl: debug', 'logging.levl', 'Did you mean "logging.level"?'],
    ['logging:\n  lvl: debug', 'logging.lvl', 'Remove it; the keys allowed in logging are level, format, file.'],
    ['parallelism: 8', 'parallelism', 'Did you mean "copy.parallelism"?'],
    ['port: 1234', 'port', 'Did you mean "api.port"?'],
    ['includeNamespace: [a.b]', 'includeNamespace', 'Did you mean "includeNamespaces"?'],
    ['zzzzzz: 1', 'zzzzzz', 'Remove it; the keys allowed at the top level are id, source, destination'],
    ['includeNamespaces: [{database: a, colections: [b]}]', 'includeNamespaces[0].colections', 'Did you mean "includeNamespaces[0].collections"?'],
  ])('rejects %j with a hint', (yaml, subject, hint) => {
    const error = errorOf(`${BASE}${yaml}\n`);
    expect(error.code).toBe('CONFIG-1003');
    expect(error.message).toContain(`${subject}`);
    expect(error.message).toContain('unknown key');
    expect(error.hint).toContain(hint);
  });
});

describe('namespace filters', () => {
  it('resolves every written form to rules', () => {
    const config = resolve(
      `${BASE}includeNamespaces:\n` +
        '  - sales.orders\n' +
        '  - "hr.*"\n' +
        '  - app.a.b\n' +
        '  - {database: acc, collections: [users, bills]}\n' +
        '  - {databaseRegex: {pattern: "^t_", options: i}, collectionsRegex: {pattern: "x$"}}\n',
    );
    expect(config.includeNamespaces).toEqual([
      { database: 'sales', collections: ['orders'] },
      { database: 'hr' },
      { database: 'app', collections: ['a.b'] },
      { database: 'acc', collections: ['users', 'bills'] },
      { databaseRegex: { pattern: '^t_', options: 'i' }, collectionsRegex: { pattern: 'x$', options: '' } },
    ]);
  });

  it.each([
    ['sales', 'includeNamespaces[0]', 'expected "db.coll" or "db.*"', 'found "sales"'],
    ['sales.', 'includeNamespaces[0]', 'expected "db.coll" or "db.*"', 'found "sales."'],
    ['".coll"', 'includeNamespaces[0]', 'expected "db.coll" or "db.*"', 'found ".coll"'],
    ['"a$b.c"', 'includeNamespaces[0]', 'expected "db.coll" or "db.*"', 'found "a$b.c"'],
    ['42', 'includeNamespaces[0]', 'expected "db.coll", "db.*", or a mapping', 'found 42'],
    ['{collections: [a]}', 'includeNamespaces[0]', 'a filter needs exactly one of "database" and "databaseRegex"', ''],
    ['{database: a, databaseRegex: {pattern: b}}', 'includeNamespaces[0]', 'exactly one of "database" and "databaseRegex"', ''],
    ['{database: a, collections: [b], collectionsRegex: {pattern: c}}', 'includeNamespaces[0]', 'not both', ''],
    ['{database: "a.b"}', 'includeNamespaces[0].database', 'expected a database name', 'found "a.b"'],
    ['{database: a, collections: []}', 'includeNamespaces[0].collections', 'expected a non-empty list of collection names', 'found a list of 0 items'],
    ['{database: a, collections: b}', 'includeNamespaces[0].collections', 'expected a non-empty list of collection names', 'found "b"'],
    ['{databaseRegex: "^a"}', 'includeNamespaces[0].databaseRegex', 'expected a mapping {pattern: <regex>, options: <flags>}', 'found "^a"'],
    ['{databaseRegex: {pattern: "a("}}', 'includeNamespaces[0].databaseRegex.pattern', 'expected a regular expression that compiles', 'found "a("'],
    ['{databaseRegex: {pattern: a, options: g}}', 'includeNamespaces[0].databaseRegex.options', 'expected regex options among "i", "m", "s", "u"', 'found "g"'],
    ['{databaseRegex: {pattern: a, options: x}}', 'includeNamespaces[0].databaseRegex.options', 'expected regex options', 'found "x"'],
  ])('rejects the filter %s', (filter, subject, expected, found) => {
    const error = errorOf(`${BASE}includeNamespaces:\n  - ${filter}\n`);
    expect(error.code).toBe('CONFIG-1010');
    expect(error.message).toContain(`${subject} (sync.yaml:6:`);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(found);
  });

  it('explains that the x regex option is unsupported', () => {
    const error = errorOf(`${BASE}excludeNamespaces:\n  - {databaseRegex: {pattern: a, options: ix}}\n`);
    expect(error.hint).toContain('"x" (extended) option is not supported');
  });
});

describe('command-line overrides', () => {
  it('win over the file and are converted from text', () => {
    const config = resolve(`${BASE}logging:\n  level: warn\n`, {
      'logging.level': 'debug',
      'api.port': '8080',
      'logging.file': 'out/sync.log',
      id: 'm1',
    });
    expect(config.logging.level).toBe('debug');
    expect(config.api.port).toBe(8080);
    expect(config.logging.file).toBe('/home/op/out/sync.log');
    expect(config.id).toBe('m1');
  });

  it('name the flag when their value is invalid', () => {
    const error = errorOf(BASE, { 'logging.level': 'loud' });
    expect(error.message).toBe(
      'logging.level (flag --log-level): expected one of "error", "warn", "info", "debug", found "loud".',
    );
  });

  it('reject an unknown key path with a suggestion', () => {
    const error = errorOf(BASE, { 'copy.paralelism': 3 });
    expect(error.code).toBe('CONFIG-1003');
    expect(error.hint).toBe('Did you mean "copy.parallelism"?');
  });

  it('can provide every required key without a file', () => {
    const config = resolveConfig({
      configDir: '/',
      cwd: '/',
      env: {},
      argvOverrides: { 'source.uri': 'mongodb://a', 'destination.uri': 'mongodb://b' },
    });
    expect(config.source.uri).toBe('mongodb://a');
  });
});

describe('schema types', () => {
  it('derive the input and resolved types from the schema (checked by `npm run typecheck`)', () => {
    const input: import('../../../src/config/schema.js').SyncConfigInput = {
      source: { uri: '${SOURCE_URI}' },
      copy: { batchSizeBytes: '8MiB', parallelism: 8 },
      includeNamespaces: ['sales.*', { databaseRegex: { pattern: '^t_' } }],
      logging: { level: 'debug' },
    };
    // @ts-expect-error: an unknown level is not a valid input.
    const badLevel: import('../../../src/config/schema.js').SyncConfigInput = { logging: { level: 'loud' } };
    const config = resolve(BASE);
    const parallelism: number = config.copy.parallelism;
    const file: string | undefined = config.logging.file;
    expect(() => {
      // @ts-expect-error: the resolved configuration is read-only (and frozen at run time).
      config.copy.parallelism = 2;
    }).toThrow(TypeError);
    expect([input.source?.uri, badLevel.logging?.level, parallelism, file]).toEqual(['${SOURCE_URI}', 'loud', 4, undefined]);
  });
});
