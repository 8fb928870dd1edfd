import { describe, expect, it } from '@jest/globals';
import { BSONRegExp, Double, Int32, Long, type Document } from 'mongodb';
import { SYNC_CAPPED_SIZE_BYTES } from '../../../src/catalog/collection_rules.js';
import { SYNC_TTL_SECONDS } from '../../../src/catalog/index_rules.js';
import {
  compareIndexes,
  compareOptions,
  expectedCollectionOptions,
  expectedIndexSpec,
  normalizeIndexSpec,
  specValuesEqual,
  type ComparisonMode,
  type IndexDifference,
} from '../../../src/verify/spec_comparison.js';

describe('specValuesEqual', () => {
  it.each([
    ['Int32 and Double of the same value', new Int32(5), new Double(5)],
    ['Long and JS number', Long.fromNumber(2147483647), 2147483647],
    ['large Long and JS number', Long.fromNumber(SYNC_CAPPED_SIZE_BYTES), SYNC_CAPPED_SIZE_BYTES],
    ['nested numbers of other types', { a: new Int32(1) }, { a: 1 }],
    ['arrays element by element', [{ $match: { x: new Int32(1) } }], [{ $match: { x: 1 } }]],
    ['strings', 'a', 'a'],
    ['regexes', new BSONRegExp('^a', 'i'), new BSONRegExp('^a', 'i')],
    ['two absent values', undefined, undefined],
    ['a Map and a document with the same fields in order', new Map([['a', 1], ['b', 2]]), { a: 1, b: 2 }],
  ])('is true for %s', (_name, a, b) => {
    expect(specValuesEqual(a, b)).toBe(true);
  });

  it.each([
    ['different numbers', new Int32(1), new Int32(2)],
    ['a number and a string', 1, '1'],
    ['a value and an absent one', 1, undefined],
    ['nested fields in another order (an index key)', { a: 1, b: 1 }, { b: 1, a: 1 }],
    ['arrays of different lengths', [1], [1, 2]],
    ['a document and an array', { 0: 1 }, [1]],
    ['regexes with other flags', new BSONRegExp('^a', 'i'), new BSONRegExp('^a', '')],
    ['true and 1', true, 1],
  ])('is false for %s', (_name, a, b) => {
    expect(specValuesEqual(a, b)).toBe(false);
  });
});

describe('expectedCollectionOptions', () => {
  it.each([
    ['a capped collection while syncing: 1 PiB, no max', { capped: true, size: 4096, max: 10 }, 'syncing', { capped: true, size: SYNC_CAPPED_SIZE_BYTES }],
    ['a capped collection once committed: as on the source', { capped: true, size: 4096, max: 10 }, 'committed', { capped: true, size: 4096, max: 10 }],
    ['a view: unchanged', { viewOn: 'c', pipeline: [] }, 'syncing', { viewOn: 'c', pipeline: [] }],
  ] as [string, Document, ComparisonMode, Document][])('gives %s', (_name, source, mode, expected) => {
    expect(expectedCollectionOptions(source, mode)).toEqual(expected);
  });
});

describe('expectedIndexSpec', () => {
  const unique = { v: 2, key: { a: 1 }, name: 'a_1', unique: true };
  const ttl = { v: 2, key: { t: 1 }, name: 't_1', expireAfterSeconds: 60 };
  const hidden = { v: 2, key: { h: -1 }, name: 'h_-1', hidden: true, sparse: true };
  const legacy = { v: 1, key: { l: 0 }, name: 'l_0', background: true, safe: true };

  it.each([
    ['unique -> non-unique while syncing', unique, 'syncing', { key: { a: 1 }, name: 'a_1', v: 2 }],
    ['unique kept once committed', unique, 'committed', { key: { a: 1 }, name: 'a_1', v: 2, unique: true }],
    ['TTL -> 2147483647 while syncing', ttl, 'syncing', { key: { t: 1 }, name: 't_1', v: 2, expireAfterSeconds: SYNC_TTL_SECONDS }],
    ['TTL kept once committed', ttl, 'committed', { key: { t: 1 }, name: 't_1', v: 2, expireAfterSeconds: 60 }],
    ['hidden -> visible while syncing', hidden, 'syncing', { key: { h: -1 }, name: 'h_-1', v: 2, sparse: true }],
    ['hidden kept once committed', hidden, 'committed', { key: { h: -1 }, name: 'h_-1', v: 2, sparse: true, hidden: true }],
    ['legacy key value and refused option fixed in both modes', legacy, 'committed', { key: { l: 1 }, name: 'l_0', v: 1 }],
    [
      "a clustered collection's _id index as it is while syncing",
      { v: 2, key: { _id: 1 }, name: '_id_', unique: true, clustered: true },
      'syncing',
      { v: 2, key: { _id: 1 }, name: '_id_', unique: true, clustered: true },
    ],
  ] as [string, Document, ComparisonMode, Document][])('%s', (_name, source, mode, expected) => {
    expect(expectedIndexSpec(source, mode)).toEqual(expected);
  });
});

