import { Binary, Decimal128, deserialize, Double, Int32, Long, ObjectId, serialize } from 'bson';
import { decodeElement, EXACT_DECODE, rawField } from '../../../harness/bson/raw_bson.js';

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
