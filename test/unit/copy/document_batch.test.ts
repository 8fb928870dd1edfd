import { BSON } from 'mongodb';
import { DocumentBatch } from '../../../src/copy/document_batch.js';

const docs = [BSON.serialize({ _id: 1 }), BSON.serialize({ _id: 2, s: 'x'.repeat(100) }), BSON.serialize({ _id: 3, a: [1, 2] })];

describe('DocumentBatch', () => {
  it('lays documents end to end and gives each one back', () => {
    const batch = new DocumentBatch(8);
    for (const doc of docs) batch.append(doc);
    expect(batch.count).toBe(3);
    expect(batch.byteLength).toBe(docs.reduce((sum, d) => sum + d.length, 0));
    docs.forEach((doc, i) => expect(batch.document(i)).toEqual(Buffer.from(doc)));
    expect(batch.bytesOf(1, 3)).toEqual(Buffer.concat([docs[1], docs[2]]));
    expect(batch.offsetOf(3)).toBe(batch.byteLength);
  });

  it('copies the bytes: a later change to the source buffer does not reach the batch', () => {
    const source = Buffer.from(docs[0]);
    const batch = new DocumentBatch();
    batch.append(source);
    source.fill(0);
    expect(batch.document(0)).toEqual(Buffer.from(docs[0]));
  });

  it('keeps its grown buffer when cleared, and is reused from the start', () => {
    const batch = new DocumentBatch(4);
    for (const doc of docs) batch.append(doc);
    const capacity = batch.capacity;
    batch.clear();
    expect([batch.count, batch.byteLength]).toEqual([0, 0]);
    batch.append(docs[2]);
    expect(batch.capacity).toBe(capacity);
    expect(batch.document(0)).toEqual(Buffer.from(docs[2]));
  });

  it('grows just enough for a document larger than twice its buffer', () => {
    const batch = new DocumentBatch(16);
    batch.append(docs[1]);
    expect(batch.capacity).toBe(docs[1].length);
  });
});
