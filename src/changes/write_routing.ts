/**
 * Pure rules for distributing document writes over the writers and for combining the writes of one writer batch.
 *
 * Routing: every write of one document must go to the same writer, so that the document's events stay in order.
 * MongoDB treats `_id` values of different numeric types as equal (`1`, `1.0`, `NumberLong(1)` are one document),
 * so the routing key normalizes numbers; two different documents sharing a writer only costs parallelism.
 *
 * Combining: within a batch, a total write (replacement or delete) of a document makes every earlier write of the
 * same document irrelevant, so those are dropped: a hot document updated a thousand times becomes one replacement.
 * This needs exact identity (a false match would drop another document's write), hence a second, type-exact key.
 */
import type { Binary, Document } from 'mongodb';
import type { DocumentWrite } from './event_translation.js';

/** A key of a BSON value: numeric types normalized (`normalizeNumbers`) or kept apart. */
export function valueKey(value: unknown, normalizeNumbers: boolean): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undef';
  switch (typeof value) {
    case 'string': return `s${JSON.stringify(value)}`;
    case 'number': return numberKey('double', value, normalizeNumbers);
    case 'bigint': return numberKey('long', Number(value), normalizeNumbers, value.toString());
    case 'boolean': return value ? 'true' : 'false';
    default: break;
  }
  if (Array.isArray(value)) return `[${value.map((v) => valueKey(v, normalizeNumbers)).join(',')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v, normalizeNumbers)}`).join(',')}}`;
  }
  if (value instanceof Date) return `date${value.getTime()}`;
  if (value instanceof Uint8Array) return `bin0:${Buffer.from(value).toString('hex')}`;
  const bsonType = (value as { _bsontype?: string })._bsontype;
  switch (bsonType) {
    case 'Int32': return numberKey('int', Number((value as { value: number }).value), normalizeNumbers);
    case 'Double': return numberKey('double', Number((value as { value: number }).value), normalizeNumbers);
    case 'Long': return numberKey('long', Number(String(value)), normalizeNumbers, String(value));
    case 'Decimal128': return numberKey('decimal', Number(String(value)), normalizeNumbers, String(value));
    case 'Binary': {
      const binary = value as Binary;
      return `bin${binary.sub_type}:${Buffer.from(binary.buffer.subarray(0, binary.position)).toString('hex')}`;
    }
    case undefined: {
      const entries = Object.entries(value as Document);
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v, normalizeNumbers)}`).join(',')}}`;
    }
    default:
      // ObjectId, Timestamp, BSONRegExp, MinKey, MaxKey, Code, BSONSymbol, DBRef: their string form is exact.
      return `${bsonType}:${JSON.stringify(value)}`;
  }
}

function numberKey(type: string, value: number, normalize: boolean, exact?: string): string {
  if (normalize) return `n${Object.is(value, -0) ? 0 : value}`;
  return `${type}:${exact ?? (Object.is(value, -0) ? '-0' : String(value))}`;
}

/** The routing key of a document: its namespace and normalized `_id`. */
export function routingKey(ns: { readonly db: string; readonly coll: string }, documentId: unknown): string {
  return `${ns.db}.${ns.coll}\u0000${valueKey(documentId, true)}`;
}

/** The writer (0 to writers - 1) of a routing key: FNV-1a over its UTF-16 code units. */
export function writerFor(key: string, writers: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % writers;
}

/** A write waiting in a writer's batch. */
export interface KeyedWrite<T> {
  /** Type-exact identity of the document (see {@link valueKey} without normalization). */
  readonly exactKey: string;
  readonly write: DocumentWrite;
  /** Whatever the caller tracks per write (its segment). */
  readonly tag: T;
}

/**
 * The writes of one namespace's batch with every write followed by a total write of the same document dropped
 * (see the module comment). Returns the kept writes in order, and the dropped ones (their tags still count as
 * applied once the batch is written).
 */
export function combineWrites<T>(writes: readonly KeyedWrite<T>[]): { kept: KeyedWrite<T>[]; dropped: KeyedWrite<T>[] } {
  const superseded = new Set<string>();
  const keep: boolean[] = new Array(writes.length);
  for (let i = writes.length - 1; i >= 0; i--) {
    const { exactKey, write } = writes[i];
    keep[i] = !superseded.has(exactKey);
    if (write.kind !== 'update') superseded.add(exactKey);
  }
  const kept: KeyedWrite<T>[] = [];
  const dropped: KeyedWrite<T>[] = [];
  writes.forEach((w, i) => (keep[i] ? kept : dropped).push(w));
  return { kept, dropped };
}
