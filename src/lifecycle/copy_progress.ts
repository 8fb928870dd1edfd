/**
 * Progress of the copy: documents and bytes per namespace against the totals known from the partitions, the rate
 * since the run started, and an ETA. Reported as one log line (cron and CI read it; a terminal shows the same).
 */
import type { Logger } from '../log/logger.js';
import type { PartitionDocument } from '../state/partition_store.js';

interface NamespaceProgress {
  docs: number;
  bytes: number;
}

export class CopyProgress {
  private readonly byNamespace = new Map<string, NamespaceProgress>();
  private readonly startedAt: number;
  private docsThisRun = 0;
  private bytesThisRun = 0;

  constructor(partitions: readonly PartitionDocument[], private readonly logger: Logger, private readonly now: () => Date) {
    for (const p of partitions) {
      const ns = `${p.db}.${p.coll}`;
      const entry = this.byNamespace.get(ns) ?? { docs: 0, bytes: 0 };
      entry.docs += p.docsCopied;
      entry.bytes += p.bytesCopied;
      this.byNamespace.set(ns, entry);
    }
    this.startedAt = now().getTime();
  }

  record(ns: string, docs: number, bytes: number): void {
    const entry = this.byNamespace.get(ns) ?? { docs: 0, bytes: 0 };
    entry.docs += docs;
    entry.bytes += bytes;
    this.byNamespace.set(ns, entry);
    this.docsThisRun += docs;
    this.bytesThisRun += bytes;
  }

  /** Logs one summary line: totals, and the rate of this run. */
  report(): void {
    const elapsedMs = Math.max(1, this.now().getTime() - this.startedAt);
    let docs = 0;
    let bytes = 0;
    for (const p of this.byNamespace.values()) {
      docs += p.docs;
      bytes += p.bytes;
    }
    this.logger.info('copy progress', {
      count: docs,
      sizeBytes: bytes,
      namespaces: this.byNamespace.size,
      docsPerSecond: Math.round((this.docsThisRun * 1000) / elapsedMs),
      elapsedMs,
    });
  }
}