describe('normalizeIndexSpec', () => {
  it.each([
    ['drops v, ns and background', { v: 2, ns: 'd.c', background: true, key: { a: 1 }, name: 'a_1' }, { key: { a: 1 }, name: 'a_1' }],
    ['drops boolean options set to false', { key: { a: 1 }, name: 'a_1', unique: false, sparse: false, hidden: false }, { key: { a: 1 }, name: 'a_1' }],
    ['drops prepareUnique on a unique index', { key: { a: 1 }, name: 'a_1', unique: true, prepareUnique: true }, { key: { a: 1 }, name: 'a_1', unique: true }],
    ['keeps prepareUnique alone', { key: { a: 1 }, name: 'a_1', prepareUnique: true }, { key: { a: 1 }, name: 'a_1', prepareUnique: true }],
  ])('%s', (_name, spec, expected) => {
    expect(normalizeIndexSpec(spec)).toEqual(expected);
  });
});

describe('compareOptions', () => {
  it('ignores the order of top-level fields and number types', () => {
    expect(compareOptions({ capped: true, size: 4096 }, { size: new Long(4096), capped: true })).toEqual([]);
  });

  it('lists each differing, missing or extra field', () => {
    expect(
      compareOptions(
        { viewOn: 'c', pipeline: [{ $match: { a: 1 } }] },
        { viewOn: 'c', pipeline: [{ $match: { a: 2 } }], collation: { locale: 'fr' } },
      ),
    ).toEqual([
      { field: 'pipeline', expected: [{ $match: { a: 1 } }], actual: [{ $match: { a: 2 } }] },
      { field: 'collation', expected: undefined, actual: { locale: 'fr' } },
    ]);
  });
});

describe('compareIndexes', () => {
  const id = { v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_' };
  const a = { v: new Int32(2), key: { a: new Int32(1) }, name: 'a_1', unique: true };
  const syncedA = { v: new Int32(2), key: { a: new Int32(1) }, name: 'a_1' };

  it.each([
    ['equal when the destination has the sync-time form', [id, a], [id, syncedA], 'syncing', []],
    ['equal when the destination has the original once committed', [id, a], [id, a], 'committed', []],
    ['ignores index order and v', [a, id], [{ ...id, v: new Int32(1) }, syncedA], 'syncing', []],
  ] as [string, Document[], Document[], ComparisonMode, IndexDifference[]][])('is %s', (_name, source, destination, mode, expected) => {
    expect(compareIndexes(source, destination, mode)).toEqual(expected);
  });

  it('reports the unique option when the destination is still in sync-time form after commit', () => {
    expect(compareIndexes([id, a], [id, syncedA], 'committed')).toEqual([
      {
        name: 'a_1',
        difference: 'specDiffers',
        expected: { key: { a: new Int32(1) }, name: 'a_1', unique: true },
        actual: { key: { a: new Int32(1) }, name: 'a_1' },
        fields: [{ field: 'unique', expected: true, actual: undefined }],
      },
    ]);
  });

  it('reports missing and extra indexes, sorted by name', () => {
    const b: Document = { v: 2, key: { b: 1 }, name: 'b_1' };
    const differences = compareIndexes([id, a], [id, b], 'syncing');
    expect(differences.map((d) => [d.name, d.difference])).toEqual([
      ['a_1', 'missingOnDestination'],
      ['b_1', 'extraOnDestination'],
    ]);
  });

  it('reports a key in another order', () => {
    const ab = { key: { a: 1, b: 1 }, name: 'ab' };
    const ba = { key: { b: 1, a: 1 }, name: 'ab' };
    expect(compareIndexes([ab], [ba], 'committed')[0]?.fields?.map((f) => f.field)).toEqual(['key']);
  });

  it('expects only the _id index with buildIndexes: never', () => {
    expect(compareIndexes([id, a], [id], 'syncing', 'idOnly')).toEqual([]);
    expect(compareIndexes([id, a], [id, syncedA], 'syncing', 'idOnly').map((d) => d.difference)).toEqual(['extraOnDestination']);
  });
});
