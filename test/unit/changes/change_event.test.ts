import { BSON, Double, Int32, Long, Timestamp } from 'mongodb';
import {
  clusterTimeOfToken, coversClusterTime, decodeChangeEvent, type ResumePoint,
} from '../../../src/changes/change_event.js';

const ts = (t: number, i: number) => new Timestamp({ t, i });

describe('decodeChangeEvent', () => {
  const fullDocument = new Map<string, unknown>([['_id', new Int32(1)], ['2024', new Int32(1)], ['10', Long.fromNumber(2)], ['b', 3.5]]);
  const raw = BSON.serialize(new Map<string, unknown>([
    ['_id', { _data: '82000000010000000201' }],
    ['operationType', 'update'],
    ['clusterTime', ts(1, 2)],
    ['fullDocument', fullDocument],
    ['ns', { db: 'shop', coll: 'orders' }],
    ['documentKey', { _id: new Int32(1) }],
    ['updateDescription', {
      updatedFields: new Map<string, unknown>([['b', 3.5], ['10', Long.fromNumber(2)]]),
      removedFields: ['x'],
      truncatedArrays: [{ field: 'arr', newSize: new Int32(2) }],
      disambiguatedPaths: { 'a.0': ['a', '0'], 'arr.1': ['arr', new Int32(1)] },
    }],
  ]));
  const event = decodeChangeEvent(raw);

  it('keeps the full document byte for byte (integer-like keys in order, exact types)', () => {
    expect(Buffer.from(BSON.serialize(event.fullDocument as Map<string, unknown>)).equals(Buffer.from(BSON.serialize(fullDocument)))).toBe(true);
  });

  it('decodes the metadata', () => {
    expect(event).toMatchObject({ operationType: 'update', ns: { db: 'shop', coll: 'orders' }, resumeToken: { _data: '82000000010000000201' }, sizeBytes: raw.byteLength });
    expect(event.clusterTime.equals(ts(1, 2))).toBe(true);
    expect((event.documentKey as { _id: unknown })._id).toEqual(new Int32(1));
  });

  it('decodes the update description in event order with exact values', () => {
    expect(event.updateDescription).toEqual({
      updatedFields: [['b', new Double(3.5)], ['10', Long.fromNumber(2)]],
      removedFields: ['x'],
      truncatedArrays: [{ field: 'arr', newSize: 2 }],
      disambiguatedPaths: { 'a.0': ['a', '0'], 'arr.1': ['arr', 1] },
    });
  });

  it('reports a lookup that found nothing as null', () => {
    const gone = decodeChangeEvent(BSON.serialize({ _id: { _data: '82' }, operationType: 'update', fullDocument: null, ns: { db: 'a', coll: 'b' } }));
    expect(gone.fullDocument).toBeNull();
  });

  it('refuses an event without resume token', () => {
    expect(() => decodeChangeEvent(BSON.serialize({ operationType: 'insert' }))).toThrow('resume token');
  });
});

describe('clusterTimeOfToken', () => {
  it.each<[string, unknown, Timestamp | undefined]>([
    ['a mongod-style token', { _data: '8265A5B3C1000000042B022C0100296E5A1004' }, ts(0x65a5b3c1, 4)],
    ['a token with lowercase hex', { _data: '82000000ff00000001' }, ts(255, 1)],
    ['another format', { _data: '0100' }, undefined],
    ['no token', undefined, undefined],
  ])('%s', (_name, token, expected) => {
    const time = clusterTimeOfToken(token as never);
    if (expected === undefined) expect(time).toBeUndefined();
    else expect(time?.equals(expected)).toBe(true);
  });
});

describe('coversClusterTime', () => {
  const at = (kind: ResumePoint['kind'], t: number, i: number): ResumePoint => ({ kind, clusterTime: ts(t, i) });
  it.each<[string, ResumePoint, boolean]>([
    ['an event after it', at('event', 5, 2), true],
    ['an event at it (a transaction may go on)', at('event', 5, 1), false],
    ['a high-water mark at it', at('highWaterMark', 5, 1), true],
    ['a high-water mark before it', at('highWaterMark', 5, 0), false],
    ['a start at it', at('start', 5, 1), false],
    ['a start after it', at('start', 6, 0), true],
  ])('%s -> %s', (_name, point, expected) => {
    expect(coversClusterTime(point, ts(5, 1))).toBe(expected);
  });
});
