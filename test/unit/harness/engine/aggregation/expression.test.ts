import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { evaluateExpression } from '../../../../../test/harness/engine/aggregation/expression.js';

const int = (n: number): Int32 => new Int32(n);
const dbl = (n: number): Double => new Double(n);
const long = (s: string): Long => Long.fromString(s);
const dec = (s: string): Decimal128 => Decimal128.fromString(s);

/** Renders a value with its exact BSON type, so that tables compare types as well as values. */
function typed(v: unknown): unknown {
  if (v instanceof Int32) return `int:${v.value}`;
  if (v instanceof Double) return `double:${v.value}`;
  if (v instanceof Long) return `long:${v.toString()}`;
  if (v instanceof Decimal128) return `decimal:${v.toString()}`;
  if (Array.isArray(v)) return v.map(typed);
  if (v instanceof Date) return `date:${v.toISOString()}`;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)]));
  }
  return v;
}

const doc = {
  _id: int(1),
  i: int(7),
  maxInt: int(2147483647),
  l: long('9223372036854775807'),
  d: dbl(2.5),
  dec: dec('1.10'),
  s: 'Hello World',
  arr: [int(1), int(2), int(3)],
  objs: [{ x: int(1) }, { x: int(2) }, { y: int(3) }],
  when: new Date('2024-03-10T15:04:05.678Z'),
  nil: null,
};

describe('evaluateExpression: arithmetic keeps mongod result types', () => {
  it.each([
    [{ $add: ['$i', int(1)] }, 'int:8'],
    [{ $add: ['$maxInt', int(1)] }, 'long:2147483648'],
    [{ $add: ['$l', int(1)] }, 'double:9223372036854776000'],
    [{ $add: ['$i', '$d'] }, 'double:9.5'],
    [{ $add: ['$i', '$dec'] }, 'decimal:8.10'],
    [{ $add: ['$i', '$missing'] }, null],
    [{ $subtract: ['$i', int(10)] }, 'int:-3'],
    [{ $multiply: ['$maxInt', int(2)] }, 'long:4294967294'],
    [{ $multiply: ['$dec', int(3)] }, 'decimal:3.30'],
    [{ $divide: [int(7), int(2)] }, 'double:3.5'],
    [{ $divide: ['$dec', int(4)] }, 'decimal:0.275'],
    [{ $mod: [int(7), int(3)] }, 'int:1'],
    [{ $mod: [long('7'), int(3)] }, 'long:1'],
    [{ $mod: [dbl(7.5), int(2)] }, 'double:1.5'],
    [{ $abs: int(-5) }, 'int:5'],
    [{ $abs: int(-2147483648) }, 'long:2147483648'],
    [{ $ceil: dbl(1.2) }, 'double:2'],
    [{ $floor: int(3) }, 'int:3'],
    [{ $round: [dbl(2.5), int(0)] }, 'double:2'],
    [{ $round: [dbl(3.5)] }, 'double:4'],
    [{ $round: [int(1250), int(-2)] }, 'int:1200'],
    [{ $round: [dec('1.2345'), int(2)] }, 'decimal:1.23'],
    [{ $trunc: [dbl(-2.7)] }, 'double:-2'],
    [{ $pow: [int(2), int(10)] }, 'int:1024'],
    [{ $pow: [int(2), int(40)] }, 'long:1099511627776'],
    [{ $pow: [int(2), int(-1)] }, 'double:0.5'],
    [{ $sqrt: int(16) }, 'double:4'],
    [{ $log10: int(1000) }, 'double:3'],
    [{ $sum: '$arr' }, 'int:6'],
    [{ $sum: [int(1), dbl(1.5)] }, 'double:2.5'],
    [{ $avg: '$arr' }, 'double:2'],
    [{ $max: '$arr' }, 'int:3'],
    [{ $min: [int(5), null, int(2)] }, 'int:2'],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });

  it.each([
    [{ $divide: [int(1), int(0)] }, 2, "can't $divide by zero"],
    [{ $mod: [int(1), int(0)] }, 16610, "can't $mod by zero"],
    [{ $add: ['$s', int(1)] }, 16554, '$add only supports numeric or date types, not string'],
    [{ $multiply: ['$s', int(1)] }, 16555, '$multiply only supports numeric types, not string'],
    [{ $sqrt: int(-1) }, 28714, "$sqrt's argument must be greater than or equal to 0"],
    [{ $abs: long('-9223372036854775808') }, 28680, "can't take $abs of long long min"],
    [{ $size: '$missing' }, 17124, 'The argument to $size must be an array. Type of argument: missing'],
    [{ $concat: ['a', int(1)] }, 16702, '$concat only supports strings, not int'],
    [{ $nope: 1 }, 168, "Unrecognized expression '$nope'"],
    ['$$undefinedVar', 17276, 'Use of undefined variable: undefinedVar'],
    [{ $size: [[], []] }, 16020, 'Expression $size takes exactly 1 arguments. 2 were passed in.'],
    [{ $toInt: 'abc' }, 241, "Failed to parse number 'abc' in $convert with no onError value"],
  ])('%j fails with %i', (expr, code, message) => {
    let error: { code?: number; message?: string } | undefined;
    try {
      evaluateExpression(expr, doc);
    } catch (e) {
      error = e as { code: number; message: string };
    }
    expect(error?.code).toBe(code);
    expect(error?.message).toContain(message);
  });
});

