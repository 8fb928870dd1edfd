import { Int32, serialize, type Document } from 'bson';
import { applyOplogDiff, oplogDiff } from '../../../harness/engine/oplog_diff.js';
import { randomFor, randomInt, type Random } from '../../../tools/random.js';

const LONG = 'a string long enough that a sub-diff is smaller than the value';

describe('oplogDiff', () => {
  // Expected entries follow mongod 7.0's document_diff_calculator.cpp / document_diff_serialization.cpp.
  it.each<[string, Document, Document, Document]>([
    ['updates a changed field in place', { _id: 1, a: 1 }, { _id: 1, a: 2 }, { u: { a: 2 } }],
    ['inserts a new field at the end', { _id: 1 }, { _id: 1, b: 1 }, { i: { b: 1 } }],
    ['deletes a field from the middle', { _id: 1, a: 1, b: 2 }, { _id: 1, b: 2 }, { d: { a: false } }],
    ['deletes a trailing field', { _id: 1, a: 1, b: 2 }, { _id: 1, a: 1 }, { d: { b: false } }],
    ['updates a field whose type changed', { _id: 1, a: 1 }, { _id: 1, a: 'x' }, { u: { a: 'x' } }],
    ['logs a moved field as an insert', { _id: 1, a: 1, b: 2 }, { _id: 1, b: 2, a: 1 }, { i: { a: 1 } }],
    ['lists mid-document deletions in byte order', { _id: 1, z: 1, y: 1, a: 1 }, { _id: 1, a: 1 }, { d: { y: false, z: false } }],
    ['puts sections in the order d, u, i, s',
      { _id: 1, a: 1, b: 1, c: { x: LONG, y: 1 } }, { _id: 1, b: 2, c: { x: LONG, y: 2 }, n: 1 },
      { d: { a: false }, u: { b: 2 }, i: { n: 1 }, sc: { u: { y: 2 } } }],
    ['diffs into a large embedded document', { _id: 1, a: { b: 1, c: LONG } }, { _id: 1, a: { b: 2, c: LONG } },
      { sa: { u: { b: 2 } } }],
    ['logs a small embedded document whole (its sub-diff would be larger)', { _id: 1, a: { x: 1, y: 1 } },
      { _id: 1, a: { x: 1, y: 2 } }, { u: { a: { x: 1, y: 2 } } }],
    ['logs an appended array element as u<index>', { _id: 1, arr: [1, 2, 3] }, { _id: 1, arr: [1, 2, 3, 4] },
      { sarr: { a: true, u3: 4 } }],
    ['logs an array truncation with l', { _id: 1, array: ['foo', { a: 'bar' }, 1, 2, 3] },
      { _id: 1, array: ['foo', { a: 'bar' }] }, { sarray: { a: true, l: 2 } }],
    ['diffs into an array element document', { _id: 1, arr: [{ x: 1, big: LONG }] }, { _id: 1, arr: [{ x: 2, big: LONG }] },
      { sarr: { a: true, s0: { u: { x: 2 } } } }],
    ['compares values by bytes (1 and 1.0 differ)', { _id: 1, a: new Int32(1) }, { _id: 1, a: 1.5 }, { u: { a: 1.5 } }],
  ])('%s', (_name, before, after, diff) => {
    const o = oplogDiff(before, after);
    expect(o.$v).toBe(2);
    expect(Buffer.from(serialize(o.diff)).equals(Buffer.from(serialize(diff)))).toBe(true);
  });

  // With the update's paths, as v2_log_builder.cpp logs modifier updates.
  it.each<[string, Document, Document, string[], Document]>([
    ['logs a $set of a nested path as a sub-diff, however small', { _id: 1, a: { 1: 1 } }, { _id: 1, a: { 1: 2 } },
      ['a.1'], { sa: { u: { 1: 2 } } }],
    ['logs a $set of a whole embedded document as its value', { _id: 1, a: { x: 1, y: LONG } },
      { _id: 1, a: { x: 1, y: 'z' } }, ['a'], { u: { a: { x: 1, y: 'z' } } }],
    ['logs elements appended to a non-empty array', { _id: 1, arr: [1] }, { _id: 1, arr: [1, 2, 3] }, ['arr'],
      { sarr: { a: true, u1: 2, u2: 3 } }],
    ['logs a push onto an empty array as the whole array', { _id: 1, arr: [] }, { _id: 1, arr: [1] }, ['arr'],
      { u: { arr: [1] } }],
    ['logs a $pull as the whole array', { _id: 1, arr: [1, 2, 3] }, { _id: 1, arr: [1, 3] }, ['arr'],
      { u: { arr: [1, 3] } }],
    ['follows positional paths into array elements', { _id: 1, arr: [{ x: 1 }, { x: 1 }] },
      { _id: 1, arr: [{ x: 1 }, { x: 2 }] }, ['arr.$.x'], { sarr: { a: true, s1: { u: { x: 2 } } } }],
    ['logs created and unset fields as inserts and deletions', { _id: 1, a: { b: 1 }, c: 1 },
      { _id: 1, a: { b: 1, n: { m: 1 } } }, ['a.n.m', 'c'], { d: { c: false }, sa: { i: { n: { m: 1 } } } }],
  ])('%s', (_name, before, after, paths, diff) => {
    const o = oplogDiff(before, after, paths);
    expect(Buffer.from(serialize(o.diff)).equals(Buffer.from(serialize(diff)))).toBe(true);
  });

  it('gives an empty diff for identical documents', () => {
    expect(oplogDiff({ _id: 1, a: [1, { b: 2 }] }, { _id: 1, a: [1, { b: 2 }] })).toEqual({ $v: 2, diff: {} });
  });
});

