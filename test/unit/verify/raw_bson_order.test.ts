import { describe, expect, it } from '@jest/globals';
import {
  Binary,
  BSON,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'mongodb';
import { compareRawIds, rawIdElement } from '../../../src/verify/raw_bson_order.js';
import { rawElements } from '../../../src/bson/raw_elements.js';

const withId = (id: unknown): Uint8Array => BSON.serialize({ _id: id });

/** `_id` values in ascending BSON order (mongod's sort order under the simple collation). */
const ASCENDING: readonly [string, unknown][] = [
  ['MinKey', new MinKey()],
  ['null', null],
  ['NaN', new Double(Number.NaN)],
  ['-Infinity', new Double(Number.NEGATIVE_INFINITY)],
  ['Long min', Long.MIN_VALUE],
  ['Int32 -5', new Int32(-5)],
  ['Double -0.5', new Double(-0.5)],
  ['Int32 0', new Int32(0)],
  ['Double 0.5', new Double(0.5)],
  ['Decimal 0.75', Decimal128.fromString('0.75')],
  ['Long 2', Long.fromNumber(2)],
  ['Double 2^53', new Double(2 ** 53)],
  ['Long 2^53 + 1', Long.fromString('9007199254740993')],
  ['Long max', Long.MAX_VALUE],
  ['Infinity', new Double(Number.POSITIVE_INFINITY)],
  ['string ""', ''],
  ['string "A"', 'A'],
  ['string "a"', 'a'],
  ['string "ab"', 'ab'],
  ['string "é"', 'é'],
  ['document {}', {}],
  ['document {a: 1}', { a: 1 }],
  ['document {a: 1, b: 1}', { a: 1, b: 1 }],
  // Elements compare by type bracket before field name: {b: 0} (a number) sorts before {a: "x"} (a string).
  ['document {b: 0}', { b: 0 }],
  ['document {a: "x"}', { a: 'x' }],
  ['binary length 1 subtype 5', new Binary(Buffer.from([9]), 5)],
  ['binary length 2 subtype 0', new Binary(Buffer.from([0, 0]), 0)],
  ['binary length 2 subtype 0 (greater bytes)', new Binary(Buffer.from([0, 1]), 0)],
  ['binary length 2 subtype 4', new Binary(Buffer.from([0, 0]), 4)],
  ['ObjectId 00..', new ObjectId('000000000000000000000000')],
  ['ObjectId ff..', new ObjectId('ffffffffffffffffffffffff')],
  ['false', false],
  ['true', true],
  ['Date before 1970', new Date(-1000)],
  ['Date 1970', new Date(0)],
  ['Date 2024', new Date('2024-01-01T00:00:00Z')],
  ['Timestamp (1, 5)', new Timestamp({ t: 1, i: 5 })],
  ['Timestamp (2, 0)', new Timestamp({ t: 2, i: 0 })],
  ['Timestamp (2^32 - 1, 0) (unsigned)', new Timestamp({ t: 0xffffffff, i: 0 })],
  ['regex /a/', new BSONRegExp('a', '')],
  ['regex /a/i', new BSONRegExp('a', 'i')],
  ['regex /b/', new BSONRegExp('b', '')],
  ['code', new Code('x')],
  ['MaxKey', new MaxKey()],
];

describe('compareRawIds', () => {
  const pairs = ASCENDING.flatMap(([leftName, left], i) =>
    ASCENDING.slice(i + 1).map(([rightName, right]) => [leftName, rightName, left, right] as const),
  );

  it.each(pairs)('sorts %s before %s', (_leftName, _rightName, left, right) => {
    expect(compareRawIds(withId(left), withId(right))).toBe(-1);
    expect(compareRawIds(withId(right), withId(left))).toBe(1);
  });

  it.each([
    ['Int32 1 and Double 1.0', new Int32(1), new Double(1)],
    ['Int32 1 and Long 1', new Int32(1), Long.fromNumber(1)],
    ['Double 2^53 and Long 2^53', new Double(2 ** 53), Long.fromString('9007199254740992')],
    ['Decimal 1.0 and Int32 1', Decimal128.fromString('1.0'), new Int32(1)],
    ['NaN and NaN', new Double(Number.NaN), new Double(Number.NaN)],
    ['-0.0 and 0', new Double(-0), new Int32(0)],
    ['{a: Int32 1} and {a: Double 1}', { a: new Int32(1) }, { a: new Double(1) }],
    ['the same string', 'abc', 'abc'],
  ])('finds %s equal', (_name, left, right) => {
    expect(compareRawIds(withId(left), withId(right))).toBe(0);
  });

  it('compares embedded documents by field name after type', () => {
    expect(compareRawIds(withId({ a: 1 }), withId({ b: 1 }))).toBe(-1);
    // Same name, different type bracket: the number sorts before the string whatever the name order.
    expect(compareRawIds(withId({ b: 5 }), withId({ a: 'x' }))).toBe(-1);
  });

  it('sorts a document without _id first', () => {
    expect(compareRawIds(BSON.serialize({ x: 1 }), withId(new MinKey()))).toBe(-1);
    expect(compareRawIds(BSON.serialize({ x: 1 }), BSON.serialize({ y: 1 }))).toBe(0);
  });
});

describe('rawElements', () => {
  it('walks every element of a document with its name and value bounds', () => {
    const bytes = Buffer.from(BSON.serialize({ _id: 7, s: 'hé', d: { x: null }, r: new BSONRegExp('a', 'i') }));
    const elements = [...rawElements(bytes)];
    expect(elements.map((element) => element.name)).toEqual(['_id', 's', 'd', 'r']);
    expect(elements.map((element) => element.type)).toEqual([0x10, 0x02, 0x03, 0x0b]);
    expect(elements.at(-1)?.end).toBe(bytes.length - 1);
    expect(rawIdElement(bytes)?.end).toBe(elements[0]?.valueStart === undefined ? -1 : elements[0].valueStart + 4);
  });
});
