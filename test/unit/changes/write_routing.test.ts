import { Binary, Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { combineWrites, routingKey, valueKey, writerFor, type KeyedWrite } from '../../../src/changes/write_routing.js';
import type { DocumentWrite } from '../../../src/changes/event_translation.js';

const ns = { db: 'shop', coll: 'orders' };

describe('routingKey', () => {
  it.each<[string, unknown, unknown]>([
    ['Int32 and Double of one value', new Int32(1), new Double(1)],
    ['Long and number', Long.fromNumber(7), 7],
    ['Decimal128 and Double', Decimal128.fromString('1.10'), new Double(1.1)],
    ['0 and -0', new Double(-0), 0],
    ['numbers inside embedded documents', { a: new Int32(2) }, { a: new Double(2) }],
  ])('routes MongoDB-equal _ids together: %s', (_name, a, b) => {
    expect(routingKey(ns, a)).toBe(routingKey(ns, b));
  });

  it.each<[string, unknown, unknown]>([
    ['a string and a number', '1', 1],
    ['embedded documents with another field order', new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]])],
    ['two ObjectIds', new ObjectId('64b000000000000000000001'), new ObjectId('64b000000000000000000002')],
    ['binary subtypes', new Binary(Buffer.from('a'), 0), new Binary(Buffer.from('a'), 4)],
  ])('keeps different _ids apart: %s', (_name, a, b) => {
    expect(routingKey(ns, a)).not.toBe(routingKey(ns, b));
  });

  it('separates namespaces', () => {
    expect(routingKey(ns, 1)).not.toBe(routingKey({ db: 'shop', coll: 'users' }, 1));
  });
});

describe('valueKey (exact)', () => {
  it.each<[string, unknown, unknown]>([
    ['Int32 and Double', new Int32(1), new Double(1)],
    ['Longs beyond 2^53', Long.fromString('9007199254740993'), Long.fromString('9007199254740992')],
  ])('keeps %s apart', (_name, a, b) => {
    expect(valueKey(a, false)).not.toBe(valueKey(b, false));
  });

  it('is the same for a Map and an object with the same fields in the same order', () => {
    expect(valueKey(new Map<string, unknown>([['a', 1], ['b', 'x']]), false)).toBe(valueKey({ a: 1, b: 'x' }, false));
  });
});

describe('writerFor', () => {
  it('is stable and within range', () => {
    for (let i = 0; i < 200; i++) {
      const key = routingKey(ns, i);
      const writer = writerFor(key, 7);
      expect(writer).toBeGreaterThanOrEqual(0);
      expect(writer).toBeLessThan(7);
      expect(writerFor(key, 7)).toBe(writer);
    }
  });

  it('spreads keys over every writer', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => writerFor(routingKey(ns, i), 8)));
    expect(used.size).toBe(8);
  });
});

describe('combineWrites', () => {
  const filter = (id: number) => ({ _id: id });
  const replace = (id: number, v: number): DocumentWrite => ({ kind: 'replace', filter: filter(id), replacement: { _id: id, v } });
  const del = (id: number): DocumentWrite => ({ kind: 'delete', filter: filter(id) });
  const update = (id: number, v: number): DocumentWrite => ({ kind: 'update', filter: filter(id), update: { $set: { v } }, bestEffort: true });
  const keyed = (write: DocumentWrite, tag: number): KeyedWrite<number> => ({ exactKey: valueKey((write.filter as Document)._id, false), write, tag });

  it.each<[string, DocumentWrite[], number[]]>([
    ['keeps the last replacement of a hot document', [replace(1, 1), replace(1, 2), replace(1, 3)], [2]],
    ['keeps deltas after the last total write', [replace(1, 1), update(1, 2), update(1, 3)], [0, 1, 2]],
    ['drops deltas before a total write', [update(1, 2), update(1, 3), del(1)], [2]],
    ['keeps the writes of other documents', [replace(1, 1), replace(2, 1), del(1), update(2, 5)], [1, 2, 3]],
    ['keeps everything without a later total write', [update(1, 1), update(1, 2)], [0, 1]],
  ])('%s', (_name, writes, keptIndexes) => {
    const { kept, dropped } = combineWrites(writes.map(keyed));
    expect(kept.map((k) => k.tag)).toEqual(keptIndexes);
    expect(kept.length + dropped.length).toBe(writes.length);
  });
});
