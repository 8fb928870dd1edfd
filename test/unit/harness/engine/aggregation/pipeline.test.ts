import { Double, Int32, Long, type Document } from 'bson';
import { compilePipeline } from '../../../../../test/harness/engine/aggregation/pipeline.js';
import { applyUpdatePipeline } from '../../../../../test/harness/engine/aggregation/update_pipeline.js';

const int = (n: number): Int32 => new Int32(n);

function run(stages: Document[], docs: Document[]): Document[] {
  return compilePipeline(stages)(docs);
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code: number }).code;
  }
  return undefined;
}

const people: Document[] = [
  { _id: int(1), name: 'ann', age: int(30), tags: ['a', 'b'], addr: { city: 'Oslo', zip: '01' } },
  { _id: int(2), name: 'bob', age: int(20), tags: [], addr: { city: 'Rome' } },
  { _id: int(3), name: 'cid', age: new Double(40.5), addr: [{ city: 'Lima' }, 5] },
];

describe('compilePipeline: reshaping stages', () => {
  it.each([
    ['inclusion keeps _id and input order', { $project: { age: 1, name: 1 } }, { _id: int(1), name: 'ann', age: int(30) }],
    ['exclusion', { $project: { tags: 0, addr: 0, _id: 0 } }, { name: 'ann', age: int(30) }],
    ['computed fields come after kept ones', { $project: { _id: 0, n: '$name', age: 1 } }, { age: int(30), n: 'ann' }],
    ['nested inclusion', { $project: { 'addr.city': 1, _id: 0 } }, { addr: { city: 'Oslo' } }],
    ['nested object spec', { $project: { addr: { zip: 1 }, _id: 0 } }, { addr: { zip: '01' } }],
    ['$$REMOVE drops a field', { $project: { name: 1, x: '$$REMOVE' } }, { _id: int(1), name: 'ann' }],
    ['$addFields replaces in place', { $addFields: { name: { $toUpper: '$name' }, 'addr.country': 'NO' } }, {
      _id: int(1), name: 'ANN', age: int(30), tags: ['a', 'b'], addr: { city: 'Oslo', zip: '01', country: 'NO' },
    }],
    ['$unset', { $unset: ['tags', 'addr.zip'] }, { _id: int(1), name: 'ann', age: int(30), addr: { city: 'Oslo' } }],
    ['$replaceWith', { $replaceWith: '$addr' }, { city: 'Oslo', zip: '01' }],
  ])('%s', (_name, stage, expected) => {
    expect(run([{ $match: { _id: int(1) } }, stage], people)).toEqual([expected]);
  });

  it('applies a nested inclusion to each array element, dropping scalars', () => {
    expect(run([{ $match: { _id: int(3) } }, { $project: { 'addr.city': 1, _id: 0 } }], people)).toEqual([{ addr: [{ city: 'Lima' }] }]);
  });

  it.each([
    [{ $project: {} }, 51272],
    [{ $project: { a: 1, b: 0 } }, 31254],
    [{ $project: { a: 0, b: 1 } }, 31253],
    [{ $project: { a: 1, 'a.b': 1 } }, 31250],
    [{ $replaceRoot: { newRoot: '$name' } }, 40228],
    [{ $limit: int(0) }, 15958],
    [{ $skip: int(-1) }, 15956],
    [{ $sort: {} }, 15976],
    [{ $unwind: 'tags' }, 28818],
    [{ $group: { total: { $sum: 1 } } }, 15955],
    [{ $group: { _id: null, x: { $bogus: 1 } } }, 15952],
    [{ $count: '$n' }, 40158],
    [{ $bogus: {} }, 40324],
  ])('%j fails with %i', (stage, code) => {
    expect(codeOf(() => run([stage], people))).toBe(code);
  });

  it('refuses $out anywhere but last (40601)', () => {
    expect(codeOf(() => compilePipeline([{ $out: 'x' }, { $match: {} }]))).toBe(40601);
  });
});

