import { Int32 } from 'mongodb';
import { indexForSync, isIdIndex, SYNC_TTL_SECONDS } from '../../../src/catalog/index_rules.js';
import { collectionOptionsForSync, SYNC_CAPPED_SIZE_BYTES } from '../../../src/catalog/collection_rules.js';

describe('indexForSync', () => {
  it.each([
    ['unique becomes non-unique', { v: 2, key: { a: 1 }, name: 'a_1', unique: true }, { key: { a: 1 }, name: 'a_1', v: 2 }],
    ['TTL gets the largest expireAfterSeconds', { v: 2, key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }, { key: { at: 1 }, name: 'at_1', v: 2, expireAfterSeconds: SYNC_TTL_SECONDS }],
    ['hidden becomes visible', { v: 2, key: { b: -1 }, name: 'b_-1', hidden: true }, { key: { b: -1 }, name: 'b_-1', v: 2 }],
    ['prepareUnique is dropped with unique', { v: 2, key: { c: 1 }, name: 'c_1', prepareUnique: true }, { key: { c: 1 }, name: 'c_1', v: 2 }],
    ['partial, sparse and collation are kept', { v: 2, key: { d: 1 }, name: 'd_1', sparse: true, partialFilterExpression: { d: { $gt: 0 } }, collation: { locale: 'fr' } },
      { key: { d: 1 }, name: 'd_1', v: 2, sparse: true, partialFilterExpression: { d: { $gt: 0 } }, collation: { locale: 'fr' } }],
    ['ns and background are dropped silently', { v: 1, key: { e: 1 }, name: 'e_1', ns: 'db.c', background: true }, { key: { e: 1 }, name: 'e_1', v: 1 }],
  ])('%s', (_name, original, expected) => {
    const { spec, warnings } = indexForSync(original);
    expect(spec).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['0', { a: 0 }],
    ['""', { a: '' }],
    ['Int32 0', { a: new Int32(0) }],
  ])('turns the legacy key value %s into 1 with a warning', (_value, key) => {
    const { spec, warnings } = indexForSync({ v: 2, key, name: 'a_0' });
    expect(spec.key).toEqual({ a: 1 });
    expect(warnings).toHaveLength(1);
  });

  it('keeps special index types and drops options mongod no longer accepts, with a warning', () => {
    const { spec, warnings } = indexForSync({ v: 2, key: { t: 'text', h: 'hashed' }, name: 't', dropDups: true });
    expect(spec).toEqual({ key: { t: 'text', h: 'hashed' }, name: 't', v: 2 });
    expect(warnings).toEqual(['index t: option dropDups is not accepted by mongod and was dropped']);
  });

  it('recognises the _id index', () => {
    expect(isIdIndex({ key: { _id: 1 }, name: '_id_' })).toBe(true);
    expect(isIdIndex({ key: { _id: 1, a: 1 }, name: '_id_1_a_1' })).toBe(false);
  });
});

describe('collectionOptionsForSync', () => {
  it('gives a capped collection the largest size and no document maximum', () => {
    expect(collectionOptionsForSync({ capped: true, size: 4096, max: 10, validator: { a: 1 } })).toEqual({ capped: true, size: SYNC_CAPPED_SIZE_BYTES, validator: { a: 1 } });
  });

  it('leaves other collections as they are, without changing its input', () => {
    const options = { validator: { a: 1 }, collation: { locale: 'en' } };
    expect(collectionOptionsForSync(options)).toEqual(options);
    const capped = { capped: true, size: 4096 };
    collectionOptionsForSync(capped);
    expect(capped).toEqual({ capped: true, size: 4096 });
  });
});
