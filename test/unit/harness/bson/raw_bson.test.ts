import { Binary, Decimal128, deserialize, Double, Int32, Long, ObjectId, serialize } from 'bson';
import { decodeElement, EXACT_DECODE, leadingIdElement, RawBson, rawElements, rawField, serializeWithRaw } from '../../../harness/bson/raw_bson.js';

/** The `_id` element of a one-field document, decoded by decodeElement and by the library. */
function bothWays(bytes: Buffer): [unknown, unknown] {
  return [decodeElement(bytes, rawField(bytes, '_id')!), deserialize(bytes, EXACT_DECODE)._id];
}

describe('decodeElement', () => {
  it.each<[string, unknown]>([
    ['Int32', new Int32(-7)],
    ['Double', new Double(1.5)],
    ['Double -0', new Double(-0)],
    ['Double NaN', new Double(NaN)],
    ['Long', Long.fromString('-9007199254740993')],
    ['string', 'héllo ✓'],
    ['empty string', ''],
    ['ObjectId', new ObjectId('65a1b2c3d4e5f60718293a4b')],
    ['Decimal128', Decimal128.fromString('1.10')],
    ['Binary', new Binary(Buffer.from([1, 2]), 0)],
    ['document', { a: new Int32(1), b: 'x' }],
  ])('decodes %s as the library does', (_name, value) => {
    const [fast, library] = bothWays(Buffer.from(serialize({ _id: value })));
    expect(fast).toEqual(library);
    expect((fast as object)?.constructor).toBe((library as object)?.constructor);
  });

  it('refuses a string that is not UTF-8, as the library does', () => {
    const bytes = Buffer.from(serialize({ _id: 'ab' }));
    bytes[bytes.indexOf('ab') + 1] = 0xff;
    expect(() => deserialize(bytes, EXACT_DECODE)).toThrow();
    expect(() => decodeElement(bytes, rawField(bytes, '_id')!)).toThrow();
  });
});

describe('leadingIdElement', () => {
  const bytes = (doc: object) => Buffer.from(serialize(doc));
  it.each<[string, Buffer]>([
    ['an int _id', bytes({ _id: new Int32(1), a: 1 })],
    ['a string _id', bytes({ _id: 'key', a: 1 })],
    ['a document _id', bytes({ _id: { b: 1 }, a: 1 })],
    ['an _id alone', bytes({ _id: 1.5 })],
  ])('reads %s first as the element reader does', (_name, doc) => {
    expect(leadingIdElement(doc)).toEqual(rawElements(doc).next().value);
    expect(rawField(doc, '_id')).toEqual(rawElements(doc).next().value);
  });

  it.each<[string, Buffer]>([
    ['an _id not first', bytes({ a: 1, _id: 2 })],
    ['no _id', bytes({ a: 1 })],
    ['a first field _idx', bytes({ _idx: 1, _id: 2 })],
    ['an empty document', bytes({})],
    ['a truncated document', bytes({ _id: 'key', a: 1 }).subarray(0, 12)],
  ])('gives nothing for %s', (_name, doc) => {
    expect(leadingIdElement(doc)).toBeUndefined();
  });

  it('leaves a document whose _id overruns it to the element reader, which refuses it', () => {
    const doc = bytes({ _id: 'key' });
    doc.writeInt32LE(100, 9); // the string's length
    expect(leadingIdElement(doc)).toBeUndefined();
    expect(() => rawField(doc, '_id')).toThrow(RangeError);
  });
});

describe('serializeWithRaw', () => {
  it('splices a batch of raw documents as the library would serialize them decoded, past the cached index heads', () => {
    const docs = Array.from({ length: 10_005 }, (_, i) => ({ _id: new Int32(i), s: 'x'.repeat(i % 7) }));
    const reply = { cursor: { firstBatch: docs.map((d) => new RawBson(Buffer.from(serialize(d)))), id: Long.fromNumber(0), ns: 'db.c' }, ok: 1 };
    const expected = serialize({ cursor: { firstBatch: docs, id: Long.fromNumber(0), ns: 'db.c' }, ok: 1 });
    expect(serializeWithRaw(reply).equals(Buffer.from(expected))).toBe(true);
    // A second batch reuses the heads and must give the same bytes.
    expect(serializeWithRaw(reply).equals(Buffer.from(expected))).toBe(true);
  });
});