describe('evaluateExpression: paths, variables, comparison and conditionals', () => {
  it.each([
    ['$objs.x', ['int:1', 'int:2']],
    ['$arr', ['int:1', 'int:2', 'int:3']],
    ['$$ROOT.i', 'int:7'],
    ['$$CURRENT.s', 'Hello World'],
    ['$missing', undefined],
    [{ $literal: '$i' }, '$i'],
    [{ $let: { vars: { x: int(2) }, in: { $multiply: ['$$x', '$i'] } } }, 'int:14'],
    [{ $eq: [int(1), dbl(1)] }, true],
    [{ $eq: ['$missing', null] }, false],
    [{ $lt: ['$missing', null] }, true],
    [{ $gt: ['$s', int(5)] }, true],
    [{ $cmp: [int(1), int(2)] }, 'int:-1'],
    [{ $and: [int(1), 'x', []] }, true],
    [{ $or: [int(0), null] }, false],
    [{ $not: [dbl(0)] }, true],
    [{ $cond: { if: '$nil', then: 'y', else: 'n' } }, 'n'],
    [{ $ifNull: ['$missing', '$nil', 'fallback'] }, 'fallback'],
    [{ $switch: { branches: [{ case: { $gt: ['$i', int(10)] }, then: 'big' }], default: 'small' } }, 'small'],
    [{ a: '$i', b: '$missing', c: ['$missing'] }, { a: 'int:7', c: [null] }],
    [{ $getField: 's' }, 'Hello World'],
    [{ $setField: { field: 'z', input: { a: int(1) }, value: int(2) } }, { a: 'int:1', z: 'int:2' }],
    [{ $mergeObjects: [{ a: int(1) }, null, { b: int(2), a: int(3) }] }, { a: 'int:3', b: 'int:2' }],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });

  it('reads user variables passed by the caller', () => {
    expect(typed(evaluateExpression({ $add: ['$$inc', '$i'] }, doc, { inc: int(3) }))).toBe('int:10');
  });
});