describe('compilePipeline: $unwind', () => {
  it('unwinds with includeArrayIndex as longs and preserves null and empty arrays without the field', () => {
    const out = run([{ $unwind: { path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } }, { $project: { tags: 1, i: 1 } }], people);
    expect(out).toEqual([
      { _id: int(1), tags: 'a', i: Long.fromNumber(0) },
      { _id: int(1), tags: 'b', i: Long.fromNumber(1) },
      { _id: int(2), i: null },
      { _id: int(3), i: null },
    ]);
  });

  it('drops documents without values by default', () => {
    expect(run([{ $unwind: '$tags' }], people).map((d) => d.tags)).toEqual(['a', 'b']);
  });
});

describe('compilePipeline: grouping', () => {
  const nums: Document[] = [
    { k: 'a', v: int(2147483647) }, { k: 'a', v: int(1) }, { k: 'b', v: new Double(1.5) }, { k: 'b', v: Long.fromNumber(2) },
    { k: 'c', v: 'text' }, { k: int(1), v: int(1) }, { k: new Double(1), v: int(2) },
  ];

  it('sums with overflow to long, ignores non-numbers, groups numerically equal keys together', () => {
    const out = run([{ $group: { _id: '$k', s: { $sum: '$v' }, n: { $sum: int(1) } } }], nums);
    expect(out).toEqual([
      { _id: 'a', s: Long.fromNumber(2147483648), n: int(2) },
      { _id: 'b', s: new Double(3.5), n: int(2) },
      { _id: 'c', s: int(0), n: int(1) },
      { _id: int(1), s: int(3), n: int(2) },
    ]);
  });

  it.each([
    ['$avg', { $avg: '$v' }, [new Double(1073741824), new Double(1.75), null, new Double(1.5)]],
    ['$min', { $min: '$v' }, [int(1), new Double(1.5), 'text', int(1)]],
    ['$max', { $max: '$v' }, [int(2147483647), Long.fromNumber(2), 'text', int(2)]],
    ['$first', { $first: '$v' }, [int(2147483647), new Double(1.5), 'text', int(1)]],
    ['$last', { $last: '$v' }, [int(1), Long.fromNumber(2), 'text', int(2)]],
    ['$push', { $push: '$v' }, [[int(2147483647), int(1)], [new Double(1.5), Long.fromNumber(2)], ['text'], [int(1), int(2)]]],
    ['$stdDevPop', { $stdDevPop: '$v' }, [new Double(1073741823), new Double(0.25), null, new Double(0.5)]],
    ['$stdDevSamp', { $stdDevSamp: '$v' }, [expect.any(Double), expect.any(Double), null, expect.any(Double)]],
  ])('%s', (_name, acc, expected) => {
    expect(run([{ $group: { _id: '$k', r: acc } }], nums).map((d) => d.r)).toEqual(expected);
  });

  it('groups by a compound _id and $addToSet dedupes by value', () => {
    const out = run([{ $group: { _id: { c: '$addr.city' }, names: { $addToSet: '$name' }, m: { $mergeObjects: '$addr' } } }], [people[0], people[1], people[0]]);
    expect(out[0]).toEqual({ _id: { c: 'Oslo' }, names: ['ann'], m: { city: 'Oslo', zip: '01' } });
  });

  it('$count, $sortByCount and $bucket', () => {
    expect(run([{ $count: 'n' }], people)).toEqual([{ n: int(3) }]);
    expect(run([{ $count: 'n' }], [])).toEqual([]);
    expect(run([{ $sortByCount: '$k' }], nums)[0]).toEqual({ _id: 'a', count: int(2) });
    expect(run([{ $bucket: { groupBy: '$age', boundaries: [int(0), int(25), int(100)], output: { names: { $push: '$name' } } } }], people)).toEqual([
      { _id: int(0), names: ['bob'] },
      { _id: int(25), names: ['ann', 'cid'] },
    ]);
    expect(codeOf(() => run([{ $bucket: { groupBy: '$age', boundaries: [int(0), int(25)] } }], people))).toBe(40066);
  });

  it('$bucketAuto splits sorted values into about equal buckets', () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ v: int(i) }));
    expect(run([{ $bucketAuto: { groupBy: '$v', buckets: int(3) } }], docs)).toEqual([
      { _id: { min: int(0), max: int(3) }, count: int(3) },
      { _id: { min: int(3), max: int(6) }, count: int(3) },
      { _id: { min: int(6), max: int(9) }, count: int(4) },
    ]);
  });
});

