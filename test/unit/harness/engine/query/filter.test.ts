import { Binary, BSONRegExp, BSONSymbol, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, type Document } from 'bson';
import { compileFilter, compileMatcher } from '../../../../harness/engine/query/filter.js';
import { CommandError } from '../../../../harness/errors.js';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);

// Expected results follow mongod 7.0 (expression_leaf.cpp, path.cpp and the query operator manual pages).
const cases: [string, Document, Document, boolean][] = [
  ['implicit equality', { a: i(1) }, { a: i(1) }, true],
  ['numbers equal across types', { a: d(1) }, { a: new Long(1) }, true],
  ['decimal equals int', { a: Decimal128.fromString('2') }, { a: i(2) }, true],
  ['type bracketing: $gt number ignores strings', { a: 'x' }, { a: { $gt: i(5) } }, false],
  ['$gt number', { a: d(5.5) }, { a: { $gt: i(5) } }, true],
  ['$lt string', { a: 'abc' }, { a: { $lt: 'abd' } }, true],
  ['null matches missing', { b: i(1) }, { a: null }, true],
  ['null matches null', { a: null }, { a: null }, true],
  ['null does not match a value', { a: i(0) }, { a: null }, false],
  ['$gte null matches missing', {}, { a: { $gte: null } }, true],
  ['$gt null never matches missing', {}, { a: { $gt: null } }, false],
  ['$ne null excludes missing', {}, { a: { $ne: null } }, false],
  ['array element equality', { a: [i(1), i(2)] }, { a: i(2) }, true],
  ['whole array equality', { a: [i(1), i(2)] }, { a: [i(1), i(2)] }, true],
  ['array order matters', { a: [i(1), i(2)] }, { a: [i(2), i(1)] }, false],
  ['nested array element equality', { a: [[i(1), i(2)], i(3)] }, { a: [i(1), i(2)] }, true],
  ['nested array elements are not flattened', { a: [[i(1), i(2)]] }, { a: i(1) }, false],
  ['embedded document field order matters', { a: { x: i(1), y: i(2) } }, { a: { y: i(2), x: i(1) } }, false],
  ['embedded document equality', { a: { x: i(1), y: i(2) } }, { a: { x: i(1), y: i(2) } }, true],
  ['dotted path through array of documents', { a: [{ b: i(1) }, { b: i(2) }] }, { 'a.b': i(2) }, true],
  ['dotted path null matches document missing the field', { a: [{ c: i(1) }] }, { 'a.b': null }, true],
  ['dotted path null does not match array of scalars', { a: [i(1), i(2)] }, { 'a.b': null }, false],
  ['numeric path component indexes arrays', { a: [i(5), i(6)] }, { 'a.1': i(6) }, true],
  ['numeric path component as field name', { a: [{ '1': i(7) }] }, { 'a.1': i(7) }, true],
  ['numeric component into document in array', { a: [{ b: i(1) }, { b: i(2) }] }, { 'a.1.b': i(2) }, true],
  ['numeric component with leading zero is not an index', { a: [i(5), i(6)] }, { 'a.01': i(6) }, false],
  ['range on array elements matches different elements', { a: [i(1), i(10)] }, { a: { $gt: i(5), $lt: i(8) } }, true],
  ['$elemMatch requires one element', { a: [i(1), i(10)] }, { a: { $elemMatch: { $gt: i(5), $lt: i(8) } } }, false],
  ['$elemMatch value case', { a: [i(1), i(6)] }, { a: { $elemMatch: { $gt: i(5), $lt: i(8) } } }, true],
  ['$elemMatch object case', { a: [{ b: i(1), c: i(2) }, { b: i(2), c: i(1) }] }, { a: { $elemMatch: { b: i(2), c: i(1) } } }, true],
  ['$elemMatch object case needs both', { a: [{ b: i(1), c: i(2) }, { b: i(2), c: i(3) }] }, { a: { $elemMatch: { b: i(2), c: i(2) } } }, false],
  ['$elemMatch on non-array', { a: { b: i(1) } }, { a: { $elemMatch: { b: i(1) } } }, false],
  ['$in', { a: i(3) }, { a: { $in: [i(1), i(3)] } }, true],
  ['$in with null matches missing', {}, { a: { $in: [i(1), null] } }, true],
  ['$in with regex', { a: 'hello' }, { a: { $in: [new BSONRegExp('^h'), i(1)] } }, true],
  ['$nin', { a: i(3) }, { a: { $nin: [i(1), i(3)] } }, false],
  ['$nin missing', {}, { a: { $nin: [i(1)] } }, true],
  ['$exists true', { a: null }, { a: { $exists: true } }, true],
  ['$exists false', { b: i(1) }, { a: { $exists: false } }, true],
  ['$exists in array of documents', { a: [{ b: i(1) }, {}] }, { 'a.b': { $exists: false } }, false],
  ['$type alias', { a: i(1) }, { a: { $type: 'int' } }, true],
  ['$type double is not int', { a: d(1) }, { a: { $type: 'int' } }, false],
  ['$type number', { a: new Long(1) }, { a: { $type: 'number' } }, true],
  ['$type numeric code', { a: 'x' }, { a: { $type: i(2) } }, true],
  ['$type array', { a: [] }, { a: { $type: 'array' } }, true],
  ['$type array list', { a: 'x' }, { a: { $type: ['bool', 'string'] } }, true],
  ['$regex', { a: 'Hello' }, { a: { $regex: '^h', $options: 'i' } }, true],
  ['regex literal', { a: 'Hello' }, { a: new BSONRegExp('^H') }, true],
  ['regex matches symbols', { a: new BSONSymbol('Hello') }, { a: new BSONRegExp('^H') }, true],
  ['regex ignores numbers', { a: i(1) }, { a: new BSONRegExp('1') }, false],
  ['$eq regex compares regex values', { a: new BSONRegExp('x', 'i') }, { a: { $eq: new BSONRegExp('x', 'i') } }, true],
  ['regex extended flag', { a: 'ab' }, { a: { $regex: 'a b # comment', $options: 'x' } }, true],
  ['$not regex', { a: 'abc' }, { a: { $not: new BSONRegExp('^a') } }, false],
  ['$not operator', { a: i(3) }, { a: { $not: { $gt: i(5) } } }, true],
  ['$not matches missing', {}, { a: { $not: { $gt: i(5) } } }, true],
  ['$size', { a: [i(1), i(2)] }, { a: { $size: i(2) } }, true],
  ['$size nested', { a: [[i(1), i(2)]] }, { a: { $size: i(2) } }, false],
  ['$all', { a: [i(1), i(2), i(3)] }, { a: { $all: [i(3), i(1)] } }, true],
  ['$all missing one', { a: [i(1), i(2)] }, { a: { $all: [i(3), i(1)] } }, false],
  ['$all empty', { a: [i(1)] }, { a: { $all: [] } }, false],
  ['$all with $elemMatch', { a: [{ b: i(1) }, { b: i(2) }] }, { a: { $all: [{ $elemMatch: { b: i(1) } }, { $elemMatch: { b: i(2) } }] } }, true],
  ['$mod', { a: i(10) }, { a: { $mod: [i(3), i(1)] } }, true],
  ['$mod truncates doubles', { a: d(10.9) }, { a: { $mod: [i(3), i(1)] } }, true],
  ['$mod negative dividend', { a: i(-7) }, { a: { $mod: [i(3), i(-1)] } }, true],
  ['$bitsAllSet positions', { a: i(5) }, { a: { $bitsAllSet: [i(0), i(2)] } }, true],
  ['$bitsAllSet mask', { a: i(5) }, { a: { $bitsAllSet: i(6) } }, false],
  ['$bitsAnySet mask', { a: i(5) }, { a: { $bitsAnySet: i(6) } }, true],
  ['$bitsAllClear', { a: i(5) }, { a: { $bitsAllClear: [i(1), i(3)] } }, true],
  ['$bitsAnyClear negative sign-extends', { a: i(-1) }, { a: { $bitsAnyClear: [i(100)] } }, false],
  ['$bitsAllSet on binary', { a: new Binary(Buffer.from([0b101])) }, { a: { $bitsAllSet: [i(0), i(2)] } }, true],
  ['$and', { a: i(1), b: i(2) }, { $and: [{ a: i(1) }, { b: i(2) }] }, true],
  ['$or', { a: i(1) }, { $or: [{ a: i(2) }, { a: i(1) }] }, true],
  ['$nor', { a: i(1) }, { $nor: [{ a: i(2) }, { a: i(1) }] }, false],
  ['$comment is ignored', { a: i(1) }, { a: i(1), $comment: 'hi' }, true],
  ['NaN equals NaN', { a: d(NaN) }, { a: d(NaN) }, true],
  ['NaN is not less than anything', { a: d(NaN) }, { a: { $lt: i(0) } }, false],
  ['$lte NaN matches NaN', { a: d(NaN) }, { a: { $lte: d(NaN) } }, true],
  ['-0 equals 0', { a: d(-0) }, { a: i(0) }, true],
  ['$lt MaxKey matches other types', { a: 'x' }, { a: { $lt: new MaxKey() } }, true],
  ['$gt MinKey matches missing', {}, { a: { $gt: new MinKey() } }, true],
  ['objectId equality', { _id: ObjectId.createFromHexString('64b7f0f0f0f0f0f0f0f0f0f0') }, { _id: ObjectId.createFromHexString('64b7f0f0f0f0f0f0f0f0f0f0') }, true],
  ['large long precision', { a: Long.fromString('9007199254740993') }, { a: Long.fromString('9007199254740992') }, false],
  ['date comparison', { a: new Date(2000) }, { a: { $gt: new Date(1000) } }, true],
  ['date is not a number', { a: new Date(2000) }, { a: { $gt: i(1) } }, false],
  ['empty path component', { '': i(1) }, { '': i(1) }, true],
  ['$expr compares fields', { a: i(5), b: i(3) }, { $expr: { $gt: ['$a', '$b'] } }, true],
  ['$expr falsy result', { a: i(1), b: i(3) }, { $expr: { $gt: ['$a', '$b'] } }, false],
  ['$jsonSchema required', { a: i(1) }, { $jsonSchema: { required: ['a', 'b'] } }, false],
  ['$jsonSchema properties', { a: i(5) }, { $jsonSchema: { properties: { a: { bsonType: 'int', minimum: i(3) } } } }, true],
  ['$jsonSchema minimum ignores other types', { a: 'x' }, { $jsonSchema: { properties: { a: { minimum: i(3) } } } }, true],
  ['$jsonSchema additionalProperties', { _id: i(1), a: i(1), z: i(1) }, { $jsonSchema: { properties: { _id: {}, a: {} }, additionalProperties: false } }, false],
  ['$jsonSchema enum', { a: 'b' }, { $jsonSchema: { properties: { a: { enum: ['a', 'b'] } } } }, true],
  ['$jsonSchema string length', { a: 'héllo' }, { $jsonSchema: { properties: { a: { type: 'string', maxLength: i(5) } } } }, true],
  ['$jsonSchema pattern', { a: 'abc' }, { $jsonSchema: { properties: { a: { pattern: '^b' } } } }, false],
  ['$jsonSchema items', { a: [i(1), 'x'] }, { $jsonSchema: { properties: { a: { items: { bsonType: 'int' } } } } }, false],
];

