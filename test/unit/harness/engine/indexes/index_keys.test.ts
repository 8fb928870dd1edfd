import { Double, Int32, Long, type Document } from 'bson';
import { compareIndexKeys, extractIndexKeys, lacksAllKeyFields } from '../../../../harness/engine/indexes/index_keys.js';

describe('extractIndexKeys', () => {
  it.each<[string, Document, Document, unknown[][]]>([
    ['a scalar', { a: 1 }, { a: 1 }, [[1]]],
    ['a missing field as null', {}, { a: 1 }, [[null]]],
    ['each array element', { a: [1, 2, 2] }, { a: 1 }, [[1], [2]]],
    ['an empty array as undefined', { a: [] }, { a: 1 }, [[undefined]]],
    ['a dotted path through an array of documents', { a: [{ b: 1 }, { b: 2 }, {}] }, { 'a.b': 1 }, [[1], [2], [null]]],
    ['a compound key with one array', { a: [1, 2], b: 'x' }, { a: 1, b: -1 }, [[1, 'x'], [2, 'x']]],
    ['a positional path component', { a: [{ b: 5 }, { b: 6 }] }, { 'a.1.b': 1 }, [[6]]],
  ])('yields %s', (_name, doc, keyPattern, expected) => {
    expect(extractIndexKeys(doc, keyPattern)).toEqual(expected);
  });

  it('refuses parallel arrays (CannotIndexParallelArrays)', () => {
    expect(() => extractIndexKeys({ a: [1], b: [2] }, { a: 1, b: 1 })).toThrow(expect.objectContaining({ code: 171 }));
  });
});

describe('compareIndexKeys', () => {
  it.each<[unknown[], unknown[]]>([
    [[1], [new Double(1)]],
    [[new Int32(1)], [Long.fromNumber(1)]],
    [[null, 'a'], [null, 'a']],
  ])('finds %j and %j equal', (a, b) => {
    expect(compareIndexKeys(a, b)).toBe(0);
  });

  it('orders an empty array (undefined) before null', () => {
    expect(compareIndexKeys([undefined], [null])).toBeLessThan(0);
  });
});

describe('lacksAllKeyFields', () => {
  it.each<[Document, Document, boolean]>([
    [{}, { a: 1 }, true],
    [{ a: null }, { a: 1 }, false],
    [{ b: 1 }, { a: 1, b: 1 }, false],
    [{ a: [] }, { a: 1 }, false],
  ])('for %j under %j is %s', (doc, keyPattern, expected) => {
    expect(lacksAllKeyFields(doc, keyPattern)).toBe(expected);
  });
});
