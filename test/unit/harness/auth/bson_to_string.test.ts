import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'bson';
import { bsonToString } from '../../../harness/auth/bson_to_string.js';

/** mongod's BSONObj::toString() forms, as they appear in its "not authorized ... to execute command" messages. */
describe('bsonToString', () => {
  it.each([
    ['an empty document', {}, '{}'],
    ['strings and int32', { insert: 'orders', n: new Int32(1) }, '{ insert: "orders", n: 1 }'],
    ['doubles with a decimal point', { a: new Double(1), b: new Double(1.5), c: 2 }, '{ a: 1.0, b: 1.5, c: 2.0 }'],
    ['int64', { a: Long.fromNumber(7) }, '{ a: 7 }'],
    ['booleans and null', { a: true, b: null }, '{ a: true, b: null }'],
    ['nested documents and arrays', { a: { b: [new Int32(1), { c: 'd' }] }, e: [] }, '{ a: { b: [ 1, { c: "d" } ] }, e: [] }'],
    ['an ObjectId', { _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, "{ _id: ObjectId('64b7f0c2a1b2c3d4e5f60718') }"],
    ['a UUID', { id: new UUID('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0').toBinary() }, '{ id: UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0") }'],
    ['other binary', { b: new Binary(Buffer.from([0xab, 0x01]), 0) }, '{ b: BinData(0, AB01) }'],
    ['a timestamp', { ts: new Timestamp({ t: 5, i: 2 }) }, '{ ts: Timestamp(5, 2) }'],
    ['a date', { d: new Date(1000) }, '{ d: new Date(1000) }'],
    ['a regex', { r: new BSONRegExp('^a', 'i') }, '{ r: /^a/i }'],
    ['a decimal', { v: Decimal128.fromString('1.50') }, '{ v: NumberDecimal("1.50") }'],
    ['min and max keys', { a: new MinKey(), b: new MaxKey() }, '{ a: MinKey, b: MaxKey }'],
  ])('prints %s', (_name, doc, expected) => {
    expect(bsonToString(doc)).toBe(expected);
  });
});