describe('compileFilter', () => {
  it.each(cases)('%s', (_name, doc, filter, expected) => {
    expect(compileFilter(filter)(doc)).toBe(expected);
  });

  it('matches everything with an empty filter', () => {
    expect(compileFilter({})({ a: i(1) })).toBe(true);
  });
});

const errors: [string, Document, string, number][] = [
  ['unknown operator', { a: { $foo: i(1) } }, 'unknown operator: $foo', 2],
  ['unknown top level operator', { $foo: i(1) }, "unknown top level operator: $foo. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.", 2],
  ['$in not an array', { a: { $in: i(1) } }, '$in needs an array', 2],
  ['$nin not an array', { a: { $nin: i(1) } }, '$nin needs an array', 2],
  ['$and empty', { $and: [] }, '$and/$or/$nor must be a nonempty array', 2],
  ['$or not an array', { $or: { a: i(1) } }, '$or must be an array', 2],
  ['$or entries not objects', { $or: [i(1)] }, '$or/$and/$nor entries need to be full objects', 2],
  ['$regex not a string', { a: { $regex: i(1) } }, '$regex has to be a string', 2],
  ['$options without $regex', { a: { $options: 'i' } }, '$options needs a $regex', 2],
  ['$size not a number', { a: { $size: 'x' } }, '$size needs a number', 2],
  ['$size negative', { a: { $size: i(-1) } }, '$size may not be negative', 2],
  ['$elemMatch not an object', { a: { $elemMatch: i(1) } }, '$elemMatch needs an Object', 2],
  ['$all not an array', { a: { $all: i(1) } }, '$all needs an array', 2],
  ['$not empty', { a: { $not: {} } }, '$not cannot be empty', 2],
  ['$not scalar', { a: { $not: i(1) } }, '$not needs a regex or a document', 2],
  ['$gt regex', { a: { $gt: new BSONRegExp('x') } }, "Can't have RegEx as arg to predicate over field 'a'.", 2],
  ['$ne regex', { a: { $ne: new BSONRegExp('x') } }, "Can't have regex as arg to $ne.", 2],
  ['$mod not an array', { a: { $mod: i(1) } }, 'malformed mod, needs to be an array', 2],
  ['$mod zero', { a: { $mod: [i(0), i(1)] } }, 'divisor cannot be 0', 2],
  ['$type unknown alias', { a: { $type: 'foo' } }, 'Unknown type name alias: foo', 2],
  ['$type empty array', { a: { $type: [] } }, '$type must match at least one type', 9],
  ['$in nested operator', { a: { $in: [{ $gt: i(1) }] } }, 'cannot nest $ under $in', 2],
  ['$all with operator', { a: { $all: [{ $gt: i(1) }] } }, 'no $ expressions in $all', 2],
  ['invalid regex', { a: new BSONRegExp('(') }, 'Regular expression is invalid', 51091],
];

