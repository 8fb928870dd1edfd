/**
 * Runs the copy of every unfinished partition, `parallelism` at a time. The runner owns its p-limit limiter;
 * partitions of different collections and of the same collection run side by side.
 */
import pLimit from 'p-limit';
import type { PartitionDocument } from '../state/partition_store.js';
import type { PartitionCopier } from './partition_copier.js';

/** Totals of one run of the copy. */
export interface CopyRunResult {
  readonly partitions: number;
  readonly docs: number;
  readonly bytes: number;
}

/** Copies the partitions not yet done; throws the first error after the others have stopped. */
export async function runCopy(
  copier: Pick<PartitionCopier, 'copy'>,
  partitions: readonly PartitionDocument[],
  parallelism: number,
  signal: AbortSignal,
): Promise<CopyRunResult> {
  const limit = pLimit(parallelism);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let docs = 0;
  let bytes = 0;
  const pending = partitions.filter((p) => p.status !== 'done');
  const results = await Promise.allSettled(
    pending.map((partition) =>
      limit(async () => {
        if (stop.signal.aborted) return;
        try {
          const result = await copier.copy(partition, stop.signal);
          docs += result.docs;
          bytes += result.bytes;
        } catch (error) {
          stop.abort();
          throw error;
        }
      }),
    ),
  );
  signal.removeEventListener('abort', onAbort);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return { partitions: pending.length, docs, bytes };
}