describe('evaluateExpression: strings', () => {
  it.each([
    [{ $concat: ['$s', '!'] }, 'Hello World!'],
    [{ $concat: ['a', null] }, null],
    [{ $toLower: '$s' }, 'hello world'],
    [{ $toUpper: int(5) }, '5'],
    [{ $toUpper: null }, ''],
    [{ $substr: ['$s', int(0), int(5)] }, 'Hello'],
    [{ $substrBytes: ['$s', int(6), int(-1)] }, 'World'],
    [{ $substrCP: ['héllo', int(1), int(3)] }, 'éll'],
    [{ $strLenBytes: 'é' }, 'int:2'],
    [{ $strLenCP: 'é' }, 'int:1'],
    [{ $split: ['a,b,,c', ','] }, ['a', 'b', '', 'c']],
    [{ $trim: { input: '  x  ' } }, 'x'],
    [{ $ltrim: { input: 'xxhixx', chars: 'x' } }, 'hixx'],
    [{ $rtrim: { input: 'xxhixx', chars: 'x' } }, 'xxhi'],
    [{ $indexOfBytes: ['$s', 'World'] }, 'int:6'],
    [{ $indexOfCP: ['$s', 'z'] }, 'int:-1'],
    [{ $regexMatch: { input: '$s', regex: '^hello', options: 'i' } }, true],
    [{ $regexFind: { input: 'a1b22', regex: '(\\d+)' } }, { match: '1', idx: 'int:1', captures: ['1'] }],
    [{ $replaceOne: { input: 'aXbXc', find: 'X', replacement: '-' } }, 'a-bXc'],
    [{ $replaceAll: { input: 'aXbXc', find: 'X', replacement: '-' } }, 'a-b-c'],
    [{ $strcasecmp: ['abc', 'ABC'] }, 'int:0'],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });
});

describe('evaluateExpression: arrays and sets', () => {
  it.each([
    [{ $size: '$arr' }, 'int:3'],
    [{ $arrayElemAt: ['$arr', int(-1)] }, 'int:3'],
    [{ $arrayElemAt: ['$arr', int(5)] }, undefined],
    [{ $first: '$arr' }, 'int:1'],
    [{ $last: '$arr' }, 'int:3'],
    [{ $in: [dbl(2), '$arr'] }, true],
    [{ $indexOfArray: ['$arr', int(3)] }, 'int:2'],
    [{ $concatArrays: ['$arr', [int(4)]] }, ['int:1', 'int:2', 'int:3', 'int:4']],
    [{ $filter: { input: '$arr', as: 'n', cond: { $gt: ['$$n', int(1)] } } }, ['int:2', 'int:3']],
    [{ $map: { input: '$arr', in: { $multiply: ['$$this', int(10)] } } }, ['int:10', 'int:20', 'int:30']],
    [{ $reduce: { input: '$arr', initialValue: int(0), in: { $add: ['$$value', '$$this'] } } }, 'int:6'],
    [{ $slice: ['$arr', int(-2)] }, ['int:2', 'int:3']],
    [{ $slice: ['$arr', int(1), int(1)] }, ['int:2']],
    [{ $reverseArray: '$arr' }, ['int:3', 'int:2', 'int:1']],
    [{ $range: [int(0), int(10), int(4)] }, ['int:0', 'int:4', 'int:8']],
    [{ $isArray: '$s' }, false],
    [{ $arrayToObject: [[['a', int(1)], ['b', int(2)]]] }, { a: 'int:1', b: 'int:2' }],
    [{ $objectToArray: { a: int(1) } }, [{ k: 'a', v: 'int:1' }]],
    [{ $zip: { inputs: [[int(1), int(2)], ['a']], useLongestLength: true, defaults: [null, 'z'] } }, [['int:1', 'a'], ['int:2', 'z']]],
    [{ $sortArray: { input: [int(3), int(1), int(2)], sortBy: -1 } }, ['int:3', 'int:2', 'int:1']],
    [{ $setUnion: [[int(1), int(2)], [dbl(2), int(3)]] }, ['int:1', 'int:2', 'int:3']],
    [{ $setIntersection: [[int(1), int(2)], [int(2)]] }, ['int:2']],
    [{ $setDifference: [[int(1), int(2)], [int(2)]] }, ['int:1']],
    [{ $setEquals: [[int(1), int(2)], [int(2), int(1), int(1)]] }, true],
    [{ $setIsSubset: [[int(1)], [int(1), int(2)]] }, true],
    [{ $anyElementTrue: [[int(0), null]] }, false],
    [{ $allElementsTrue: [[int(1), 'x']] }, true],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });
});

