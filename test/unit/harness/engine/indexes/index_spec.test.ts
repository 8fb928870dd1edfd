import { Int32, type Document } from 'bson';
import { compareIndexSpecs, generateIndexName, indexKind, normalizeIndexSpec } from '../../../../harness/engine/indexes/index_spec.js';

const ctx = { ns: 'db.c' };

describe('normalizeIndexSpec', () => {
  it('puts v, key and name first and makes boolean options booleans', () => {
    const spec = normalizeIndexSpec({ unique: 1, key: { a: 1 }, name: 'a_1', hidden: false }, ctx);
    expect(spec).toEqual({ v: new Int32(2), key: { a: 1 }, name: 'a_1', unique: true });
    expect(Object.keys(spec)).toEqual(['v', 'key', 'name', 'unique']);
  });

  it('generates a name when none is given', () => {
    expect(normalizeIndexSpec({ key: { a: 1, b: -1 } }, ctx).name).toBe('a_1_b_-1');
  });

  it.each<[string, Document, number]>([
    ['a zero key value', { key: { a: 0 }, name: 'x' }, 67],
    ['an unknown plugin', { key: { a: 'x' }, name: 'x' }, 67],
    ['an unknown field', { key: { a: 1 }, name: 'x', foo: 1 }, 197],
    ['a compound TTL index', { key: { a: 1, b: 1 }, name: 'x', expireAfterSeconds: 1 }, 67],
    ['TTL on _id', { key: { _id: 1 }, name: 'x', expireAfterSeconds: 1 }, 197],
    ['sparse with a partial filter', { key: { a: 1 }, name: 'x', sparse: true, partialFilterExpression: { a: 1 } }, 67],
    ['a unique hashed index', { key: { a: 'hashed' }, name: 'x', unique: true }, 67],
  ])('refuses %s', (_name, raw, code) => {
    expect(() => normalizeIndexSpec(raw, ctx)).toThrow(expect.objectContaining({ code }));
  });

  it('rewrites a text index to its stored form', () => {
    expect(normalizeIndexSpec({ key: { title: 'text', body: 'text' }, name: 't' }, ctx)).toEqual({
      v: new Int32(2), key: { _fts: 'text', _ftsx: new Int32(1) }, name: 't', weights: { body: new Int32(1), title: new Int32(1) },
      default_language: 'english', language_override: 'language', textIndexVersion: new Int32(3),
    });
  });

  it('inherits the collection collation', () => {
    const collation = { locale: 'fr' };
    expect(normalizeIndexSpec({ key: { a: 1 }, name: 'a' }, { ...ctx, collation }).collation).toBe(collation);
  });
});

describe('indexKind / generateIndexName', () => {
  it.each<[Document, string, string]>([
    [{ a: 1 }, 'btree', 'a_1'],
    [{ a: '2dsphere' }, '2dsphere', 'a_2dsphere'],
    [{ '$**': 1 }, 'wildcard', '$**_1'],
    [{ a: 'hashed' }, 'hashed', 'a_hashed'],
  ])('%j is a %s index named %s', (key, kind, name) => {
    expect(indexKind(key)).toBe(kind);
    expect(generateIndexName(key)).toBe(name);
  });
});

describe('compareIndexSpecs', () => {
  const base = { v: 2, key: { a: 1 }, name: 'a_1' };
  it.each<[Document, Document, string]>([
    [base, { ...base }, 'identical'],
    [{ ...base, expireAfterSeconds: 5 }, base, 'equivalent'],
    [{ ...base, hidden: true }, base, 'equivalent'],
    [{ ...base, unique: true }, base, 'different'],
    [{ ...base, unique: false }, base, 'identical'],
    [{ ...base, key: { a: -1 } }, base, 'different'],
    [{ ...base, partialFilterExpression: { a: 1 } }, base, 'different'],
  ])('%j against %j is %s', (a, b, expected) => {
    expect(compareIndexSpecs(a, b)).toBe(expected);
  });
});
