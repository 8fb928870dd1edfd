import { deserialize, Long, Timestamp, UUID, type Document } from 'bson';
import {
  eventsFromOplogEntry, inScope, invalidatesStream, renderEvent, type StreamScope,
} from '../../../../harness/engine/change_streams/change_event.js';
import { EXACT_DECODE, RawBson, serializeWithRaw } from '../../../../harness/bson/raw_bson.js';

const ui = new UUID().toBinary();
const wall = new Date('2026-01-01T00:00:00Z');
const lsid = { id: new UUID().toBinary() };

function entry(doc: Document, t = 100, i = 1): { raw: Buffer; doc: Document } {
  const raw = serializeWithRaw({ ...doc, ts: new Timestamp({ t, i }), t: Long.fromNumber(1), v: Long.fromNumber(2), wall });
  return { raw, doc: deserialize(raw, EXACT_DECODE) };
}

const expanded = { showExpandedEvents: true };
const plain = { showExpandedEvents: false };

describe('eventsFromOplogEntry', () => {
  it('renders an insert with the oplog document byte for byte, in mongod 7.0 field order', () => {
    const e = entry({ op: 'i', ns: 'db.c', ui, o: { _id: 1, b: 2.5 }, o2: { _id: 1 } });
    const [event] = eventsFromOplogEntry(e.raw, e.doc, { kind: 'collection', db: 'db', coll: 'c' }, plain);
    const rendered = renderEvent(event, plain);
    expect(Object.keys(rendered)).toEqual(['_id', 'operationType', 'clusterTime', 'wallTime', 'fullDocument', 'ns', 'documentKey']);
    expect((rendered.fullDocument as RawBson).bytes.equals(serializeWithRaw({ _id: 1, b: 2.5 }))).toBe(true);
    expect(Object.keys(renderEvent(event, expanded))).toEqual([
      '_id', 'operationType', 'clusterTime', 'collectionUUID', 'wallTime', 'fullDocument', 'ns', 'documentKey',
    ]);
  });

  it('unwinds an applyOps entry into events with txnOpIndex, lsid and txnNumber, skipping other namespaces', () => {
    const e = entry({
      op: 'c', ns: 'admin.$cmd', lsid, txnNumber: Long.fromNumber(3),
      o: { applyOps: [
        { op: 'i', ns: 'db.c', ui, o: { _id: 1 }, o2: { _id: 1 } },
        { op: 'i', ns: 'other.c', ui, o: { _id: 2 }, o2: { _id: 2 } },
        { op: 'd', ns: 'db.c', ui, o: { _id: 1 } },
      ] },
    });
    const events = eventsFromOplogEntry(e.raw, e.doc, { kind: 'database', db: 'db' }, plain);
    expect(events.map((ev) => [ev.operationType, ev.txnOpIndex])).toEqual([['insert', 0], ['delete', 2]]);
    expect(events[0].token._data).not.toBe(events[1].token._data);
    const rendered = renderEvent(events[1], plain);
    expect(Object.keys(rendered)).toEqual(['txnNumber', 'lsid', '_id', 'operationType', 'clusterTime', 'wallTime', 'ns', 'documentKey']);
  });

  it('reports a large transaction with its last entry, numbering operations across its entries', () => {
    const first = entry({
      op: 'c', ns: 'admin.$cmd', lsid, txnNumber: Long.fromNumber(3),
      o: { applyOps: [{ op: 'i', ns: 'db.c', ui, o: { _id: 1 }, o2: { _id: 1 } }], partialTxn: true },
    }, 100, 1);
    const last = entry({
      op: 'c', ns: 'admin.$cmd', lsid, txnNumber: Long.fromNumber(3),
      o: { applyOps: [{ op: 'i', ns: 'db.c', ui, o: { _id: 2 }, o2: { _id: 2 } }], count: Long.fromNumber(2) },
    }, 100, 2);
    const scope: StreamScope = { kind: 'cluster' };
    expect(eventsFromOplogEntry(first.raw, first.doc, scope, plain)).toEqual([]);
    const events = eventsFromOplogEntry(last.raw, last.doc, scope, plain, [first]);
    expect(events.map((ev) => ev.txnOpIndex)).toEqual([0, 1]);
    expect(events.map((ev) => ev.clusterTime.toString())).toEqual([last.doc.ts.toString(), last.doc.ts.toString()]);
    expect(events.map((ev) => [ev.applyOpsTs.toString(), ev.applyOpsIndex])).toEqual([
      [first.doc.ts.toString(), 0], [last.doc.ts.toString(), 0],
    ]);
  });

  it('reports DDL only with showExpandedEvents, with operationDescription', () => {
    const e = entry({ op: 'c', ns: 'db.$cmd', ui, o: { createIndexes: 'c', v: 2, key: { a: 1 }, name: 'a_1' } });
    const scope: StreamScope = { kind: 'collection', db: 'db', coll: 'c' };
    expect(eventsFromOplogEntry(e.raw, e.doc, scope, plain)).toEqual([]);
    const [event] = eventsFromOplogEntry(e.raw, e.doc, scope, expanded);
    expect(renderEvent(event, expanded).operationDescription).toEqual({ indexes: [{ v: e.doc.o.v, key: e.doc.o.key, name: 'a_1' }] });
  });

  it('gives a rename its target in `to` first, and the target stream sees it too', () => {
    const e = entry({ op: 'c', ns: 'db.$cmd', ui, o: { renameCollection: 'db.a', to: 'db.b', stayTemp: false, dropTarget: false } });
    for (const coll of ['a', 'b']) {
      const scope: StreamScope = { kind: 'collection', db: 'db', coll };
      const [event] = eventsFromOplogEntry(e.raw, e.doc, scope, expanded);
      expect(invalidatesStream(event, scope)).toBe(true);
      const rendered = renderEvent(event, expanded);
      expect(Object.keys(rendered)[0]).toBe('to');
      expect(rendered.operationDescription).toEqual({ to: { db: 'db', coll: 'b' }, dropTarget: false });
    }
  });
});

describe('inScope', () => {
  it.each<[string, { db: string; coll?: string }, StreamScope, boolean]>([
    ['a collection stream: its collection', { db: 'd', coll: 'c' }, { kind: 'collection', db: 'd', coll: 'c' }, true],
    ['a collection stream: another collection', { db: 'd', coll: 'x' }, { kind: 'collection', db: 'd', coll: 'c' }, false],
    ['a database stream: any collection', { db: 'd', coll: 'x' }, { kind: 'database', db: 'd' }, true],
    ['a database stream: system collections', { db: 'd', coll: 'system.views' }, { kind: 'database', db: 'd' }, false],
    ['a database stream: the database itself', { db: 'd' }, { kind: 'database', db: 'd' }, true],
    ['the cluster stream: user databases', { db: 'd', coll: 'c' }, { kind: 'cluster' }, true],
    ['the cluster stream: admin', { db: 'admin', coll: 'c' }, { kind: 'cluster' }, false],
    ['the cluster stream: config', { db: 'config', coll: 'c' }, { kind: 'cluster' }, false],
    ['the cluster stream: local', { db: 'local', coll: 'c' }, { kind: 'cluster' }, false],
  ])('%s', (_name, ns, scope, expected) => {
    expect(inScope(ns, scope)).toBe(expected);
  });
});
