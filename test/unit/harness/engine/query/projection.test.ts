import { Int32, serialize, type Document } from 'bson';
import { compileProjection } from '../../../../harness/engine/query/projection.js';
import { CommandError } from '../../../../harness/errors.js';

const i = (n: number): Int32 => new Int32(n);
const hex = (d: Document): string => Buffer.from(serialize(d)).toString('hex');

const doc: Document = { _id: i(1), a: i(1), b: { c: i(2), d: i(3) }, e: [{ f: i(1), g: i(2) }, i(5), { f: i(3) }], h: [i(1), i(2), i(3), i(4)] };

// Expected outputs follow mongod 7.0's find projection rules (manual: "Project Fields to Return from Query").
const cases: [string, Document, Document, Document?][] = [
  ['inclusion keeps _id and document order', { b: 1, a: 1 }, { _id: i(1), a: i(1), b: { c: i(2), d: i(3) } }],
  ['inclusion without _id', { a: 1, _id: 0 }, { a: i(1) }],
  ['_id alone', { _id: 1 }, { _id: i(1) }],
  ['exclusion', { b: 0, e: 0, h: 0 }, { _id: i(1), a: i(1) }],
  ['dotted inclusion', { 'b.c': 1 }, { _id: i(1), b: { c: i(2) } }],
  ['embedded specification', { b: { d: 1 } }, { _id: i(1), b: { d: i(3) } }],
  ['inclusion through an array drops scalars', { 'e.f': 1 }, { _id: i(1), e: [{ f: i(1) }, { f: i(3) }] }],
  ['dotted exclusion through an array', { 'e.f': 0, a: 0, b: 0, h: 0 }, { _id: i(1), e: [{ g: i(2) }, i(5), {}] }],
  ['$slice alone keeps other fields', { h: { $slice: 2 }, e: 0, b: 0 }, { _id: i(1), a: i(1), h: [i(1), i(2)] }],
  ['$slice negative', { h: { $slice: -1 }, a: 1 }, { _id: i(1), a: i(1), h: [i(4)] }],
  ['$slice skip and limit', { h: { $slice: [1, 2] }, _id: 0, a: 1 }, { a: i(1), h: [i(2), i(3)] }],
  ['$elemMatch', { e: { $elemMatch: { f: { $gt: 1 } } } }, { _id: i(1), e: [{ f: i(3) }] }],
  ['literal value', { x: 'lit', a: 1 }, { _id: i(1), a: i(1), x: 'lit' }],
  ['expression value', { twice: { $add: ['$a', '$a'] } }, { _id: i(1), twice: i(2) }],
  ['field path value', { c: '$b.c' }, { _id: i(1), c: i(2) }],
];

describe('compileProjection', () => {
  it.each(cases)('%s', (_name, projection, expected) => {
    expect(hex(compileProjection(projection)(doc))).toBe(hex(expected));
  });

  it('returns the element the query matched for a positional projection', () => {
    const project = compileProjection({ 'h.$': 1 }, { filter: { h: { $gte: i(3) } } });
    expect(hex(project(doc))).toBe(hex({ _id: i(1), h: [i(3)] }));
  });

  it.each([
    ['exclusion in inclusion', { a: 1, b: 0 }, 31254, 'Cannot do exclusion on field b in inclusion projection'],
    ['inclusion in exclusion', { a: 0, b: 1 }, 31253, 'Cannot do inclusion on field b in exclusion projection'],
    ['path collision', { a: 1, 'a.b': 1 }, 31250, 'Path collision at a.b'],
  ])('refuses %s', (_name, projection, code, message) => {
    let caught: unknown;
    try {
      compileProjection(projection as Document);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandError);
    expect((caught as CommandError).code).toBe(code);
    expect((caught as CommandError).message).toBe(message);
  });
});
