import { Binary, Long, type Document, type Timestamp } from 'bson';
import type { Collection } from '../collection.js';
import type { ServerState } from '../server_state.js';
import type { OperationContext } from '../write_path.js';
import { RawBson, rawField, serializeWithRaw } from '../../bson/raw_bson.js';

/** Where mongod 7.0 keeps the pre-images of collections with changeStreamPreAndPostImages enabled. */
export const PRE_IMAGES_DB = 'config';
export const PRE_IMAGES_COLLECTION = 'system.preimages';

/**
 * Pre-images written inside a transaction before its commit gives them an optime: by session, transaction number
 * and position in the transaction's applyOps. Resolved when the change stream reads the applyOps entry.
 */
const pendingByServer = new WeakMap<ServerState, Map<string, Buffer>>();

function pending(state: ServerState): Map<string, Buffer> {
  let map = pendingByServer.get(state);
  if (!map) {
    map = new Map();
    pendingByServer.set(state, map);
  }
  return map;
}

function sessionKey(lsid: Document | undefined): string {
  const id = lsid?.id;
  return id instanceof Binary ? Buffer.from(id.buffer.subarray(0, id.position)).toString('hex') : JSON.stringify(lsid ?? null);
}

function pendingKey(lsid: Document | undefined, txnNumber: unknown, applyOpsIndex: number): string {
  return `${sessionKey(lsid)}/${String(txnNumber)}/${applyOpsIndex}`;
}

/** True when the collection keeps pre-images (create/collMod `changeStreamPreAndPostImages: {enabled: true}`). */
export function keepsPreImages(coll: Collection): boolean {
  const option = coll.options.changeStreamPreAndPostImages as Document | undefined;
  return option?.enabled === true;
}

/**
 * Called by the write path right after it logged an update, replace or delete of `coll` (so that the entry just
 * appended is the oplog's last, or the transaction's last collected operation): keeps the document's previous
 * version when the collection asks for pre-images, keyed as mongod keys `config.system.preimages`
 * (`{nsUUID, ts, applyOpsIndex}`).
 */
export function recordPreImage(state: ServerState, coll: Collection, preImage: Buffer, op: OperationContext): void {
  if (!keepsPreImages(coll) || coll.db === 'local') return;
  if (op.transactionOps) {
    const map = pending(state);
    const session = sessionKey(op.lsid);
    // An earlier transaction of this session that never committed leaves its entries behind: drop them.
    for (const key of map.keys()) {
      if (key.startsWith(`${session}/`) && !key.startsWith(`${session}/${String(op.txnNumber)}/`)) map.delete(key);
    }
    map.set(pendingKey(op.lsid, op.txnNumber, op.transactionOps.length - 1), preImage);
    return;
  }
  const last = state.oplog.last();
  if (!last) return;
  store(state, coll.uuid, last.field('ts') as Timestamp, 0, preImage, last.field('wall') as Date);
}

function preImagesCollection(state: ServerState): Collection {
  return state.catalog.getCollection(PRE_IMAGES_DB, PRE_IMAGES_COLLECTION)
    ?? state.catalog.create(PRE_IMAGES_DB, PRE_IMAGES_COLLECTION, {});
}

function store(state: ServerState, uuid: Binary, ts: Timestamp, applyOpsIndex: number, preImage: Buffer, wall: Date): void {
  const coll = preImagesCollection(state);
  const _id = { nsUUID: uuid, ts, applyOpsIndex: Long.fromNumber(applyOpsIndex) };
  if (coll.findById(_id)) return;
  // Pre-images are written on each member, never replicated: straight into the collection, not via the oplog.
  coll.insert(serializeWithRaw({ _id, preImage: new RawBson(preImage), operationTime: wall }));
  expireOlderThanOplog(state, coll);
}

/** mongod removes pre-images older than the oplog's oldest entry (their events can no longer be read). */
function expireOlderThanOplog(state: ServerState, coll: Collection): void {
  const oldest = state.oplog.first()?.field('ts') as Timestamp | undefined;
  if (!oldest) return;
  const expired = [];
  for (const doc of coll.naturalOrder()) {
    if ((doc.id as Document).ts.compare(oldest) >= 0) break;
    expired.push(doc);
  }
  for (const doc of expired) coll.remove(doc);
}

/** Where an event's pre-image is looked up: its collection, its oplog entry and its place in a transaction. */
export interface PreImageKey {
  uuid: Binary;
  ts: Timestamp;
  applyOpsIndex: number;
  lsid?: Document;
  txnNumber?: unknown;
  /** Position in the whole transaction: how a write inside a transaction filed its pre-image before commit. */
  txnOpIndex?: number;
}

/** The pre-image bytes of an event, or undefined when none was kept (or it expired). */
export function findPreImage(state: ServerState, key: PreImageKey): Buffer | undefined {
  const coll = state.catalog.getCollection(PRE_IMAGES_DB, PRE_IMAGES_COLLECTION);
  const found = coll?.findById({ nsUUID: key.uuid, ts: key.ts, applyOpsIndex: Long.fromNumber(key.applyOpsIndex) });
  if (found) {
    const el = rawField(found.raw, 'preImage');
    return el ? found.raw.subarray(el.valueStart, el.end) : undefined;
  }
  if (key.lsid === undefined) return undefined;
  const map = pending(state);
  const k = pendingKey(key.lsid, key.txnNumber, key.txnOpIndex ?? key.applyOpsIndex);
  const raw = map.get(k);
  if (!raw) return undefined;
  map.delete(k);
  store(state, key.uuid, key.ts, key.applyOpsIndex, raw, new Date());
  return raw;
}
