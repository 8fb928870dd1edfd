import { Decimal128, Double, Int32, Long, serialize, Timestamp, type Document } from 'bson';
import { compileUpdate, upsertSeed, compareUpdatePaths } from '../../../../harness/engine/update/update_driver.js';
import { CommandError } from '../../../../harness/errors.js';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);
const l = (n: number | string): Long => (typeof n === 'string' ? Long.fromString(n) : Long.fromNumber(n));
const dec = (s: string): Decimal128 => Decimal128.fromString(s);

/** Exact comparison: same BSON bytes means same types, values and field order. */
function hex(doc: Document): string {
  return Buffer.from(serialize(doc)).toString('hex');
}

// Expected documents follow mongod 7.0's update semantics (src/mongo/db/update and the update operator manual pages).
const cases: [string, Document, Document, Document, Document?][] = [
  ['$set replaces in place', { _id: i(1), a: i(1), b: i(2) }, { $set: { a: i(5) } }, { _id: i(1), a: i(5), b: i(2) }],
  ['$set appends new fields in name order', { _id: i(1) }, { $set: { b: i(1), a: i(2) } }, { _id: i(1), a: i(2), b: i(1) }],
  ['operators apply in path order, not operator order', { _id: i(1) }, { $set: { z: i(1) }, $inc: { m: i(1) } }, { _id: i(1), m: i(1), z: i(1) }],
  ['array indexes order numerically', { _id: i(1), a: {} }, { $set: { 'a.10': i(1), 'a.9': i(2) } }, { _id: i(1), a: { '9': i(2), '10': i(1) } }],
  ['$set creates embedded documents', { _id: i(1) }, { $set: { 'a.b.c': i(1) } }, { _id: i(1), a: { b: { c: i(1) } } }],
  ['$set two fields of a new embedded document', { _id: i(1) }, { $set: { 'a.y': i(1), 'a.x': i(2) } }, { _id: i(1), a: { x: i(2), y: i(1) } }],
  ['$set array element', { _id: i(1), a: [i(1), i(2)] }, { $set: { 'a.1': i(9) } }, { _id: i(1), a: [i(1), i(9)] }],
  ['$set past the end pads with null', { _id: i(1), a: [i(1)] }, { $set: { 'a.3': i(9) } }, { _id: i(1), a: [i(1), null, null, i(9)] }],
  ['$set keeps the value type', { _id: i(1), a: i(1) }, { $set: { a: d(1) } }, { _id: i(1), a: d(1) }],
  ['$unset removes', { _id: i(1), a: i(1), b: i(2) }, { $unset: { a: '' } }, { _id: i(1), b: i(2) }],
  ['$unset of an array element leaves null', { _id: i(1), a: [i(1), i(2)] }, { $unset: { 'a.0': '' } }, { _id: i(1), a: [null, i(2)] }],
  ['$unset of a missing field', { _id: i(1) }, { $unset: { 'a.b': '' } }, { _id: i(1) }],
  ['$unset through a scalar is a no-op', { _id: i(1), a: i(1) }, { $unset: { 'a.b': '' } }, { _id: i(1), a: i(1) }],
  ['$inc int + int stays int', { _id: i(1), a: i(1) }, { $inc: { a: i(2) } }, { _id: i(1), a: i(3) }],
  ['$inc int overflow becomes long', { _id: i(1), a: i(2147483647) }, { $inc: { a: i(1) } }, { _id: i(1), a: l(2147483648) }],
  ['$inc int + double is double', { _id: i(1), a: i(1) }, { $inc: { a: d(0.5) } }, { _id: i(1), a: d(1.5) }],
  ['$inc int + long is long', { _id: i(1), a: i(1) }, { $inc: { a: l(1) } }, { _id: i(1), a: l(2) }],
  ['$inc decimal wins', { _id: i(1), a: i(1) }, { $inc: { a: dec('1.1') } }, { _id: i(1), a: dec('2.1') }],
  ['$inc double to decimal keeps 15 digits', { _id: i(1), a: d(1) }, { $inc: { a: dec('1.1') } }, { _id: i(1), a: dec('2.10000000000000') }],
  ['$inc creates with the argument', { _id: i(1) }, { $inc: { a: l(5) } }, { _id: i(1), a: l(5) }],
  ['$mul', { _id: i(1), a: i(3) }, { $mul: { a: i(4) } }, { _id: i(1), a: i(12) }],
  ['$mul creates zero of the argument type', { _id: i(1) }, { $mul: { a: d(4) } }, { _id: i(1), a: d(0) }],
  ['$mul keeps -0', { _id: i(1), a: d(0) }, { $mul: { a: d(-1) } }, { _id: i(1), a: d(-0) }],
  ['$min lower', { _id: i(1), a: i(5) }, { $min: { a: i(3) } }, { _id: i(1), a: i(3) }],
  ['$min higher keeps', { _id: i(1), a: i(5) }, { $min: { a: i(7) } }, { _id: i(1), a: i(5) }],
  ['$max across types (BSON order)', { _id: i(1), a: i(5) }, { $max: { a: 'x' } }, { _id: i(1), a: 'x' }],
  ['$max missing creates', { _id: i(1) }, { $max: { a: i(7) } }, { _id: i(1), a: i(7) }],
  ['$rename moves to the end', { _id: i(1), a: i(1), b: i(2) }, { $rename: { a: 'c' } }, { _id: i(1), b: i(2), c: i(1) }],
  ['$rename onto an existing field keeps its place', { _id: i(1), a: i(1), b: i(2), c: i(3) }, { $rename: { a: 'b' } }, { _id: i(1), b: i(1), c: i(3) }],
  ['$rename of a missing field', { _id: i(1), b: i(2) }, { $rename: { a: 'c' } }, { _id: i(1), b: i(2) }],
  ['$rename into an embedded document', { _id: i(1), a: i(1) }, { $rename: { a: 'x.y' } }, { _id: i(1), x: { y: i(1) } }],
  ['$setOnInsert ignored on update', { _id: i(1) }, { $setOnInsert: { a: i(1) } }, { _id: i(1) }],
  ['$push', { _id: i(1), a: [i(1)] }, { $push: { a: i(2) } }, { _id: i(1), a: [i(1), i(2)] }],
  ['$push creates the array', { _id: i(1) }, { $push: { a: i(2) } }, { _id: i(1), a: [i(2)] }],
  ['$push an array as one element', { _id: i(1), a: [] }, { $push: { a: [i(1), i(2)] } }, { _id: i(1), a: [[i(1), i(2)]] }],
  ['$push $each $position', { _id: i(1), a: [i(1), i(4)] }, { $push: { a: { $each: [i(2), i(3)], $position: i(1) } } }, { _id: i(1), a: [i(1), i(2), i(3), i(4)] }],
  ['$push negative $position', { _id: i(1), a: [i(1), i(4)] }, { $push: { a: { $each: [i(2)], $position: i(-1) } } }, { _id: i(1), a: [i(1), i(2), i(4)] }],
  ['$push $sort $slice', { _id: i(1), a: [i(5), i(1)] }, { $push: { a: { $each: [i(3)], $sort: i(1), $slice: i(2) } } }, { _id: i(1), a: [i(1), i(3)] }],
  ['$push negative $slice', { _id: i(1), a: [i(1), i(2)] }, { $push: { a: { $each: [i(3)], $slice: i(-2) } } }, { _id: i(1), a: [i(2), i(3)] }],
  ['$push $sort by field', { _id: i(1), a: [{ s: i(2) }, { s: i(1) }] }, { $push: { a: { $each: [], $sort: { s: i(1) } } } }, { _id: i(1), a: [{ s: i(1) }, { s: i(2) }] }],
  ['$addToSet adds once', { _id: i(1), a: [i(1)] }, { $addToSet: { a: i(1) } }, { _id: i(1), a: [i(1)] }],
  ['$addToSet numbers equal across types', { _id: i(1), a: [i(1)] }, { $addToSet: { a: d(1) } }, { _id: i(1), a: [i(1)] }],
  ['$addToSet $each dedupes', { _id: i(1), a: [i(1)] }, { $addToSet: { a: { $each: [i(2), i(2), i(1), i(3)] } } }, { _id: i(1), a: [i(1), i(2), i(3)] }],
  ['$addToSet document field order matters', { _id: i(1), a: [{ x: i(1), y: i(2) }] }, { $addToSet: { a: { y: i(2), x: i(1) } } }, { _id: i(1), a: [{ x: i(1), y: i(2) }, { y: i(2), x: i(1) }] }],
  ['$pop last', { _id: i(1), a: [i(1), i(2)] }, { $pop: { a: i(1) } }, { _id: i(1), a: [i(1)] }],
  ['$pop first', { _id: i(1), a: [i(1), i(2)] }, { $pop: { a: i(-1) } }, { _id: i(1), a: [i(2)] }],
  ['$pull value', { _id: i(1), a: [i(1), i(2), i(1)] }, { $pull: { a: i(1) } }, { _id: i(1), a: [i(2)] }],
  ['$pull condition', { _id: i(1), a: [i(1), i(5), i(9)] }, { $pull: { a: { $gte: i(5) } } }, { _id: i(1), a: [i(1)] }],
  ['$pull query on documents', { _id: i(1), a: [{ x: i(1), y: i(1) }, { x: i(2) }] }, { $pull: { a: { x: i(1) } } }, { _id: i(1), a: [{ x: i(2) }] }],
  ['$pullAll', { _id: i(1), a: [i(1), i(2), i(3)] }, { $pullAll: { a: [i(1), i(3)] } }, { _id: i(1), a: [i(2)] }],
  ['$bit and', { _id: i(1), a: i(13) }, { $bit: { a: { and: i(10) } } }, { _id: i(1), a: i(8) }],
  ['$bit or with long', { _id: i(1), a: i(1) }, { $bit: { a: { or: l(2) } } }, { _id: i(1), a: l(3) }],
  ['$bit xor', { _id: i(1), a: i(5) }, { $bit: { a: { xor: i(1) } } }, { _id: i(1), a: i(4) }],
  ['$[] updates all elements', { _id: i(1), a: [i(1), i(2)] }, { $inc: { 'a.$[]': i(10) } }, { _id: i(1), a: [i(11), i(12)] }],
  ['$[] into embedded documents', { _id: i(1), a: [{ b: i(1) }, {}] }, { $set: { 'a.$[].b': i(0) } }, { _id: i(1), a: [{ b: i(0) }, { b: i(0) }] }],
  ['empty $set is a no-op', { _id: i(1), a: i(1) }, { $set: {} }, { _id: i(1), a: i(1) }],
  ['replacement keeps _id first', { _id: i(1), a: i(1) }, { b: i(2) }, { _id: i(1), b: i(2) }],
  ['replacement with the same _id', { _id: i(1), a: i(1) }, { b: i(2), _id: i(1) }, { b: i(2), _id: i(1) }],
];