describe('compilePipeline: other stages', () => {
  it('$facet runs each sub-pipeline on the same input', () => {
    expect(run([{ $facet: { n: [{ $count: 'n' }], names: [{ $project: { _id: 0, name: 1 } }, { $limit: int(1) }] } }], people)).toEqual([
      { n: [{ n: int(3) }], names: [{ name: 'ann' }] },
    ]);
  });

  it('$redact descends, prunes and keeps', () => {
    const docs = [{ level: int(1), sub: { level: int(5), x: int(1) }, list: [{ level: int(0) }, { level: int(9) }] }];
    const out = run([{ $redact: { $cond: [{ $gt: ['$level', int(3)] }, '$$PRUNE', '$$DESCEND'] } }], docs);
    expect(out).toEqual([{ level: int(1), list: [{ level: int(0) }] }]);
  });

  it('$sample returns the requested number of distinct documents', () => {
    const out = run([{ $sample: { size: int(2) } }], people);
    expect(out).toHaveLength(2);
    expect(new Set(out.map((d) => d._id.value)).size).toBe(2);
  });

  it('restricts the stages after $changeStream', () => {
    expect(codeOf(() => compilePipeline([{ $group: { _id: null } }], undefined, { within: 'changeStream' }))).toBe(20);
    expect(compilePipeline([{ $match: { operationType: 'insert' } }, { $project: { _id: 1 } }], undefined, { within: 'changeStream' })([
      { _id: 'x', operationType: 'insert' }, { _id: 'y', operationType: 'delete' },
    ])).toEqual([{ _id: 'x' }]);
  });
});

describe('applyUpdatePipeline', () => {
  it.each([
    [[{ $set: { total: { $add: ['$a', '$b'] } } }], { _id: int(1), a: int(1), b: int(2), total: int(3) }],
    [[{ $unset: 'b' }, { $set: { c: '$$v' } }], { _id: int(1), a: int(1), c: 'let' }],
    [[{ $project: { a: 1 } }], { _id: int(1), a: int(1) }],
    [[{ $replaceWith: { _id: '$_id', sum: { $sum: ['$a', '$b'] } } }], { _id: int(1), sum: int(3) }],
  ])('%j', (pipeline, expected) => {
    expect(applyUpdatePipeline({ _id: int(1), a: int(1), b: int(2) }, pipeline as Document[], { v: 'let' })).toEqual(expected);
  });

  it('refuses stages an update pipeline may not hold', () => {
    expect(codeOf(() => applyUpdatePipeline({}, [{ $match: {} }]))).toBe(72);
  });
});

describe('compilePipeline: lazy input', () => {
  /** An input that records how many documents were read from it. */
  function counted(docs: Document[]): { input: Iterable<Document>; read: () => number } {
    let read = 0;
    return {
      input: (function* () {
        for (const doc of docs) {
          read++;
          yield doc;
        }
      })(),
      read: () => read,
    };
  }

  it('reads nothing when the first stage makes its own documents', () => {
    const { input, read } = counted(people);
    expect(compilePipeline([{ $documents: [{ a: int(1) }] }])(input)).toEqual([{ a: int(1) }]);
    expect(read()).toBe(0);
  });

  it.each<[string, Document[]]>([
    ['a first $match', [{ $match: { age: { $gte: 30 } } }, { $project: { name: 1 } }]],
    ['a first $match using $$NOW', [{ $match: { $expr: { $lt: ['$age', { $year: '$$NOW' }] } } }, { $sort: { name: -1 } }]],
    ['a first stage other than $match', [{ $project: { name: 1 } }, { $limit: 2 }]],
  ])('gives the same results from a lazy input as from an array with %s', (_name, stages) => {
    const { input, read } = counted(people);
    expect(compilePipeline(stages)(input)).toEqual(run(stages, people));
    expect(read()).toBe(people.length);
  });
});
