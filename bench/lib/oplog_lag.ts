/**
 * Replication lag of every source write, read from the two oplogs after the run (nothing is sampled).
 *
 * Each oplog entry carries `wall`, the server's clock when the write committed. On the source that is when the
 * write happened; on the destination, when the tool's write made a document state visible. The workload stamps
 * every document state with the `seq` of the write that produced it (change_workload.ts), so a destination entry
 * says which source state it installed. A source write `s` of a document is visible on the destination from the
 * first destination entry of the same document whose state is `s` or a later one (`seq >= s`; a delete counts as
 * the last state, `_id`s are never reused). Its lag is that entry's `wall` minus the source entry's `wall`.
 *
 * This counts what the tool really does: writes combined away (a hot document's 100 updates applied as one
 * replacement) are visible when the combined write lands, and an update applied as the looked-up, newer document
 * is visible as soon as that lands. Both servers run on this machine, so their clocks are the same clock; `wall`
 * has millisecond resolution.
 */
import type { Document, MongoClient, Timestamp } from 'mongodb';
import { round } from './measure.js';

/** One oplog entry of a workload document. */
export interface DocumentEntry {
  /** `<ns>\0<_id>`. */
  readonly key: string;
  /** The `seq` of the state the entry installs; Infinity for a delete; NaN when the entry does not say. */
  readonly seq: number;
  /** `wall` in epoch milliseconds. */
  readonly wallMs: number;
}

/** The entries of `namespaces` in `client`'s oplog, in oplog order, optionally within `(after, upTo]`. */
export async function readDocumentEntries(
  client: MongoClient,
  namespaces: readonly string[],
  range: { readonly after?: Timestamp; readonly upTo?: Timestamp } = {},
): Promise<DocumentEntry[]> {
  const filter: Document = { ns: { $in: [...namespaces] }, op: { $in: ['i', 'u', 'd'] } };
  if (range.after !== undefined || range.upTo !== undefined) {
    filter.ts = { ...(range.after !== undefined ? { $gt: range.after } : {}), ...(range.upTo !== undefined ? { $lte: range.upTo } : {}) };
  }
  const projection = { _id: 0, ts: 1, wall: 1, op: 1, ns: 1, 'o._id': 1, 'o.seq': 1, 'o.diff.u.seq': 1, 'o.diff.i.seq': 1, 'o2._id': 1 };
  const out: DocumentEntry[] = [];
  const cursor = client.db('local').collection('oplog.rs').find(filter, { projection, sort: { $natural: 1 }, batchSize: 10_000 });
  for await (const entry of cursor) out.push(documentEntryOf(entry));
  return out;
}

/** The {@link DocumentEntry} of an oplog entry (insert, update as a replacement or a `$v: 2` diff, delete). */
export function documentEntryOf(entry: Document): DocumentEntry {
  const o = (entry.o ?? {}) as Document;
  const id = entry.op === 'u' ? (entry.o2 as Document | undefined)?._id : o._id;
  let seq: unknown;
  if (entry.op === 'd') seq = Infinity;
  else if (o.diff !== undefined) seq = o.diff.u?.seq ?? o.diff.i?.seq;
  else seq = o.seq;
  return { key: `${String(entry.ns)}\u0000${String(id)}`, seq: typeof seq === 'number' ? seq : Number(seq ?? NaN), wallMs: (entry.wall as Date).getTime() };
}

/** Lag of each source write that became visible, and how many did not (in the destination entries given). */
export interface LagMatch {
  readonly lagsMs: number[];
  readonly unmatched: number;
}

/**
 * Matches source entries to the destination entries that made them visible (see the module comment). Both lists
 * in oplog order. Per document, the first destination entry with `seq >= s` only moves forward as `s` grows, so
 * one pass per document suffices.
 */
export function matchVisibility(source: readonly DocumentEntry[], destination: readonly DocumentEntry[]): LagMatch {
  const byKey = new Map<string, DocumentEntry[]>();
  for (const entry of destination) {
    if (Number.isNaN(entry.seq)) continue;
    let list = byKey.get(entry.key);
    if (list === undefined) byKey.set(entry.key, (list = []));
    list.push(entry);
  }
  const cursor = new Map<string, number>();
  const lagsMs: number[] = [];
  let unmatched = 0;
  for (const entry of source) {
    if (Number.isNaN(entry.seq)) continue;
    const list = byKey.get(entry.key);
    let j = cursor.get(entry.key) ?? 0;
    while (list !== undefined && j < list.length && list[j].seq < entry.seq) j++;
    cursor.set(entry.key, j);
    if (list === undefined || j >= list.length) unmatched++;
    else lagsMs.push(list[j].wallMs - entry.wallMs);
  }
  return { lagsMs, unmatched };
}

/** Percentiles of lag values, in milliseconds. */
export interface LagSummary {
  readonly events: number;
  readonly unmatched: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentiles of the lags. */
export function summarizeLag(match: LagMatch): LagSummary {
  const sorted = Float64Array.from(match.lagsMs).sort();
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    events: sorted.length,
    unmatched: match.unmatched,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    meanMs: sorted.length === 0 ? NaN : round(sum / sorted.length, 1),
  };
}