describe('compileUpdate', () => {
  it.each(cases)('%s', (_name, doc, update, expected) => {
    expect(hex(compileUpdate(update).apply(doc))).toBe(hex(expected));
  });

  it('does not modify its input', () => {
    const doc = { _id: i(1), a: [i(1)] };
    compileUpdate({ $push: { a: i(2) } }).apply(doc);
    expect(doc.a).toHaveLength(1);
  });

  it('applies $[<identifier>] to the elements its array filter matches', () => {
    const update = compileUpdate({ $set: { 'a.$[x].ok': true } }, { arrayFilters: [{ 'x.v': { $gte: i(2) } }] });
    const out = update.apply({ _id: i(1), a: [{ v: i(1) }, { v: i(2) }, { v: i(3) }] });
    expect(hex(out)).toBe(hex({ _id: i(1), a: [{ v: i(1) }, { v: i(2), ok: true }, { v: i(3), ok: true }] }));
  });

  it('finds the array filter identifier inside $or', () => {
    const update = compileUpdate({ $set: { 'a.$[e]': i(0) } }, { arrayFilters: [{ $or: [{ e: i(1) }, { e: i(3) }] }] });
    expect(hex(update.apply({ _id: i(1), a: [i(1), i(2), i(3)] }))).toBe(hex({ _id: i(1), a: [i(0), i(2), i(0)] }));
  });

  it('resolves the positional $ from the matched array offset', () => {
    const out = compileUpdate({ $set: { 'a.$': i(0) } }).apply({ _id: i(1), a: [i(5), i(6)] }, { matchedField: '1' });
    expect(hex(out)).toBe(hex({ _id: i(1), a: [i(5), i(0)] }));
  });

  it('applies $setOnInsert when inserting', () => {
    const out = compileUpdate({ $setOnInsert: { b: i(1) }, $set: { a: i(1) } }).apply({ _id: i(1) }, { isInsert: true });
    expect(hex(out)).toBe(hex({ _id: i(1), a: i(1), b: i(1) }));
  });

  it('applies a pipeline update through the aggregation engine', () => {
    const out = compileUpdate([{ $set: { b: { $add: ['$a', i(1)] } } }]).apply({ _id: i(1), a: i(1) });
    expect(hex(out)).toBe(hex({ _id: i(1), a: i(1), b: i(2) }));
  });

  it('sets $currentDate from the clock', () => {
    const now = new Date(1700000000000);
    const ts = new Timestamp({ t: 5, i: 1 });
    const out = compileUpdate({ $currentDate: { a: true, b: { $type: 'timestamp' } } }).apply({ _id: i(1) }, { now: () => now, timestamp: () => ts });
    expect(hex(out)).toBe(hex({ _id: i(1), a: now, b: ts }));
  });
});

