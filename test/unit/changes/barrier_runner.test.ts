import type { Document } from 'mongodb';
import { barrierCommand } from '../../../src/changes/barrier_runner.js';
import type { BarrierOperation } from '../../../src/changes/event_translation.js';

const ns = { db: 'shop', coll: 'orders' };

describe('barrierCommand', () => {
  it.each<[string, BarrierOperation, { db: string; command: Document } | undefined]>([
    ['createCollection', { kind: 'createCollection', ns, options: { capped: true, size: 1 }, original: {} }, { db: 'shop', command: { create: 'orders', capped: true, size: 1 } }],
    ['createView', { kind: 'createView', ns, options: { viewOn: 'x', pipeline: [] } }, { db: 'shop', command: { create: 'orders', viewOn: 'x', pipeline: [] } }],
    ['drop', { kind: 'drop', ns }, { db: 'shop', command: { drop: 'orders' } }],
    ['rename (replacing the target)', { kind: 'rename', from: ns, to: { db: 'arch', coll: 'o' } }, { db: 'admin', command: { renameCollection: 'shop.orders', to: 'arch.o', dropTarget: true } }],
    ['dropDatabase', { kind: 'dropDatabase', db: 'shop' }, { db: 'shop', command: { dropDatabase: 1 } }],
    ['createIndexes', { kind: 'createIndexes', ns, indexes: [{ key: { a: 1 }, name: 'a_1' }], originals: [] }, { db: 'shop', command: { createIndexes: 'orders', indexes: [{ key: { a: 1 }, name: 'a_1' }] } }],
    ['dropIndexes', { kind: 'dropIndexes', ns, names: ['a_1'] }, { db: 'shop', command: { dropIndexes: 'orders', index: ['a_1'] } }],
    ['collMod', { kind: 'collMod', ns, changes: { validator: {} }, original: {} }, { db: 'shop', command: { collMod: 'orders', validator: {} } }],
    ['collMod with nothing to change now', { kind: 'collMod', ns, changes: {}, original: { cappedSize: 5 } }, undefined],
    ['resync into the filtered set (the copy is not a command)', { kind: 'resync', ns }, undefined],
    ['resync of a renamed collection drops its old name', { kind: 'resync', ns, renamedFrom: { db: 'shop', coll: 'old' } }, { db: 'shop', command: { drop: 'old' } }],
  ])('%s', (_name, operation, expected) => {
    expect(barrierCommand(operation)).toEqual(expected);
  });
});
