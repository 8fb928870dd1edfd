import { Binary, BSON, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'mongodb';
import { matchExactly, matchResult, type MatchEntities } from '../../conformance/matcher.js';
import { RunnerError } from '../../conformance/runner_error.js';

/** Parses canonical Extended JSON as the runner parses test files (Int32/Double/Long kept). */
function ejson(text: string): unknown {
  return BSON.EJSON.parse(text, { relaxed: false });
}

const lsid = { id: new Binary(Buffer.from('00112233445566778899aabbccddeeff', 'hex'), 4) };
const savedId = new ObjectId('65f000000000000000000001');
const entities: MatchEntities = {
  bsonEntity: (name) => {
    if (name === 'savedId') return savedId;
    throw new RunnerError(`entity "${name}" is not defined`);
  },
  sessionLsid: (name) => {
    if (name === 'session0') return lsid;
    throw new RunnerError(`session entity "${name}" is not defined`);
  },
};

describe('matchResult', () => {
  it.each<[string, unknown, unknown]>([
    ['equal scalars', 5, 5],
    ['int32 and double of one value', new Int32(1), new Double(1)],
    ['int32 and JS number', new Int32(7), 7],
    ['long and int32', Long.fromNumber(3), new Int32(3)],
    ['large longs', Long.fromString('9007199254740993'), Long.fromString('9007199254740993')],
    ['extra fields in the root document', { a: 1 }, { a: 1, b: 2 }],
    ['keys in another order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['nested documents with the same fields', { a: { b: 1, c: [1, { d: 2 }] } }, { a: { c: [1, { d: 2 }], b: 1 } }],
    ['null', { a: null }, { a: null }],
    ['$$exists true with a null value', { a: { $$exists: true } }, { a: null }],
    ['$$exists false when absent', { a: { $$exists: false } }, { b: 1 }],
    ['$$unsetOrMatches when absent', { insertedId: { $$unsetOrMatches: 1 } }, {}],
    ['$$unsetOrMatches when matching', { insertedId: { $$unsetOrMatches: 1 } }, { insertedId: 1 }],
    ['$$unsetOrMatches for an unset whole result', { $$unsetOrMatches: { n: 1 } }, undefined],
    ['$$unsetOrMatches keeps rootness (extra root field)', { $$unsetOrMatches: { n: 1 } }, { n: 1, extra: true }],
    ['$$type of a timestamp', { t: { $$type: 'timestamp' } }, { t: new Timestamp({ t: 1, i: 2 }) }],
    ['$$type among several', { n: { $$type: ['int', 'long'] } }, { n: Long.fromNumber(5) }],
    ['$$type int for a small JS integer', { n: { $$type: 'int' } }, { n: 3 }],
    ['$$type date', { d: { $$type: 'date' } }, { d: new Date(0) }],
    ['$$type array does not look at elements', { a: { $$type: 'array' } }, { a: ['x', 1] }],
    ['$$type number', { n: { $$type: 'number' } }, { n: new Double(1.5) }],
    ['$$type decimal', { n: { $$type: 'decimal' } }, { n: Decimal128.fromString('1.5') }],
    ['$$type objectId and binData', { o: { $$type: 'objectId' }, b: { $$type: 'binData' } }, { o: new ObjectId(), b: new Binary(Buffer.from('ab')) }],
    ['$$matchesEntity', { _id: { $$matchesEntity: 'savedId' } }, { _id: new ObjectId('65f000000000000000000001') }],
    ['$$sessionLsid', { lsid: { $$sessionLsid: 'session0' } }, { lsid: { id: new Binary(Buffer.from('00112233445566778899aabbccddeeff', 'hex'), 4) } }],
    ['$$lte equal', { n: { $$lte: 5 } }, { n: 5 }],
    ['$$lte across types', { n: { $$lte: new Int32(1) } }, { n: new Double(0) }],
    ['$$matchesHexBytes', { b: { $$matchesHexBytes: 'AB01' } }, { b: new Binary(Buffer.from([0xab, 0x01])) }],
    ['$$matchAsDocument', { s: { $$matchAsDocument: { a: 1 } } }, { s: '{"a": 1}' }],
    ['$$matchAsRoot allows extra nested fields', { d: { $$matchAsRoot: { a: 1 } } }, { d: { a: 1, b: 2 } }],
    ['dates', { d: new Date(5) }, { d: new Date(5) }],
    ['binary', { b: new Binary(Buffer.from('x')) }, { b: new Binary(Buffer.from('x')) }],
    ['decimals', Decimal128.fromString('1.10'), Decimal128.fromString('1.10')],
    ['canonical EJSON expectations', ejson('{"a": {"$numberLong": "2"}, "b": 2.5}'), { a: new Int32(2), b: 2.5 }],
  ])('matches %s', (_name, expected, actual) => {
    expect(matchResult(expected, actual, entities)).toEqual([]);
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['different scalars', 5, 6, /expected 5, got 6/],
    ['a string for a number', { a: 1 }, { a: '1' }, /^a: /],
    ['1 and 1.5', new Int32(1), new Double(1.5), /expected/],
    ['a missing field', { a: 1, b: 2 }, { a: 1 }, /^b: .*missing/],
    ['extra fields in a nested document', { a: { b: 1 } }, { a: { b: 1, c: 1 } }, /^a: unexpected field\(s\) c/],
    ['an array of another length', [1, 2, 3], [1, 2, 3, 4], /expected 3 elements, got 4/],
    ['arrays in another order', [1, 2], [2, 1], /^0: /],
    ['a document for a scalar', { a: { b: 1 } }, { a: 1 }, /expected a document/],
    ['$$exists false when present', { a: { $$exists: false } }, { a: 1 }, /expected no field/],
    ['$$exists true when absent', { a: { $$exists: true } }, {}, /expected the field to exist/],
    ['$$unsetOrMatches when present and different', { n: { $$unsetOrMatches: 1 } }, { n: 2 }, /^n: expected 1, got 2/],
    ['$$unsetOrMatches does not make a nested document root', { n: { $$unsetOrMatches: { a: 1 } } }, { n: { a: 1, b: 2 } }, /unexpected field/],
    ['$$type of another type', { t: { $$type: 'string' } }, { t: 1 }, /expected type string/],
    ['$$type on a missing field', { t: { $$type: 'string' } }, {}, /missing/],
    ['$$type int for a long', { n: { $$type: 'int' } }, { n: Long.fromNumber(1) }, /expected type int/],
    ['$$matchesEntity with another value', { _id: { $$matchesEntity: 'savedId' } }, { _id: new ObjectId() }, /^_id: /],
    ['$$lte above', { n: { $$lte: 5 } }, { n: 5.5 }, /<= 5/],
    ['$$lte on a non-number', { n: { $$lte: 5 } }, { n: 'a' }, /<= 5/],
    ['$$sessionLsid of another session', { lsid: { $$sessionLsid: 'session0' } }, { lsid: { id: new Binary(Buffer.alloc(16), 4) } }, /^lsid/],
    ['an absent result', { n: 1 }, undefined, /expected a document/],
    ['a null result for a document', { n: 1 }, null, /expected a document/],
    ['decimal against double', Decimal128.fromString('1'), new Double(1), /expected/],
    ['different dates', new Date(1), new Date(2), /expected/],
    ['different object ids', new ObjectId('65f000000000000000000001'), new ObjectId('65f000000000000000000002'), /expected/],
    ['different binary subtypes', new Binary(Buffer.from('x'), 0), new Binary(Buffer.from('x'), 4), /expected/],
  ])('reports %s', (_name, expected, actual, reason) => {
    const mismatches = matchResult(expected, actual, entities);
    expect(mismatches.length).toBeGreaterThan(0);
    expect(mismatches[0]).toMatch(reason);
  });

  it('treats each element of an iterable result as a root document when elementsAreRoots is set', () => {
    const expected = [{ x: 1 }, { x: 2 }];
    const actual = [
      { x: 1, y: 1 },
      { x: 2, y: 2 },
    ];
    expect(matchResult(expected, actual, entities, { elementsAreRoots: true })).toEqual([]);
    expect(matchResult(expected, actual, entities)).not.toEqual([]);
  });

  it('throws a RunnerError for an unknown special operator', () => {
    expect(() => matchResult({ a: { $$nope: 1 } }, { a: 1 }, entities)).toThrow(RunnerError);
  });

  it('throws a RunnerError for an undefined entity', () => {
    expect(() => matchResult({ a: { $$matchesEntity: 'missing' } }, { a: 1 }, entities)).toThrow(RunnerError);
  });

  it('treats a document with a $$ key among others as a plain document', () => {
    expect(matchResult({ $$a: 1, b: 2 }, { $$a: 1, b: 2 }, entities)).toEqual([]);
  });
});

describe('matchExactly', () => {
  it.each<[string, unknown, unknown]>([
    ['the same documents in another key order', [{ _id: 1, a: { b: 1, c: 2 } }], [{ a: { c: 2, b: 1 }, _id: 1 }]],
    ['numbers of different types with one value', [{ _id: 1, n: new Int32(2) }], [{ _id: 1, n: new Double(2) }]],
    ['an empty collection', [], []],
  ])('accepts %s', (_name, expected, actual) => {
    expect(matchExactly(expected, actual)).toEqual([]);
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['an extra root field', [{ _id: 1 }], [{ _id: 1, x: 1 }], /^0: unexpected field\(s\) x/],
    ['an extra document', [{ _id: 1 }], [{ _id: 1 }, { _id: 2 }], /expected 1 elements, got 2/],
    ['a missing field', [{ _id: 1, x: 1 }], [{ _id: 1 }], /^0\.x: .*missing/],
    ['another value', [{ _id: 1, x: 1 }], [{ _id: 1, x: 2 }], /^0\.x: expected 1, got 2/],
    ['documents in another order', [{ _id: 1 }, { _id: 2 }], [{ _id: 2 }, { _id: 1 }], /^0\._id/],
  ])('reports %s', (_name, expected, actual, reason) => {
    const mismatches = matchExactly(expected, actual);
    expect(mismatches[0]).toMatch(reason);
  });

  it('does not interpret special operators', () => {
    expect(matchExactly([{ a: { $$exists: true } }], [{ a: 1 }])).not.toEqual([]);
  });
});