function randomValue(random: Random, depth: number): unknown {
  switch (randomInt(random, depth > 2 ? 3 : 6)) {
    case 0: return randomInt(random, 5);
    case 1: return ['x', 'yy', LONG][randomInt(random, 3)];
    case 2: return randomInt(random, 2) === 0 ? null : true;
    case 3: return randomDocument(random, depth + 1);
    case 4: return Array.from({ length: randomInt(random, 5) }, () => randomValue(random, depth + 1));
    default: return randomDocument(random, depth + 1);
  }
}

function randomDocument(random: Random, depth: number): Document {
  const doc: Document = {};
  for (const name of ['a', 'b', 'c', 'd', 'e']) if (randomInt(random, 3) > 0) doc[name] = randomValue(random, depth);
  return doc;
}

/** A variation of `doc`: some fields changed, removed, moved or added, recursively. */
function mutate(random: Random, value: unknown): unknown {
  if (Array.isArray(value)) {
    const arr = value.map((v) => (randomInt(random, 3) === 0 ? mutate(random, v) : v));
    if (randomInt(random, 3) === 0) arr.length = randomInt(random, arr.length + 1);
    if (randomInt(random, 3) === 0) arr.push(randomValue(random, 2));
    return arr;
  }
  if (value !== null && typeof value === 'object') {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) {
      const roll = randomInt(random, 6);
      if (roll === 0) continue;
      out[k] = roll === 1 ? mutate(random, v) : v;
    }
    if (randomInt(random, 3) === 0) out[`n${randomInt(random, 3)}`] = randomValue(random, 2);
    return out;
  }
  return randomInt(random, 2) === 0 ? value : randomValue(random, 3);
}

describe('applyOplogDiff', () => {
  it.each(Array.from({ length: 60 }, (_, i) => i))('rebuilds the new version from the old one and the diff (seed item %i)', (i) => {
    const random = randomFor(i);
    const before = { _id: i, ...randomDocument(random, 0) };
    const after = { _id: i, ...(mutate(random, randomDocument(random, 0)) as Document) };
    const mutated = { _id: i, ...(mutate(random, before) as Document) };
    for (const target of [after, mutated]) {
      for (const paths of [undefined, ['a', 'b.c', 'c.$.d', 'e.0']]) {
        const rebuilt = applyOplogDiff(before, oplogDiff(before, target, paths).diff);
        expect(Buffer.from(serialize(rebuilt)).toString('hex')).toBe(Buffer.from(serialize(target)).toString('hex'));
      }
    }
  });
});
