import { Double, Int32, type Document } from 'bson';
import { compileSort } from '../../../../harness/engine/query/sort.js';
import { CommandError } from '../../../../harness/errors.js';

const i = (n: number): Int32 => new Int32(n);

function order(docs: Document[], sort: Document): unknown[] {
  return [...docs].sort(compileSort(sort)).map((d) => d._id);
}

// mongod sorts an array field by its smallest element ascending and its largest descending; missing sorts as null,
// an empty array before null (manual: "sort: behavior", "comparison/sort order").
describe('compileSort', () => {
  const docs: Document[] = [
    { _id: 'a', v: i(5) },
    { _id: 'b', v: [i(1), i(9)] },
    { _id: 'c' },
    { _id: 'd', v: 'x' },
    { _id: 'e', v: [] },
    { _id: 'f', v: new Double(3.5) },
  ];

  it.each([
    ['ascending uses array minimum', { v: i(1) }, ['e', 'c', 'b', 'f', 'a', 'd']],
    ['descending uses array maximum', { v: i(-1) }, ['d', 'b', 'a', 'f', 'c', 'e']],
  ])('%s', (_name, sort, expected) => {
    expect(order(docs, sort)).toEqual(expected);
  });

  it('sorts by dotted paths through arrays of documents', () => {
    const rows = [{ _id: 1, a: [{ b: i(7) }, { b: i(2) }] }, { _id: 2, a: { b: i(3) } }];
    expect(order(rows, { 'a.b': 1 })).toEqual([1, 2]);
    expect(order(rows, { 'a.b': -1 })).toEqual([1, 2]);
  });

  it('breaks ties with later keys', () => {
    const rows = [{ _id: 1, a: i(1), b: i(2) }, { _id: 2, a: i(1), b: i(1) }];
    expect(order(rows, { a: 1, b: 1 })).toEqual([2, 1]);
  });

  it('refuses $meta sorts and bad directions', () => {
    expect(() => compileSort({ s: { $meta: 'textScore' } })).toThrow(CommandError);
    expect(() => compileSort({ a: i(2) })).toThrow('$sort key ordering must be 1 (for ascending) or -1 (for descending)');
  });
});

describe('compileSort with a collation', () => {
  it('orders strings by the collation', () => {
    const rows = [{ _id: 1, s: 'b' }, { _id: 2, s: 'B' }, { _id: 3, s: 'a' }, { _id: 4, s: 'item10' }, { _id: 5, s: 'item9' }];
    expect([...rows].sort(compileSort({ s: 1, _id: 1 })).map((d) => d._id)).toEqual([2, 3, 1, 4, 5]);
    const numeric = compileSort({ s: 1, _id: 1 }, { collation: { locale: 'en', strength: 2, numericOrdering: true } });
    expect([...rows].sort(numeric).map((d) => d._id)).toEqual([3, 1, 2, 5, 4]);
  });
});
