import { Int32, Timestamp, type Document } from 'mongodb';
import {
  collModForSync, copiedUntil, translateEvent, updatesFromDelta, type CopiedNamespaces, type DocumentWrite, type TranslationOptions,
} from '../../../src/changes/event_translation.js';
import type { EventUpdateDescription, SourceChangeEvent } from '../../../src/changes/change_event.js';
import { SYNC_TTL_SECONDS } from '../../../src/catalog/index_rules.js';

const OPTIONS: TranslationOptions = { filter: {}, buildIndexes: 'afterDataCopy', updateLookup: true };

function makeEvent(overrides: Partial<SourceChangeEvent>): SourceChangeEvent {
  return {
    operationType: 'insert',
    resumeToken: { _data: '8200000001000000010' },
    clusterTime: new Timestamp({ t: 1, i: 1 }),
    ns: { db: 'shop', coll: 'orders' },
    sizeBytes: 100,
    ...overrides,
  };
}

function description(overrides: Partial<EventUpdateDescription>): EventUpdateDescription {
  return { updatedFields: [], removedFields: [], truncatedArrays: [], disambiguatedPaths: {}, ...overrides };
}

const key = { _id: 1 };
const doc = { _id: 1, a: 1 };

describe('translateEvent', () => {
  it.each<[string, Partial<SourceChangeEvent>, DocumentWrite[]]>([
    ['insert -> replacement upsert', { operationType: 'insert', documentKey: key, fullDocument: doc }, [{ kind: 'replace', filter: key, replacement: doc }]],
    ['replace -> replacement upsert', { operationType: 'replace', documentKey: key, fullDocument: doc }, [{ kind: 'replace', filter: key, replacement: doc }]],
    ['update with looked-up document -> replacement upsert', {
      operationType: 'update', documentKey: key, fullDocument: doc,
      updateDescription: description({ updatedFields: [['a', 1]] }),
    }, [{ kind: 'replace', filter: key, replacement: doc }]],
    ['update whose document is gone -> best-effort delta', {
      operationType: 'update', documentKey: key, fullDocument: null,
      updateDescription: description({ updatedFields: [['a', 2]], removedFields: ['b'] }),
    }, [{ kind: 'update', filter: key, update: { $set: { a: 2 }, $unset: { b: '' } }, bestEffort: true }]],
    ['delete -> delete by documentKey', { operationType: 'delete', documentKey: key }, [{ kind: 'delete', filter: key }]],
    ['sharded documentKey is the filter', { operationType: 'delete', documentKey: { region: 'eu', _id: 1 } }, [{ kind: 'delete', filter: { region: 'eu', _id: 1 } }]],
  ])('%s', (_name, overrides, writes) => {
    const translation = translateEvent(makeEvent(overrides), OPTIONS);
    expect(translation).toEqual({ kind: 'writes', ns: { db: 'shop', coll: 'orders' }, documentId: 1, writes });
  });

  it('keeps the exact _id of a Map documentKey for routing', () => {
    const mapKey = new Map<string, unknown>([['_id', new Map([['2', 1], ['10', 2]])]]);
    const translation = translateEvent(makeEvent({ operationType: 'delete', documentKey: mapKey }), OPTIONS);
    expect(translation.kind === 'writes' && translation.documentId).toBe(mapKey.get('_id'));
  });

  it.each<[string, Partial<SourceChangeEvent>, TranslationOptions, string]>([
    ['a namespace outside the filter', { operationType: 'insert', documentKey: key, fullDocument: doc }, { ...OPTIONS, filter: { excludeNamespaces: [{ database: 'shop' }] } }, 'skip'],
    ['an internal database', { operationType: 'insert', ns: { db: '__c2c_sync_internal', coll: 'x' }, documentKey: key, fullDocument: doc }, OPTIONS, 'skip'],
    ['a system collection', { operationType: 'insert', ns: { db: 'shop', coll: 'system.js' }, documentKey: key, fullDocument: doc }, OPTIONS, 'skip'],
    ['an update whose document is gone and has no description', { operationType: 'update', documentKey: key, fullDocument: null }, OPTIONS, 'skip'],
    ['an update without lookup and without description', { operationType: 'update', documentKey: key }, { ...OPTIONS, updateLookup: false }, 'failure'],
    ['an insert without fullDocument', { operationType: 'insert', documentKey: key }, OPTIONS, 'failure'],
    ['a document event without documentKey', { operationType: 'delete' }, OPTIONS, 'failure'],
    ['an empty update of a gone document', { operationType: 'update', documentKey: key, fullDocument: null, updateDescription: description({}) }, OPTIONS, 'skip'],
    ['a gone document whose delta names a dotted field', {
      operationType: 'update', documentKey: key, fullDocument: null,
      updateDescription: description({ updatedFields: [['a.b.c', 1]], disambiguatedPaths: { 'a.b.c': ['a', 'b.c'] } }),
    }, OPTIONS, 'skip'],
    ['an invalidate', { operationType: 'invalidate' }, OPTIONS, 'failure'],
    ['a sharding event', { operationType: 'shardCollection' }, OPTIONS, 'skip'],
    ['an unknown event', { operationType: 'somethingNew' }, OPTIONS, 'skip'],
  ])('%s -> %s', (_name, overrides, options, kind) => {
    expect(translateEvent(makeEvent(overrides), options).kind).toBe(kind);
  });

  it('applies deltas without lookup as writes that must succeed', () => {
    const translation = translateEvent(
      makeEvent({ operationType: 'update', documentKey: key, updateDescription: description({ updatedFields: [['a', 2]] }) }),
      { ...OPTIONS, updateLookup: false },
    );
    expect(translation).toMatchObject({ kind: 'writes', writes: [{ kind: 'update', bestEffort: false }] });
  });
});

