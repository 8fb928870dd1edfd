import {
  Binary, BSONRegExp, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, serialize, Timestamp, UUID,
  type Document,
} from 'bson';
import { BsonBuilder } from '../../../harness/bson/bson_builder.js';
import { RawBson, serializeWithRaw } from '../../../harness/bson/raw_bson.js';

const raw = (doc: Document) => new RawBson(Buffer.from(serialize(doc)));

/** Writes each field of `doc` with `value()`. */
function build(doc: Document, builder = new BsonBuilder()): Buffer {
  builder.begin();
  for (const key of Object.keys(doc)) builder.value(key, doc[key]);
  return builder.finish();
}

describe('BsonBuilder', () => {
  it.each<[string, Document]>([
    ['strings (empty, non-ASCII, lone surrogate)', { a: '', b: 'héllo wörld ✓', c: '\ud800x' }],
    ['Int32, Long and Timestamp (negative, extremes)', {
      i: new Int32(-5), j: new Int32(2147483647), l: Long.fromNumber(-1), m: Long.MAX_VALUE, t: new Timestamp({ t: 1700000000, i: 42 }),
    }],
    ['dates (negative, far future, invalid)', { d: new Date(-1), e: new Date(8.64e15), f: new Date(NaN) }],
    ['binaries of every subtype', {
      u: new UUID('00112233-4455-6677-8899-aabbccddeeff').toBinary(), b: new Binary(Buffer.from([1, 2, 3]), 0),
      old: new Binary(Buffer.from([9]), 2), empty: new Binary(Buffer.alloc(0), 4), uid: new Binary(Buffer.alloc(32, 7), 0),
      vector: Binary.fromInt8Array(new Int8Array([1, -2])), user: new Binary(Buffer.from('ab'), 0x80),
    }],
    ['null and undefined (written as null)', { n: null, u: undefined }],
    ['raw documents at the top and nested', { o: raw({ _id: 1, x: 'y' }), n: { inner: raw({ a: [1] }), k: 'v' } }],
    ['plain objects (empty, nested, null prototype, numeric keys)', {
      e: {}, n: { a: { b: { c: new Int32(1) } } }, p: Object.assign(Object.create(null) as Document, { z: 'z' }), k: { 2: 'b', 1: 'a', x: 'c' },
    }],
    ['values left to the library', {
      num: 1, dbl: 1.5, negZero: -0, big: 2 ** 40, bool: true, arr: [1, 'a', raw({ q: 1 })], oid: new ObjectId('65a1b2c3d4e5f60718293a4b'),
      dec: Decimal128.fromString('1.10'), dbl2: new Double(2), re: new BSONRegExp('a', 'i'), code: new Code('f()'),
      ref: new DBRef('c', new ObjectId('65a1b2c3d4e5f60718293a4c')), min: new MinKey(), max: new MaxKey(), bigint: 5n, regexp: /x/g,
    }],
    ['a plain object with a toBSON field that is not a function', { n: { a: 1, toBSON: undefined } }],
  ])('writes %s as the serializer does', (_name, doc) => {
    expect(build(doc).toString('hex')).toEqual(serializeWithRaw(doc).toString('hex'));
  });

  it('throws where the serializer throws', () => {
    const doc = { n: { _bsontype: 'Nope' } };
    expect(() => serializeWithRaw(doc)).toThrow();
    expect(() => build(doc)).toThrow();
  });

  it('reuses its buffer and grows it for a document larger than the buffer', () => {
    const builder = new BsonBuilder(16);
    const big = { o: raw({ s: 'x'.repeat(5000) }), t: 'tail' };
    const small = { a: new Int32(1) };
    expect(build(big, builder).equals(serializeWithRaw(big))).toBe(true);
    expect(build(small, builder).equals(serializeWithRaw(small))).toBe(true);
  });
});
