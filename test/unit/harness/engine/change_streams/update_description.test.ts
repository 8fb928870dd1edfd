import { Int32, type Document } from 'bson';
import { describeUpdate } from '../../../../harness/engine/change_streams/update_description.js';

describe('describeUpdate', () => {
  // Cases follow mongod's change_stream_document_diff_parser.cpp and the change-streams spec tests
  // ("Test array truncation", "disambiguatedPaths ...").
  it.each<[string, Document, Document, string[], Document[]]>([
    ['reports updated and inserted fields', { u: { a: 1 }, i: { b: 2 } }, { a: 1, b: 2 }, [], []],
    ['reports deletions as removedFields', { d: { a: false, b: false } }, {}, ['a', 'b'], []],
    ['prefixes fields of sub-diffs with their path', { sa: { u: { b: 1 }, d: { c: false } } }, { 'a.b': 1 }, ['a.c'], []],
    ['reports array elements by index', { sarr: { a: true, u3: 4, s0: { i: { x: 1 } } } }, { 'arr.3': 4, 'arr.0.x': 1 }, [], []],
    ['reports truncations', { sarray: { a: true, l: new Int32(2) } }, {}, [], [{ field: 'array', newSize: new Int32(2) }]],
    ['visits updates, inserts, then sub-diffs', { u: { z: 1 }, i: { y: 2 }, sa: { u: { b: 3 } } }, { z: 1, y: 2, 'a.b': 3 }, [], []],
  ])('%s', (_name, diff, updatedFields, removedFields, truncatedArrays) => {
    const d = describeUpdate(diff);
    expect(d.updatedFields).toEqual(updatedFields);
    expect(Object.keys(d.updatedFields)).toEqual(Object.keys(updatedFields));
    expect(d.removedFields).toEqual(removedFields);
    expect(d.truncatedArrays).toEqual(truncatedArrays);
    expect(d.disambiguatedPaths).toEqual({});
  });

  it.each<[string, Document, Document]>([
    ['a numeric field name after the first', { sa: { u: { 1: 2 } } }, { 'a.1': ['a', '1'] }],
    ['array indices as integers once the path is ambiguous', { sa: { a: true, s0: { u: { 1: 2 } } } },
      { 'a.0.1': ['a', new Int32(0), '1'] }],
    ['a field name containing a dot', { u: { 'x.y': 1 } }, { 'x.y': ['x.y'] }],
    ['nothing for array indices alone', { sa: { a: true, u0: 1 } }, {}],
    ['nothing for a numeric first field', { u: { 1: 1 } }, {}],
  ])('disambiguates %s', (_name, diff, disambiguatedPaths) => {
    expect(describeUpdate(diff).disambiguatedPaths).toEqual(disambiguatedPaths);
  });
});