describe('translateEvent (DDL)', () => {
  const ns = { db: 'shop', coll: 'orders' };
  it.each<[string, Partial<SourceChangeEvent>, TranslationOptions, Document]>([
    ['create -> createCollection with sync-time options (idIndex left out)', {
      operationType: 'create', operationDescription: { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' }, capped: true, size: 4096, max: 10 },
    }, OPTIONS, { kind: 'createCollection', ns, options: { capped: true, size: 1024 ** 5 }, original: { capped: true, size: 4096, max: 10 } }],
    ['create of a view -> createView', {
      operationType: 'create', operationDescription: { viewOn: 'orders', pipeline: [{ $match: { a: 1 } }] },
    }, OPTIONS, { kind: 'createView', ns, options: { viewOn: 'orders', pipeline: [{ $match: { a: 1 } }] } }],
    ['drop -> drop', { operationType: 'drop' }, OPTIONS, { kind: 'drop', ns }],
    ['rename inside the filter -> rename', {
      operationType: 'rename', to: { db: 'shop', coll: 'archive' },
    }, OPTIONS, { kind: 'rename', from: ns, to: { db: 'shop', coll: 'archive' } }],
    ['rename out of the filter -> drop', {
      operationType: 'rename', to: { db: 'logs', coll: 'archive' },
    }, { ...OPTIONS, filter: { excludeNamespaces: [{ database: 'logs' }] } }, { kind: 'drop', ns }],
    ['rename into the filter -> resync', {
      operationType: 'rename', ns: { db: 'logs', coll: 'x' }, to: { db: 'shop', coll: 'orders' },
    }, { ...OPTIONS, filter: { excludeNamespaces: [{ database: 'logs' }] } }, { kind: 'resync', ns }],
    ['dropDatabase without filter -> dropDatabase', { operationType: 'dropDatabase', ns: { db: 'shop' } }, OPTIONS, { kind: 'dropDatabase', db: 'shop' }],
    ['createIndexes -> sync-time specs and originals', {
      operationType: 'createIndexes',
      operationDescription: { indexes: [{ v: 2, key: { email: 1 }, name: 'email_1', unique: true }, { v: 2, key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }] },
    }, OPTIONS, {
      kind: 'createIndexes', ns,
      indexes: [{ key: { email: 1 }, name: 'email_1', v: 2 }, { key: { at: 1 }, name: 'at_1', v: 2, expireAfterSeconds: SYNC_TTL_SECONDS }],
      originals: [{ v: 2, key: { email: 1 }, name: 'email_1', unique: true }, { v: 2, key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }],
    }],
    ['dropIndexes -> names', {
      operationType: 'dropIndexes', operationDescription: { indexes: [{ v: 2, key: { a: 1 }, name: 'a_1' }] },
    }, OPTIONS, { kind: 'dropIndexes', ns, names: ['a_1'] }],
    ['modify -> collMod without the lifted options', {
      operationType: 'modify', operationDescription: { validator: { a: { $type: 'int' } }, index: { name: 'a_1', hidden: true } },
    }, OPTIONS, {
      kind: 'collMod', ns, changes: { validator: { a: { $type: 'int' } } },
      original: { validator: { a: { $type: 'int' } }, index: { name: 'a_1', hidden: true } },
    }],
  ])('%s', (_name, overrides, options, operation) => {
    expect(translateEvent(makeEvent(overrides), options)).toMatchObject({ kind: 'barrier', operation });
  });

  it.each<[string, Partial<SourceChangeEvent>, TranslationOptions]>([
    ['createIndexes with buildIndexes never', { operationType: 'createIndexes', operationDescription: { indexes: [{ key: { a: 1 }, name: 'a_1' }] } }, { ...OPTIONS, buildIndexes: 'never' }],
    ['rename between two namespaces outside the filter', { operationType: 'rename', ns: { db: 'logs', coll: 'a' }, to: { db: 'logs', coll: 'b' } }, { ...OPTIONS, filter: { excludeNamespaces: [{ database: 'logs' }] } }],
    ['dropDatabase in a filtered migration (its collections were dropped one by one)', { operationType: 'dropDatabase', ns: { db: 'shop' } }, { ...OPTIONS, filter: { includeNamespaces: [{ database: 'shop', collections: ['orders'] }] } }],
    ['drop outside the filter', { operationType: 'drop', ns: { db: 'logs', coll: 'a' } }, { ...OPTIONS, filter: { excludeNamespaces: [{ database: 'logs' }] } }],
  ])('skips %s', (_name, overrides, options) => {
    expect(translateEvent(makeEvent(overrides), options).kind).toBe('skip');
  });

  it('returns the index rewrite warnings as data', () => {
    const translation = translateEvent(makeEvent({
      operationType: 'createIndexes', operationDescription: { indexes: [{ key: { a: 0 }, name: 'a_0', bogus: true }] },
    }), OPTIONS);
    expect(translation.kind === 'barrier' && translation.warnings.length).toBe(2);
  });
});

describe('updatesFromDelta', () => {
  it.each<[string, Partial<EventUpdateDescription>, Document[] | undefined]>([
    ['$set and $unset', { updatedFields: [['a', 1], ['b.c', 2]], removedFields: ['d'] }, [{ $set: { a: 1, 'b.c': 2 }, $unset: { d: '' } }]],
    ['truncation before the element updates', {
      updatedFields: [['arr.0', 9]], truncatedArrays: [{ field: 'arr', newSize: 2 }],
    }, [{ $push: { arr: { $each: [], $slice: 2 } } }, { $set: { 'arr.0': 9 } }]],
    ['numeric field names resolved by the document itself', {
      updatedFields: [['a.0', 1]], disambiguatedPaths: { 'a.0': ['a', '0'] },
    }, [{ $set: { 'a.0': 1 } }]],
    ['nothing', {}, []],
    ['a dotted field name', { updatedFields: [['a.b', 1]], disambiguatedPaths: { 'a.b': ['a.b'] } }, undefined],
    ['a $-prefixed field name', { removedFields: ['$x'] }, undefined],
    ['an empty field name', { updatedFields: [['a.', 1]] }, undefined],
  ])('%s', (_name, overrides, expected) => {
    expect(updatesFromDelta(description(overrides))).toEqual(expected);
  });

  it('keeps value types', () => {
    const value = new Int32(5);
    expect(updatesFromDelta(description({ updatedFields: [['n', value]] }))?.[0].$set.n).toBe(value);
  });
});

describe('collModForSync', () => {
  it.each<[string, Document, Document]>([
    ['keeps validators', { validator: { a: 1 }, validationLevel: 'moderate' }, { validator: { a: 1 }, validationLevel: 'moderate' }],
    ['drops capped sizes', { cappedSize: 100, cappedMax: 5 }, {}],
    ['drops index TTL, hidden and unique changes', { index: { keyPattern: { a: 1 }, expireAfterSeconds: 5, hidden: true, unique: true, prepareUnique: true } }, {}],
    ['keeps view definitions', { viewOn: 'a', pipeline: [] }, { viewOn: 'a', pipeline: [] }],
  ])('%s', (_name, input, expected) => {
    expect(collModForSync(input)).toEqual(expected);
  });
});

/**
 * Idempotence, as argued in event_translation.ts: for one document's history, replaying the stream from any
 * checkpoint onto any destination state the source had at or after that checkpoint ends with the final state.
 * Lookups return the document at some time >= the event's (here: every possible later time).
 */
describe('replaying any suffix (idempotence)', () => {
  // States of one document over time; undefined = absent.
  const states: (Document | undefined)[] = [undefined, { _id: 1, v: 1 }, { _id: 1, v: 2 }, { _id: 1, v: 3, x: 1 }, undefined, { _id: 1, v: 9 }, { _id: 1, v: 10 }];
  const kinds = ['insert', 'update', 'update', 'delete', 'insert', 'replace'];

  function eventsWithLookupsAt(lookupDelay: number): SourceChangeEvent[] {
    return kinds.map((operationType, i) => {
      const after = states[i + 1];
      const looked = states[Math.min(states.length - 1, i + 1 + lookupDelay)];
      const fullDocument = operationType === 'update' ? (looked ?? null) : operationType === 'delete' ? undefined : after;
      return makeEvent({
        operationType, documentKey: key, ...(fullDocument !== undefined ? { fullDocument } : {}),
        updateDescription: operationType === 'update' ? description({ updatedFields: [['v', (after as Document).v]] }) : undefined,
      });
    });
  }

  function apply(destination: Document | undefined, write: DocumentWrite): Document | undefined {
    switch (write.kind) {
      case 'replace': return write.replacement as Document;
      case 'delete': return undefined;
      case 'update': return destination === undefined ? undefined : { ...destination, ...write.update.$set };
    }
  }

  const cases: [number, number, number][] = [];
  for (let lookupDelay = 0; lookupDelay < states.length; lookupDelay++) {
    for (let checkpoint = 0; checkpoint <= kinds.length; checkpoint++) {
      for (let copiedAt = checkpoint; copiedAt < states.length; copiedAt++) cases.push([lookupDelay, checkpoint, copiedAt]);
    }
  }

  it.each(cases)('lookups %i states late, replay from event %i onto the state at %i', (lookupDelay, checkpoint, copiedAt) => {
    let destination = states[copiedAt];
    for (const event of eventsWithLookupsAt(lookupDelay).slice(checkpoint)) {
      const translation = translateEvent(event, OPTIONS);
      if (translation.kind !== 'writes') continue;
      for (const write of translation.writes) destination = apply(destination, write);
    }
    expect(destination).toEqual(states[states.length - 1]);
  });
});

describe('translateEvent: renames of collections a copy read', () => {
  const orders = { db: 'shop', coll: 'orders' };
  const archive = { db: 'shop', coll: 'archive' };
  const at = (t: number) => new Timestamp({ t, i: 1 });
  const copy: CopiedNamespaces = { namespaces: new Set(['shop.orders']), endedAt: at(10) };
  const rename = (t: number, coll = 'orders', to = 'archive') =>
    makeEvent({ operationType: 'rename', ns: { db: 'shop', coll }, to: { db: 'shop', coll: to }, clusterTime: at(t) });
  const resyncOfArchive = { kind: 'resync', ns: archive, renamedFrom: orders };
  const renameToArchive = { kind: 'rename', from: orders, to: archive };

  it.each<[string, SourceChangeEvent, CopiedNamespaces | undefined, Document]>([
    ['during the initial copy -> resync of the new name', rename(5), copy, resyncOfArchive],
    ['at the initial copy\'s end (same time) -> resync', rename(10), copy, resyncOfArchive],
    ['after the initial copy ended -> rename', rename(11), copy, renameToArchive],
    ['of a collection the copy did not read -> rename', rename(5, 'fresh'), copy, { kind: 'rename', from: { db: 'shop', coll: 'fresh' }, to: archive }],
    ['when the migration recorded no copy end (started by an older version) -> rename', rename(5), undefined, renameToArchive],
    ['during a resync of it -> resync', rename(15), { ...copy, resynced: new Map([['shop.orders', at(20)]]) }, resyncOfArchive],
    ['after its resync ended -> rename', rename(21), { ...copy, resynced: new Map([['shop.orders', at(20)]]) }, renameToArchive],
    ['of a collection only a resync read, during it -> resync', rename(15), { namespaces: new Set(), endedAt: at(0), resynced: new Map([['shop.orders', at(20)]]) }, resyncOfArchive],
    ['during the initial copy, resynced before the copy ended (the later end wins) -> resync', rename(9), { ...copy, resynced: new Map([['shop.orders', at(8)]]) }, resyncOfArchive],
  ])('a rename %s', (_name, event, initialCopy, operation) => {
    expect(translateEvent(event, { ...OPTIONS, initialCopy })).toEqual({ kind: 'barrier', operation, warnings: [] });
  });

  it('drops the old name of a collection renamed out of the filtered set during the copy (nothing of it is synced)', () => {
    const options = { ...OPTIONS, initialCopy: copy, filter: { excludeNamespaces: [{ database: 'shop', collections: ['archive'] }] } };
    expect(translateEvent(rename(5), options)).toMatchObject({ kind: 'barrier', operation: { kind: 'drop', ns: orders } });
  });

  it('resyncs a collection renamed into the filtered set whatever the copies read', () => {
    const options = { ...OPTIONS, initialCopy: copy, filter: { excludeNamespaces: [{ database: 'shop', collections: ['orders'] }] } };
    expect(translateEvent(rename(5), options)).toMatchObject({ kind: 'barrier', operation: { kind: 'resync', ns: archive } });
    expect(translateEvent(rename(5), options)).not.toMatchObject({ operation: { renamedFrom: expect.anything() } });
  });

  it('sees a resync recorded after the options were built (the map is read at each event)', () => {
    const resynced = new Map<string, Timestamp>();
    const options = { ...OPTIONS, initialCopy: { namespaces: new Set<string>(), endedAt: at(0), resynced } };
    expect(translateEvent(rename(15), options)).toMatchObject({ operation: { kind: 'rename' } });
    resynced.set('shop.orders', at(20));
    expect(translateEvent(rename(15), options)).toMatchObject({ operation: { kind: 'resync' } });
  });
});

describe('copiedUntil', () => {
  const at = (t: number) => new Timestamp({ t, i: 1 });
  const ns = { db: 'shop', coll: 'orders' };
  it.each<[string, CopiedNamespaces | undefined, Timestamp | undefined]>([
    ['no copies recorded', undefined, undefined],
    ['not read by any copy', { namespaces: new Set(['shop.other']), endedAt: at(10) }, undefined],
    ['read by the initial copy', { namespaces: new Set(['shop.orders']), endedAt: at(10) }, at(10)],
    ['resynced only', { namespaces: new Set(), endedAt: at(10), resynced: new Map([['shop.orders', at(30)]]) }, at(30)],
    ['both, the resync later', { namespaces: new Set(['shop.orders']), endedAt: at(10), resynced: new Map([['shop.orders', at(30)]]) }, at(30)],
    ['both, the initial copy later', { namespaces: new Set(['shop.orders']), endedAt: at(10), resynced: new Map([['shop.orders', at(5)]]) }, at(10)],
  ])('%s', (_name, copies, expected) => {
    expect(copiedUntil(copies, ns)).toEqual(expected);
  });
});
