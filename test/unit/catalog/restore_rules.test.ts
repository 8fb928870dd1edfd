import { Double, Int32, Long, type Document } from 'mongodb';
import { restorePlan, syncRewritePlan, type CollectionDefinitions } from '../../../src/catalog/restore_rules.js';
import { SYNC_TTL_SECONDS } from '../../../src/catalog/index_rules.js';
import { SYNC_CAPPED_SIZE_BYTES } from '../../../src/catalog/collection_rules.js';

const ID = { v: 2, key: { _id: 1 }, name: '_id_' };
const defs = (indexes: Document[], options: Document = {}): CollectionDefinitions => ({ options, indexes: [ID, ...indexes] });
const mod = (name: string, change: Document): Document => ({ collMod: 'c', index: { name, ...change } });

describe('restorePlan', () => {
  it.each<[string, Document[], Document[], Document[], Document[]]>([
    ['unique: prepareUnique first, unique at the end',
      [{ key: { a: 1 }, name: 'a_1', unique: true }], [{ key: { a: 1 }, name: 'a_1' }],
      [mod('a_1', { prepareUnique: true })], [mod('a_1', { unique: true })]],
    ['unique already prepared (a commit run again): only the conversion',
      [{ key: { a: 1 }, name: 'a_1', unique: true }], [{ key: { a: 1 }, name: 'a_1', prepareUnique: true }],
      [], [mod('a_1', { unique: true })]],
    ['unique already converted: nothing',
      [{ key: { a: 1 }, name: 'a_1', unique: true }], [{ key: { a: 1 }, name: 'a_1', unique: true }],
      [], []],
    ['an original prepareUnique-only index gets prepareUnique back, after writes open',
      [{ key: { p: 1 }, name: 'p_1', prepareUnique: true }], [{ key: { p: 1 }, name: 'p_1' }],
      [], [mod('p_1', { prepareUnique: true })]],
    ['an original prepareUnique-only index that has it: nothing',
      [{ key: { p: 1 }, name: 'p_1', prepareUnique: true }], [{ key: { p: 1 }, name: 'p_1', prepareUnique: true }],
      [], []],
    ['TTL from the sync-time value back to the original',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 3600 }], [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS }],
      [], [mod('at_1', { expireAfterSeconds: 3600 })]],
    ['TTL of 0 is a value to restore, not an absence',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 0 }], [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS }],
      [], [mod('at_1', { expireAfterSeconds: 0 })]],
    ['TTL already equal: nothing',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 3600 }], [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 3600 }],
      [], []],
    ['TTL Int32 3600 and Double 3600 are the same value',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: new Int32(3600) }], [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: new Double(3600) }],
      [], []],
    ['TTL Long and Int32 of the same number are equal',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: Long.fromNumber(60) }], [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: new Int32(60) }],
      [], []],
    ['hidden hidden again',
      [{ key: { h: 1 }, name: 'h_1', hidden: true }], [{ key: { h: 1 }, name: 'h_1' }],
      [], [mod('h_1', { hidden: true })]],
    ['hidden already hidden: nothing',
      [{ key: { h: 1 }, name: 'h_1', hidden: true }], [{ key: { h: 1 }, name: 'h_1', hidden: true }],
      [], []],
    ['an index missing on the to-side is skipped',
      [{ key: { a: 1 }, name: 'a_1', unique: true, expireAfterSeconds: 5, hidden: true }], [],
      [], []],
    ['a plain index: nothing',
      [{ key: { b: 1 }, name: 'b_1' }], [{ key: { b: 1 }, name: 'b_1' }],
      [], []],
    ['unique, TTL and hidden on one index, in that order',
      [{ key: { x: 1 }, name: 'x_1', unique: true, expireAfterSeconds: 10, hidden: true }], [{ key: { x: 1 }, name: 'x_1', expireAfterSeconds: SYNC_TTL_SECONDS }],
      [mod('x_1', { prepareUnique: true })], [mod('x_1', { unique: true }), mod('x_1', { expireAfterSeconds: 10 }), mod('x_1', { hidden: true })]],
    ['several unique indexes are all prepared before any is converted',
      [{ key: { a: 1 }, name: 'a_1', unique: true }, { key: { b: 1 }, name: 'b_1', unique: true }],
      [{ key: { a: 1 }, name: 'a_1' }, { key: { b: 1 }, name: 'b_1' }],
      [mod('a_1', { prepareUnique: true }), mod('b_1', { prepareUnique: true })], [mod('a_1', { unique: true }), mod('b_1', { unique: true })]],
  ])('%s', (_name, original, current, prepare, finish) => {
    expect(restorePlan('c', defs(original), defs(current))).toEqual({ prepare, finish });
  });

  it('skips the _id index, whatever its spec says', () => {
    const original: CollectionDefinitions = { options: {}, indexes: [{ key: { _id: 1 }, name: '_id_', unique: true, hidden: true }] };
    const current: CollectionDefinitions = { options: {}, indexes: [{ key: { _id: 1 }, name: '_id_' }] };
    expect(restorePlan('c', original, current)).toEqual({ prepare: [], finish: [] });
  });

  it('keeps the original number type in the collMod it emits', () => {
    const ttl = new Int32(120);
    const plan = restorePlan('c', defs([{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: ttl }]), defs([{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS }]));
    expect(plan.finish[0]?.index.expireAfterSeconds).toBe(ttl);
  });

  it.each<[string, Document, Document, Document[]]>([
    ['capped size and max restored', { capped: true, size: 65536, max: 100 }, { capped: true, size: SYNC_CAPPED_SIZE_BYTES },
      [{ collMod: 'c', cappedSize: 65536, cappedMax: 100 }]],
    ['capped size without a max', { capped: true, size: 65536 }, { capped: true, size: SYNC_CAPPED_SIZE_BYTES },
      [{ collMod: 'c', cappedSize: 65536 }]],
    ['capped max alone differs', { capped: true, size: 65536, max: 100 }, { capped: true, size: 65536 },
      [{ collMod: 'c', cappedSize: 65536, cappedMax: 100 }]],
    ['capped already restored (Int32 vs Double)', { capped: true, size: new Int32(65536), max: new Int32(100) }, { capped: true, size: new Double(65536), max: 100 },
      []],
    ['not capped: nothing', {}, {}, []],
  ])('%s', (_name, originalOptions, currentOptions, finish) => {
    expect(restorePlan('c', defs([], originalOptions), defs([], currentOptions))).toEqual({ prepare: [], finish });
  });

  it('leaves its inputs alone', () => {
    const original = defs([{ key: { a: 1 }, name: 'a_1', unique: true }], { capped: true, size: 4096 });
    const current = defs([{ key: { a: 1 }, name: 'a_1' }], { capped: true, size: SYNC_CAPPED_SIZE_BYTES });
    const before = JSON.stringify([original, current]);
    restorePlan('c', original, current);
    expect(JSON.stringify([original, current])).toBe(before);
  });
});

