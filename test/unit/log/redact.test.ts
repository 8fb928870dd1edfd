import { describe, expect, it } from '@jest/globals';
import { isSensitiveField, redactText, redactUri, redactValue, REDACTED } from '../../../src/log/redact.js';

describe('redactUri', () => {
  it.each([
    ['mongodb://alice:hunter2@h1:27017,h2/db?replicaSet=rs0', 'mongodb://alice:****@h1:27017,h2/db?replicaSet=rs0'],
    ['mongodb+srv://alice:hunter2@c0.example.net/', 'mongodb+srv://alice:****@c0.example.net/'],
    ['mongodb://al%40ice:p%3Ass@h', 'mongodb://al%40ice:****@h/'],
    ['mongodb://alice@h/?authMechanism=MONGODB-X509', 'mongodb://alice@h/?authMechanism=MONGODB-X509'],
    ['mongodb://h:27017', 'mongodb://h:27017/'],
    [
      'mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:secret',
      'mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=****',
    ],
    ['mongodb://h/?tls=true&tlsCertificateKeyFilePassword=pem', 'mongodb://h/?tls=true&tlsCertificateKeyFilePassword=****'],
    // Invalid URIs fall back to the text rule, which masks up to the last "@".
    ['mongodb://alice:hun@ter2@h', 'mongodb://alice:****@h'],
    ['mongodb://alice:hun/ter2@h', 'mongodb://alice:****@h'],
    ['postgres://u:pw@h/db', 'postgres://u:****@h/db'],
  ])('redacts %j', (uri, expected) => {
    expect(redactUri(uri)).toBe(expected);
  });
});

describe('redactText', () => {
  it.each([
    ['connect to mongodb://u:pw@h failed', 'connect to mongodb://u:****@h failed'],
    ['a mongodb://u:pw@a and "mongodb+srv://v:pw2@b/"', 'a mongodb://u:****@a and "mongodb+srv://v:****@b/"'],
    ['no uri here: user:pw@host', 'no uri here: user:pw@host'],
    ['mongodb://user@h (no password)', 'mongodb://user@h (no password)'],
    ['MONGODB://U:PW@H', 'MONGODB://U:****@H'],
  ])('redacts %j', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });
});

describe('isSensitiveField', () => {
  it.each(['password', 'Password', 'dbPassword', 'passwd', 'pwd', 'secret', 'clientSecret', 'token', 'accessToken', 'key', 'apiKey', 'privateKey', 'secret_key', 'credentials'])(
    'masks %j',
    (name) => {
      expect(isSensitiveField(name)).toBe(true);
    },
  );
  it.each(['documentKey', 'shardKey', 'keyPattern', 'resumeToken', 'postBatchResumeToken', 'ns', 'keys', 'tlsCertificateKeyFile'])(
    'keeps %j',
    (name) => {
      expect(isSensitiveField(name)).toBe(false);
    },
  );
});

describe('redactValue', () => {
  it('masks secret fields, redacts strings deeply, and copies without modifying the input', () => {
    const input = {
      uri: 'mongodb://u:pw@h',
      nested: { password: 'x', list: ['mongodb://a:b@c', { token: 't', documentKey: { _id: 1 } }] },
      empty: { password: null },
      count: 3,
    };
    const snapshot = JSON.parse(JSON.stringify(input)) as unknown;
    expect(redactValue(input)).toEqual({
      uri: 'mongodb://u:****@h',
      nested: { password: REDACTED, list: ['mongodb://a:****@c', { token: REDACTED, documentKey: { _id: 1 } }] },
      empty: { password: null },
      count: 3,
    });
    expect(input).toEqual(snapshot);
  });

  it('turns errors into plain redacted objects with their cause', () => {
    const cause = Object.assign(new Error('auth failed for mongodb://u:pw@h'), { code: 18, codeName: 'AuthenticationFailed' });
    const error = new Error('cannot connect to mongodb://u:pw@h', { cause });
    const redacted = redactValue({ error }) as { error: Record<string, unknown> };
    expect(redacted.error).toMatchObject({
      name: 'Error',
      message: 'cannot connect to mongodb://u:****@h',
      cause: { message: 'auth failed for mongodb://u:****@h', code: 18, codeName: 'AuthenticationFailed' },
    });
    expect(JSON.stringify(redacted)).not.toContain(':pw@');
  });

  it('empties the body of commands that carry credentials', () => {
    expect(redactValue({ command: { saslStart: 1, payload: 'abc' } })).toEqual({ command: {} });
    expect(redactValue({ command: { find: 'c', filter: { a: 1 } } })).toEqual({ command: { find: 'c', filter: { a: 1 } } });
  });

  it('keeps class instances, survives cycles and truncates long strings', () => {
    const date = new Date(0);
    const cyclic: Record<string, unknown> = { date };
    cyclic['self'] = cyclic;
    const redacted = redactValue(cyclic) as Record<string, unknown>;
    expect(redacted['date']).toBe(date);
    expect(redacted['self']).toBe('[Circular]');
    expect(redactValue('x'.repeat(20), { maxStringLength: 5 })).toBe('xxxxx… (15 more characters)');
  });
});
