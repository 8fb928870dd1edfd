import { BSON, Binary, Code, DBRef, Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { assertWritable, exactIdOf, toExactDocument, UnwritableValueError } from '../../../src/bson/exact_document.js';
import { decodeElement, rawElements } from '../../../src/bson/raw_elements.js';

/** Serializes a document as the driver would write it. */
function reserialize(raw: Uint8Array): string {
  return Buffer.from(BSON.serialize(toExactDocument(raw) as Document)).toString('hex');
}

/** Builds raw bytes from key/value pairs in the given order (a Map keeps it; an object would not). */
function rawOf(entries: [string, unknown][]): Uint8Array {
  return BSON.serialize(new Map(entries) as unknown as Document);
}

describe('toExactDocument', () => {
  it.each<[string, Uint8Array]>([
    ['plain typed values', BSON.serialize({ _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718'), i: new Int32(1), d: new Double(2), l: Long.fromNumber(3), n: Decimal128.fromString('1.10'), b: new Binary(Buffer.from('ab')) })],
    ['an integer key after other keys', rawOf([['_id', 1], ['b', 1], ['10', 2], ['2', 3]])],
    ['"0" as a key', rawOf([['_id', 1], ['x', 1], ['0', 2]])],
    ['an integer key in an embedded document', rawOf([['_id', 1], ['years', new Map<string, unknown>([['2024', 1], ['10', 2], ['b', 3]])]])],
    ['an integer key in a document inside an array', rawOf([['_id', 1], ['a', [1, new Map<string, unknown>([['z', 1], ['7', 2]])]]])],
    ['a leading-zero key, which keeps its place anyway', rawOf([['_id', 1], ['b', 1], ['01', 2]])],
    ['code with scope and a DBRef', BSON.serialize({ _id: 2, c: new Code('x', { y: 1 }), r: new DBRef('c', new ObjectId('64b7f0c2a1b2c3d4e5f60719'), 'db') })],
    ['arrays only (their keys are in order already)', BSON.serialize({ _id: 3, a: [[1, 2], [3, [4]]] })],
  ])('serializes back to the same bytes for %s', (_name, raw) => {
    expect(reserialize(raw)).toBe(Buffer.from(raw).toString('hex'));
  });

  it('keeps a document without integer keys a plain object', () => {
    expect(toExactDocument(BSON.serialize({ _id: 1, a: { b: [{ c: 1 }] } }))).not.toBeInstanceOf(Map);
  });

  it('rebuilds a document with an integer key as a Map', () => {
    expect(toExactDocument(rawOf([['_id', 1], ['b', 1], ['10', 2]]))).toBeInstanceOf(Map);
  });

  it.each([
    // {_id: 1, a: {b: undefined}}: the undefined type (0x06) nested in a document.
    ['undefined', '19000000105f69640001000000036100080000000662000000', 'undefined at a.b'],
    // {_id: 1, p: DBPointer("c", ObjectId(...))}: type 0x0C, which bson would decode as a DBRef.
    ['DBPointer', '23000000105f696400010000000c700002000000630064b7f0c2a1b2c3d4e5f6071800', 'DBPointer at p'],
  ])('refuses a document holding a %s value, naming its path', (_type, hex, where) => {
    expect(() => toExactDocument(Buffer.from(hex, 'hex'))).toThrow(new UnwritableValueError(where));
  });
});


/** The legacy values toExactDocument refuses: [name, hex of the document, where]. */
const UNWRITABLE_DOCUMENTS: [string, string, string][] = [
  // {_id: 1, a: {b: undefined}}: the undefined type (0x06) nested in a document.
  ['undefined in a document', '19000000105f69640001000000036100080000000662000000', 'undefined at a.b'],
  // {_id: 1, p: DBPointer("c", ObjectId(...))}: type 0x0C, which bson would decode as a DBRef.
  ['DBPointer', '23000000105f696400010000000c700002000000630064b7f0c2a1b2c3d4e5f6071800', 'DBPointer at p'],
  // {_id: 1, a: [1, {b: undefined}]}: inside a document inside an array, the path names the index.
  ['undefined in an array', '27000000105f69640001000000046100160000001030000100000003310008000000066200000000', 'undefined at a.1.b'],
];

describe('assertWritable', () => {
  it.each(UNWRITABLE_DOCUMENTS)('refuses %s as toExactDocument does', (_name, hex, where) => {
    const raw = Buffer.from(hex, 'hex');
    expect(() => assertWritable(raw)).toThrow(new UnwritableValueError(where));
    expect(() => toExactDocument(raw)).toThrow(new UnwritableValueError(where));
  });

  it('checks the document at an offset, as in a batch of documents laid end to end', () => {
    const [, hex, where] = UNWRITABLE_DOCUMENTS[2];
    const fine = BSON.serialize({ _id: 0, a: [1] });
    const batch = Buffer.concat([fine, Buffer.from(hex, 'hex'), fine]);
    expect(() => assertWritable(batch, 0)).not.toThrow();
    expect(() => assertWritable(batch, fine.length)).toThrow(new UnwritableValueError(where));
    expect(() => assertWritable(batch, batch.length - fine.length)).not.toThrow();
  });

  it('accepts every other type, at any depth', () => {
    const raw = BSON.serialize({ _id: 1, a: [{ b: new Code('x', { y: 1 }) }, null, new Binary(Buffer.from('z'), 4)], c: { d: Decimal128.fromString('1.5') } });
    expect(() => assertWritable(raw)).not.toThrow();
  });
});

describe('exactIdOf', () => {
  /** The `_id` as the general path decodes it: the element decoded on its own. */
  function slowId(raw: Uint8Array): unknown {
    for (const element of rawElements(raw)) if (element.name === '_id') return decodeElement(raw, element);
    return undefined;
  }

  it.each<[string, unknown]>([
    ['an Int32', new Int32(-7)],
    ['a Double', new Double(2.5)],
    ['a Double holding an integer', new Double(3)],
    ['an Int64', Long.fromString('-9007199254740993')],
    ['an ObjectId', new ObjectId('64b7f0c2a1b2c3d4e5f60718')],
    ['a string', 'abc'],
    ['a Decimal128', Decimal128.fromString('1.10')],
  ])('decodes a leading _id that is %s with its exact type', (_name, id) => {
    const raw = BSON.serialize({ _id: id, x: 1 });
    const decoded = exactIdOf(raw);
    expect(decoded).toEqual(slowId(raw));
    expect(Buffer.from(BSON.serialize({ _id: decoded })).toString('hex')).toBe(Buffer.from(BSON.serialize({ _id: id })).toString('hex'));
  });

  it('finds an _id that is not the first element', () => {
    expect(exactIdOf(rawOf([['a', 1], ['_id', new Int32(5)]]))).toEqual(new Int32(5));
  });

  it('keeps the field order of an embedded-document _id', () => {
    expect(exactIdOf(rawOf([['_id', new Map<string, unknown>([['b', 1], ['a', 2]])]]))).toEqual(new Map([['b', new Int32(1)], ['a', new Int32(2)]]));
  });

  it('does not mistake a field named like _id for it', () => {
    expect(exactIdOf(rawOf([['_idx', 1]]))).toBeUndefined();
  });

  it('copies an ObjectId _id out of the document bytes', () => {
    const raw = Buffer.from(BSON.serialize({ _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }));
    const id = exactIdOf(raw) as ObjectId;
    raw.fill(0);
    expect(id.toHexString()).toBe('64b7f0c2a1b2c3d4e5f60718');
  });
});
