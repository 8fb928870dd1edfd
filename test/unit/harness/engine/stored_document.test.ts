import { Int32, serialize, Timestamp } from 'bson';
import { StoredDocument } from '../../../harness/engine/stored_document.js';

const stored = (id: number) => StoredDocument.fromRaw(id, Buffer.from(serialize({ _id: new Int32(id), a: 'x' })));

describe('StoredDocument', () => {
  it('decodes without keeping the decoded document (only the last one decoded is reused)', () => {
    const first = stored(1);
    const second = stored(2);
    const once = first.decode();
    expect(once).toEqual({ _id: new Int32(1), a: 'x' });
    expect(first.decode()).toBe(once);
    second.decode();
    const again = first.decode();
    expect(again).toEqual(once);
    expect(again).not.toBe(once);
  });

  it('keeps the document decoded by doc, and decode gives that one', () => {
    const first = stored(1);
    const cached = first.doc;
    stored(2).decode();
    expect(first.decode()).toBe(cached);
    expect(first.doc).toBe(cached);
  });

  it('reads a lazily given _id from the bytes on first use', () => {
    const raw = Buffer.from(serialize({ a: 1, _id: 'k' }));
    expect(new StoredDocument(1, raw).id).toBe('k');
    expect(new StoredDocument(1, Buffer.from(serialize({ a: 1 }))).id).toBeUndefined();
  });

  it.each<[string, boolean]>([['from the bytes', false], ['from the cached decoded form', true]])('reads one field %s', (_name, cached) => {
    const ts = new Timestamp({ t: 1700000000, i: 3 });
    const doc = new StoredDocument(1, Buffer.from(serialize({ op: 'i', o: { _id: 1, big: 'x'.repeat(100) }, ts, wall: new Date(5) })));
    if (cached) void doc.doc;
    expect(doc.field('ts')).toEqual(ts);
    expect(doc.field('wall')).toEqual(new Date(5));
    expect(doc.field('missing')).toBeUndefined();
  });
});