describe('syncRewritePlan', () => {
  it.each<[string, Document[], Document[]]>([
    ['unique becomes non-unique through forceNonUnique (mongod refuses unique: false)',
      [{ key: { a: 1 }, name: 'a_1', unique: true }], [mod('a_1', { forceNonUnique: true })]],
    ['prepareUnique is turned off',
      [{ key: { p: 1 }, name: 'p_1', prepareUnique: true }], [mod('p_1', { prepareUnique: false })]],
    ['TTL gets the largest value',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 3600 }], [mod('at_1', { expireAfterSeconds: SYNC_TTL_SECONDS })]],
    ['TTL of 0 gets the largest value too',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 0 }], [mod('at_1', { expireAfterSeconds: SYNC_TTL_SECONDS })]],
    ['TTL already at the largest value: nothing',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS }], []],
    ['TTL already at the largest value as a Double: nothing',
      [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: new Double(SYNC_TTL_SECONDS) }], []],
    ['hidden becomes visible',
      [{ key: { h: 1 }, name: 'h_1', hidden: true }], [mod('h_1', { hidden: false })]],
    ['a plain index: nothing',
      [{ key: { b: 1 }, name: 'b_1' }], []],
    ['all rewrites of one index, in order',
      [{ key: { x: 1 }, name: 'x_1', unique: true, expireAfterSeconds: 5, hidden: true }],
      [mod('x_1', { forceNonUnique: true }), mod('x_1', { expireAfterSeconds: SYNC_TTL_SECONDS }), mod('x_1', { hidden: false })]],
  ])('%s', (_name, indexes, expected) => {
    expect(syncRewritePlan('c', defs(indexes))).toEqual(expected);
  });

  it('skips the _id index', () => {
    expect(syncRewritePlan('c', { options: {}, indexes: [{ key: { _id: 1 }, name: '_id_', unique: true }] })).toEqual([]);
  });

  it.each<[string, Document, Document[]]>([
    ['capped gets the largest size (its max is kept: collMod cannot remove one)', { capped: true, size: 65536, max: 100 },
      [{ collMod: 'c', cappedSize: SYNC_CAPPED_SIZE_BYTES }]],
    ['capped already at the largest size: nothing', { capped: true, size: SYNC_CAPPED_SIZE_BYTES }, []],
    ['capped already at the largest size as a Double: nothing', { capped: true, size: new Double(SYNC_CAPPED_SIZE_BYTES) }, []],
    ['not capped: nothing', { size: 65536 }, []],
  ])('%s', (_name, options, expected) => {
    expect(syncRewritePlan('c', defs([], options))).toEqual(expected);
  });

  it('is idempotent with restorePlan: rewritten definitions need no rewrite, original ones no restore', () => {
    const original = defs([
      { key: { a: 1 }, name: 'a_1', unique: true },
      { key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 },
      { key: { h: 1 }, name: 'h_1', hidden: true },
    ], { capped: true, size: 65536 });
    const rewritten = defs([
      { key: { a: 1 }, name: 'a_1' },
      { key: { at: 1 }, name: 'at_1', expireAfterSeconds: SYNC_TTL_SECONDS },
      { key: { h: 1 }, name: 'h_1' },
    ], { capped: true, size: SYNC_CAPPED_SIZE_BYTES });
    expect(syncRewritePlan('c', rewritten)).toEqual([]);
    expect(restorePlan('c', original, original)).toEqual({ prepare: [], finish: [] });
  });
});
