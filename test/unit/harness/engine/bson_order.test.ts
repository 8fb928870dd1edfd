import {
  Binary, BSONRegExp, BSONSymbol, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp,
} from 'bson';
import { compareValues, valuesEqual } from '../../../harness/engine/bson_order.js';

/**
 * MongoDB's comparison order (manual: "Comparison/Sort Order"): MinKey < null < numbers < symbol, string <
 * object < array < binData < ObjectId < bool < date < timestamp < regex < MaxKey.
 */
const ASCENDING: [string, unknown][] = [
  ['MinKey', new MinKey()],
  ['null', null],
  ['NaN', new Double(NaN)],
  ['-Infinity', new Double(-Infinity)],
  ['Int32 -5', new Int32(-5)],
  ['Double 1.5', new Double(1.5)],
  ['Long 2', Long.fromNumber(2)],
  ['Decimal 2.5', Decimal128.fromString('2.5')],
  ['string "a"', 'a'],
  ['symbol "b"', new BSONSymbol('b')],
  ['string "é"', 'é'],
  ['object {}', {}],
  ['object {a: 1}', { a: new Int32(1) }],
  ['array []', []],
  ['array [1]', [new Int32(1)]],
  ['binData short', new Binary(Buffer.from([9]))],
  ['binData long', new Binary(Buffer.from([0, 0]))],
  ['ObjectId', new ObjectId('000000000000000000000000')],
  ['false', false],
  ['true', true],
  ['date', new Date(0)],
  ['timestamp', new Timestamp({ t: 1, i: 1 })],
  ['regex', new BSONRegExp('a', 'i')],
  ['code', new Code('x')],
  ['MaxKey', new MaxKey()],
];

describe('compareValues', () => {
  it.each(ASCENDING.slice(1).map((entry, i) => [ASCENDING[i][0], entry[0], ASCENDING[i][1], entry[1]]))(
    '%s sorts before %s',
    (_a, _b, lower, higher) => {
      expect(compareValues(lower, higher)).toBeLessThan(0);
      expect(compareValues(higher, lower)).toBeGreaterThan(0);
    },
  );

  it.each([
    ['Int32 1 and Double 1.0', new Int32(1), new Double(1)],
    ['Long 1 and Decimal 1', Long.fromNumber(1), Decimal128.fromString('1')],
    ['-0.0 and 0', new Double(-0), new Int32(0)],
    ['NaN and NaN', new Double(NaN), new Double(NaN)],
    ['string and symbol with the same text', 'x', new BSONSymbol('x')],
  ])('treats %s as equal', (_name, a, b) => {
    expect(valuesEqual(a, b)).toBe(true);
  });

  it('distinguishes Longs that one double cannot', () => {
    expect(compareValues(Long.fromString('9007199254740993'), Long.fromString('9007199254740992'))).toBeGreaterThan(0);
    expect(compareValues(Long.fromString('9007199254740993'), new Double(9007199254740992))).toBeGreaterThan(0);
  });

  it('compares embedded documents field by field, field order included', () => {
    expect(valuesEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBeLessThan(0);
  });

  it('orders strings by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF61 is 0xEF 0xBD 0xA1 in UTF-8; U+1F600 is 0xF0...: bytewise, the emoji is larger although its UTF-16
    // surrogate (0xD83D) is smaller than 0xFF61.
    expect(compareValues('\uFF61', '\u{1F600}')).toBeLessThan(0);
  });
});
