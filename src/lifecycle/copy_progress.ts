/**
 * Progress of the copy: documents and bytes per namespace against the collection sizes measured before the copy,
 * the rate of this run, and an ETA. Lifecycle code records batches; presentation (a live display on a terminal, a
 * periodic line in logs) lives in cli/ and receives snapshots.
 */
import type { PartitionDocument } from '../state/partition_store.js';

/** Expected size of a namespace, from `$collStats` before the copy. */
export interface NamespaceTotals {
  readonly docs: number;
  readonly bytes: number;
}

/** One namespace in a snapshot. */
export interface NamespaceProgress {
  readonly ns: string;
  readonly docs: number;
  readonly bytes: number;
  readonly totalDocs: number;
  readonly totalBytes: number;
}

/** The copy at one moment. */
export interface CopyProgressSnapshot {
  readonly namespaces: readonly NamespaceProgress[];
  readonly docs: number;
  readonly bytes: number;
  readonly totalDocs: number;
  readonly totalBytes: number;
  /** Rates of this run (a resumed run does not count what earlier runs copied). */
  readonly docsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Seconds left at the current byte rate; undefined before any byte of this run. */
  readonly etaSeconds: number | undefined;
  readonly elapsedMs: number;
  /** The copy has finished (the last snapshot of a run). */
  readonly done: boolean;
}

/** Receives snapshots during the copy (about every second) and once at the end. */
export type CopyProgressListener = (snapshot: CopyProgressSnapshot) => void;

/** Seconds to copy what remains at a rate; undefined when no rate is known yet. */
export function etaSeconds(remainingBytes: number, bytesPerSecond: number): number | undefined {
  if (bytesPerSecond <= 0) return undefined;
  return Math.max(0, Math.ceil(remainingBytes / bytesPerSecond));
}

/** Counts what the copy wrote, per namespace. */
export class CopyProgress {
  private readonly copied = new Map<string, { docs: number; bytes: number }>();
  private readonly startedAt: number;
  private docsThisRun = 0;
  private bytesThisRun = 0;

  constructor(
    partitions: readonly PartitionDocument[],
    private readonly totals: ReadonlyMap<string, NamespaceTotals>,
    private readonly nowMs: () => number,
  ) {
    for (const ns of totals.keys()) this.copied.set(ns, { docs: 0, bytes: 0 });
    for (const p of partitions) this.add(`${p.db}.${p.coll}`, p.docsCopied, p.bytesCopied);
    this.startedAt = nowMs();
  }

  /** Records one batch written. */
  record(ns: string, docs: number, bytes: number): void {
    this.add(ns, docs, bytes);
    this.docsThisRun += docs;
    this.bytesThisRun += bytes;
  }

  snapshot(done = false): CopyProgressSnapshot {
    const elapsedMs = Math.max(1, this.nowMs() - this.startedAt);
    const namespaces = [...this.copied.entries()]
      .map(([ns, c]) => {
        const total = this.totals.get(ns) ?? { docs: 0, bytes: 0 };
        // Writes during the copy can make a collection outgrow its measured size.
        return { ns, docs: c.docs, bytes: c.bytes, totalDocs: Math.max(total.docs, c.docs), totalBytes: Math.max(total.bytes, c.bytes) };
      })
      .sort((a, b) => a.ns.localeCompare(b.ns));
    const sum = (pick: (n: NamespaceProgress) => number) => namespaces.reduce((t, n) => t + pick(n), 0);
    const bytes = sum((n) => n.bytes);
    const totalBytes = sum((n) => n.totalBytes);
    const bytesPerSecond = (this.bytesThisRun * 1000) / elapsedMs;
    return {
      namespaces,
      docs: sum((n) => n.docs),
      bytes,
      totalDocs: sum((n) => n.totalDocs),
      totalBytes,
      docsPerSecond: (this.docsThisRun * 1000) / elapsedMs,
      bytesPerSecond,
      etaSeconds: done ? 0 : etaSeconds(totalBytes - bytes, bytesPerSecond),
      elapsedMs,
      done,
    };
  }

  private add(ns: string, docs: number, bytes: number): void {
    const entry = this.copied.get(ns) ?? { docs: 0, bytes: 0 };
    entry.docs += docs;
    entry.bytes += bytes;
    this.copied.set(ns, entry);
  }
}
