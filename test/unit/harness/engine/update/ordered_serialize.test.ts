import { deserialize, Int32, serialize } from 'bson';
import { serializeInOrder } from '../../../../harness/engine/update/ordered_serialize.js';
import { EXACT_DECODE } from '../../../../harness/bson/raw_bson.js';
import { rawElements } from '../../../../harness/bson/raw_bson.js';

const names = (raw: Buffer): string[] => [...rawElements(raw)].map((e) => e.name);

describe('serializeInOrder', () => {
  it('restores the stored order of integer-like keys that JS objects move first', () => {
    const original = Buffer.from(serialize({ name: 'x', '2024': new Int32(1) }));
    // Hand-built bytes: name first, then "2024" (serialize of a JS object would put "2024" first).
    const stored = Buffer.concat([
      Buffer.from([0, 0, 0, 0]),
      Buffer.from([0x02]), Buffer.from('name\0'), Buffer.from([2, 0, 0, 0]), Buffer.from('x\0'),
      Buffer.from([0x10]), Buffer.from('2024\0'), Buffer.from([1, 0, 0, 0]),
      Buffer.from([0]),
    ]);
    stored.writeInt32LE(stored.length, 0);
    void original;
    const doc = deserialize(stored, EXACT_DECODE);
    expect(Object.keys(doc)).toEqual(['2024', 'name']);
    const out = serializeInOrder({ ...doc, extra: true }, stored);
    expect(names(out)).toEqual(['name', '2024', 'extra']);
    expect(serializeInOrder(doc, stored).equals(stored)).toBe(true);
  });

  it('puts _id first for a replacement that has none', () => {
    const hint = Buffer.from(serialize({ b: 1 }));
    expect(names(serializeInOrder({ _id: 1, b: 1, '5': 2 }, hint, true))).toEqual(['_id', 'b', '5']);
  });

  it('uses the bson library when no key is integer-like', () => {
    const doc = { a: 1, b: [1, { c: 2 }] };
    expect(serializeInOrder(doc, undefined).equals(Buffer.from(serialize(doc)))).toBe(true);
  });
});