describe('evaluateExpression: types and conversion', () => {
  const oid = new ObjectId('65f0c0ffee0000000000abcd');
  it.each([
    [{ $type: '$i' }, 'int'],
    [{ $type: '$l' }, 'long'],
    [{ $type: '$missing' }, 'missing'],
    [{ $type: '$objs' }, 'array'],
    [{ $isNumber: '$dec' }, true],
    [{ $toInt: '42' }, 'int:42'],
    [{ $toInt: dbl(4.9) }, 'int:4'],
    [{ $toLong: '$when' }, `long:${Date.parse('2024-03-10T15:04:05.678Z')}`],
    [{ $toDouble: '1.5' }, 'double:1.5'],
    [{ $toDecimal: dbl(2.5) }, 'decimal:2.50000000000000'],
    [{ $toDecimal: int(3) }, 'decimal:3'],
    [{ $toString: int(12) }, '12'],
    [{ $toString: dbl(2.5) }, '2.5'],
    // mongod formats doubles with StringBuilder's "%g" (6 significant digits), specials by name.
    [{ $toString: dbl(1234567.5) }, '1.23457e+06'],
    [{ $toString: dbl(0.0001) }, '0.0001'],
    [{ $toString: dbl(NaN) }, 'NaN'],
    [{ $toString: dbl(-Infinity) }, '-Infinity'],
    [{ $toString: '$when' }, '2024-03-10T15:04:05.678Z'],
    [{ $toString: oid }, '65f0c0ffee0000000000abcd'],
    [{ $toBool: int(0) }, false],
    [{ $toBool: '' }, true],
    [{ $toDate: long('0') }, 'date:1970-01-01T00:00:00.000Z'],
    [{ $toObjectId: '65f0c0ffee0000000000abcd' }, oid],
    [{ $convert: { input: 'x', to: 'int', onError: 'bad' } }, 'bad'],
    [{ $convert: { input: null, to: 'int', onNull: int(0) } }, 'int:0'],
    [{ $convert: { input: int(1), to: int(8) } }, true],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });
});

describe('evaluateExpression: dates (UTC)', () => {
  it.each([
    [{ $year: '$when' }, 'int:2024'],
    [{ $month: '$when' }, 'int:3'],
    [{ $dayOfMonth: '$when' }, 'int:10'],
    [{ $hour: '$when' }, 'int:15'],
    [{ $minute: '$when' }, 'int:4'],
    [{ $second: '$when' }, 'int:5'],
    [{ $millisecond: '$when' }, 'int:678'],
    [{ $dayOfWeek: '$when' }, 'int:1'],
    [{ $dayOfYear: '$when' }, 'int:70'],
    [{ $hour: { date: '$when', timezone: '+02:00' } }, 'int:17'],
    [{ $dateToString: { date: '$when', format: '%Y/%m/%d %H:%M:%S.%L %j' } }, '2024/03/10 15:04:05.678 070'],
    [{ $dateToString: { date: '$when' } }, '2024-03-10T15:04:05.678Z'],
    [{ $dateFromString: { dateString: '2024-01-02T03:04:05Z' } }, 'date:2024-01-02T03:04:05.000Z'],
    [{ $dateAdd: { startDate: new Date('2024-01-31T00:00:00Z'), unit: 'month', amount: int(1) } }, 'date:2024-02-29T00:00:00.000Z'],
    [{ $dateSubtract: { startDate: '$when', unit: 'hour', amount: int(15) } }, 'date:2024-03-10T00:04:05.678Z'],
    [{ $dateDiff: { startDate: new Date('2023-12-31T23:00:00Z'), endDate: new Date('2024-01-01T01:00:00Z'), unit: 'year' } }, 'long:1'],
    [{ $dateDiff: { startDate: new Date('2024-01-01T00:00:00Z'), endDate: '$when', unit: 'day' } }, 'long:69'],
    [{ $dateTrunc: { date: '$when', unit: 'month' } }, 'date:2024-03-01T00:00:00.000Z'],
    [{ $dateTrunc: { date: '$when', unit: 'hour', binSize: int(6) } }, 'date:2024-03-10T12:00:00.000Z'],
    [{ $subtract: ['$when', new Date('2024-03-10T15:04:05.000Z')] }, 'long:678'],
    [{ $add: ['$when', int(322)] }, 'date:2024-03-10T15:04:06.000Z'],
  ])('%j -> %j', (expr, expected) => {
    expect(typed(evaluateExpression(expr, doc))).toEqual(expected);
  });
});