describe('compileFilter errors', () => {
  it.each(errors)('%s', (_name, filter, message, code) => {
    let caught: unknown;
    try {
      compileFilter(filter);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandError);
    expect((caught as CommandError).message).toContain(message);
    expect((caught as CommandError).code).toBe(code);
  });
});

describe('compileFilter with let variables', () => {
  it('passes let variables to $expr', () => {
    expect(compileFilter({ $expr: { $eq: ['$a', '$$target'] } }, { variables: { target: i(4) } })({ a: i(4) })).toBe(true);
  });

  it('refuses $expr below the top level', () => {
    expect(() => compileFilter({ a: { $elemMatch: { $expr: { $eq: [1, 1] } } } })).toThrow('$expr can only be applied to the top-level document');
  });
});

describe('compileMatcher', () => {
  it('reports the offset of the matched array element', () => {
    const details: { elemMatchKey?: string } = {};
    expect(compileMatcher({ 'a.b': i(2) }).matches({ a: [{ b: i(1) }, { b: i(2) }] }, details)).toBe(true);
    expect(details.elemMatchKey).toBe('1');
  });

  it('reports the offset of an $elemMatch', () => {
    const details: { elemMatchKey?: string } = {};
    expect(compileMatcher({ a: { $elemMatch: { $gte: i(3) } } }).matches({ a: [i(1), i(2), i(3)] }, details)).toBe(true);
    expect(details.elemMatchKey).toBe('2');
  });
});

describe('compileFilter with a collation', () => {
  const caseInsensitive = { locale: 'en_US', strength: i(2) };

  it.each([
    ['equality ignores case at strength 2', { a: 'PING' }, { a: 'ping' }, true],
    ['accents still count at strength 2', { a: 'café' }, { a: 'cafe' }, false],
    ['$in uses the collation', { a: 'Pong' }, { a: { $in: ['ping', 'pong'] } }, true],
    ['ranges use the collation', { a: 'B' }, { a: { $gt: 'a', $lt: 'c' } }, true],
    ['regexes do not use the collation', { a: 'PING' }, { a: new BSONRegExp('^ping$') }, false],
  ])('%s', (_name, doc, filter, expected) => {
    expect(compileFilter(filter as Document, { collation: caseInsensitive })(doc as Document)).toBe(expected);
  });

  it('ignores accents and case at strength 1', () => {
    expect(compileFilter({ a: 'CAFE' }, { collation: { locale: 'fr', strength: i(1) } })({ a: 'café' })).toBe(true);
  });
});
