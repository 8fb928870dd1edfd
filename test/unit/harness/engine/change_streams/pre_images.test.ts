import { serialize, type Timestamp } from 'bson';
import { ServerState } from '../../../../harness/engine/server_state.js';
import { WritePath, type OperationContext } from '../../../../harness/engine/write_path.js';
import { resolveServerOptions } from '../../../../harness/server_options.js';
import { findPreImage, PRE_IMAGES_COLLECTION, PRE_IMAGES_DB } from '../../../../harness/engine/change_streams/pre_images.js';

const op: OperationContext = { bypassWriteBlocking: true };

function setup(options: Record<string, unknown>) {
  const state = new ServerState(resolveServerOptions({ noopIntervalMs: 0, ttlMonitorIntervalMs: 0 }));
  const writes = new WritePath(state);
  const coll = writes.ensureCollection('db', 'c', op, options);
  const doc = writes.insert(coll, Buffer.from(serialize({ _id: 1, v: 'before' })), op);
  return { state, writes, coll, doc };
}

describe('pre-images', () => {
  it('keeps the previous version of an updated document in config.system.preimages, keyed by its oplog entry', () => {
    const { state, writes, coll, doc } = setup({ changeStreamPreAndPostImages: { enabled: true } });
    writes.update(coll, doc, Buffer.from(serialize({ _id: 1, v: 'after' })), op, 'replacement');
    const ts = state.oplog.last()!.doc.ts as Timestamp;
    const stored = [...state.catalog.getCollection(PRE_IMAGES_DB, PRE_IMAGES_COLLECTION)!.naturalOrder()];
    expect(stored).toHaveLength(1);
    expect(Object.keys(stored[0].doc)).toEqual(['_id', 'preImage', 'operationTime']);
    expect(Object.keys(stored[0].doc._id)).toEqual(['nsUUID', 'ts', 'applyOpsIndex']);
    expect(findPreImage(state, { uuid: coll.uuid, ts, applyOpsIndex: 0 })!.equals(doc.raw)).toBe(true);
  });

  it('keeps nothing for collections without changeStreamPreAndPostImages', () => {
    const { state, writes, coll, doc } = setup({});
    writes.delete(coll, doc, op);
    expect(state.catalog.getCollection(PRE_IMAGES_DB, PRE_IMAGES_COLLECTION)).toBeUndefined();
  });

  it('files the pre-images of a transaction by position until the change stream reads the commit entry', () => {
    const { state, writes, coll, doc } = setup({ changeStreamPreAndPostImages: { enabled: true } });
    const lsid = { id: 'session-1' };
    const txnOp: OperationContext = { ...op, lsid, txnNumber: undefined, transactionOps: [] };
    writes.delete(coll, doc, txnOp);
    const ts = state.oplog.last()!.doc.ts as Timestamp;
    const key = { uuid: coll.uuid, ts, applyOpsIndex: 0, lsid, txnNumber: undefined, txnOpIndex: 0 };
    expect(findPreImage(state, key)!.equals(doc.raw)).toBe(true);
    // Now stored under its oplog key, as mongod keeps it.
    expect(findPreImage(state, { uuid: coll.uuid, ts, applyOpsIndex: 0 })!.equals(doc.raw)).toBe(true);
  });
});