const errors: [string, Document, Document, number, string, Document?][] = [
  ['conflicting paths', { _id: i(1) }, { $set: { a: i(1) }, $inc: { a: i(1) } }, 40, "Updating the path 'a' would create a conflict at 'a'"],
  ['conflicting prefix', { _id: i(1) }, { $set: { 'a.b': i(1), a: i(1) } }, 40, "would create a conflict at 'a'"],
  ['changing _id', { _id: i(1) }, { $set: { _id: i(2) } }, 66, "Performing an update on the path '_id' would modify the immutable field '_id'"],
  ['replacement changing _id', { _id: i(1) }, { _id: i(2) }, 66, "After applying the update, the (immutable) field '_id' was found to have been altered to _id: 2"],
  ['$inc of a string', { _id: i(1), a: 'x' }, { $inc: { a: i(1) } }, 14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'a' of non-numeric type string"],
  ['$inc with a string', { _id: i(1) }, { $inc: { a: 'x' } }, 14, 'Cannot increment with non-numeric argument: {a: "x"}'],
  ['creating a field in a scalar', { _id: i(1), a: i(1) }, { $set: { 'a.b': i(1) } }, 28, "Cannot create field 'b' in element {a: 1}"],
  ['creating a named field in an array', { _id: i(1), a: [i(1)] }, { $set: { 'a.b': i(1) } }, 28, "Cannot create field 'b' in element {a: [ 1 ]}"],
  ['unknown modifier', { _id: i(1) }, { $foo: { a: i(1) } }, 9, 'Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array'],
  ['operand not a document', { _id: i(1) }, { $set: i(1) }, 9, 'Modifiers operate on fields but we found type int instead'],
  ['empty path', { _id: i(1) }, { $set: { '': i(1) } }, 56, 'An empty update path is not valid.'],
  ['$push to a non-array', { _id: i(1), a: i(1) }, { $push: { a: i(1) } }, 2, "The field 'a' must be an array but is of type int in document {_id: 1}"],
  ['$pull from a non-array', { _id: i(1), a: i(1) }, { $pull: { a: i(1) } }, 2, 'Cannot apply $pull to a non-array value'],
  ['positional without a match', { _id: i(1), a: [i(1)] }, { $set: { 'a.$': i(1) } }, 2, 'The positional operator did not find the match needed from the query.'],
  ['positional first', { _id: i(1) }, { $set: { '$.a': i(1) } }, 2, "Cannot have positional (i.e. '$') element in the first position in path '$.a'"],
  ['$[] on a missing path', { _id: i(1) }, { $set: { 'a.$[]': i(1) } }, 2, "The path 'a' must exist in the document in order to apply array updates."],
  ['unknown array filter', { _id: i(1) }, { $set: { 'a.$[x]': i(1) } }, 2, "No array filter found for identifier 'x' in path 'a.$[x]'"],
  ['$rename to itself', { _id: i(1) }, { $rename: { a: 'a' } }, 2, 'The source and target field for $rename must differ'],
  ['$rename out of an array', { _id: i(1), a: [{ b: i(1) }] }, { $rename: { 'a.b': 'c' } }, 2, "The source field cannot be an array element, 'a.b' in doc with a: [ { b: 1 } ] has an array field called 'a'"],
  ['int64 overflow', { _id: i(1), a: l('9223372036854775807') }, { $inc: { a: i(1) } }, 2, 'Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 1}'],
];

describe('compileUpdate errors', () => {
  it.each(errors)('%s', (_name, doc, update, code, message) => {
    let caught: unknown;
    try {
      compileUpdate(update).apply(doc);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandError);
    expect((caught as CommandError).code).toBe(code);
    expect((caught as CommandError).message).toContain(message);
  });

  it('refuses an array filter that is not used', () => {
    expect(() => compileUpdate({ $set: { a: i(1) } }, { arrayFilters: [{ x: i(1) }] })).toThrow("The array filter for identifier 'x' was not used");
  });
});

describe('upsertSeed', () => {
  it('takes equality conditions and puts _id first', () => {
    expect(hex(upsertSeed({ a: i(1), _id: i(5), b: { $gt: i(1) }, 'c.d': { $eq: i(2) }, $and: [{ e: i(3) }] }))).toBe(
      hex({ _id: i(5), a: i(1), c: { d: i(2) }, e: i(3) }),
    );
  });
});

describe('compareUpdatePaths', () => {
  it('orders array indexes numerically and names as strings', () => {
    expect(['b', '10', '9', 'a', '010'].sort(compareUpdatePaths)).toEqual(['010', '10', '9', 'a', 'b'].sort(compareUpdatePaths));
    expect(['10', '9'].sort(compareUpdatePaths)).toEqual(['9', '10']);
  });
});

describe('compileUpdate with a collation', () => {
  const collation = { locale: 'en', strength: i(2) };

  it('compares strings by the collation in $addToSet, $pull and array filters', () => {
    const doc = { _id: i(1), tags: ['Red'], items: [{ k: 'A' }, { k: 'b' }] };
    const update = compileUpdate({ $addToSet: { tags: 'red' }, $pull: { items: { k: 'a' } } }, { collation });
    expect(hex(update.apply(doc))).toBe(hex({ _id: i(1), tags: ['Red'], items: [{ k: 'b' }] }));
    const simple = compileUpdate({ $addToSet: { tags: 'red' }, $pull: { items: { k: 'a' } } });
    expect(hex(simple.apply(doc))).toBe(hex({ _id: i(1), tags: ['Red', 'red'], items: [{ k: 'A' }, { k: 'b' }] }));
    const filtered = compileUpdate({ $set: { 'items.$[e].hit': true } }, { collation, arrayFilters: [{ 'e.k': 'a' }] });
    expect(hex(filtered.apply(doc))).toBe(hex({ _id: i(1), tags: ['Red'], items: [{ k: 'A', hit: true }, { k: 'b' }] }));
  });
});
