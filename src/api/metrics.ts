/**
 * The Prometheus metrics of a running migration, served by the API at `GET /metrics`.
 *
 * Every metric is defined here. The migration's figures are read from the progress document once per scrape (so
 * they can never disagree with `/api/v1/progress`); the error counter is the only value pushed by the lifecycle.
 * Names follow https://prometheus.io/docs/practices/naming/: the `c2c_sync_` prefix, base units in the name
 * (`_seconds`, `_bytes`), `_total` on counters only. Node's default process metrics (`process_*`, `nodejs_*`) keep
 * their standard names, so that ready-made Node.js dashboards work unchanged.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MigrationControl } from '../lifecycle/migration_control.js';
import type { MigrationProgress } from '../lifecycle/migration_status.js';
import { errorField } from '../log/fields.js';
import type { Logger } from '../log/logger.js';
import { MIGRATION_STATES } from '../state/migration_store.js';

/** Prefix of the tool's own metrics. */
export const METRIC_PREFIX = 'c2c_sync_';

/** Options of {@link SyncMetrics}. */
export interface SyncMetricsOptions {
  /** Where a failed progress read is reported (as a warning). Unset: not logged. */
  readonly logger?: Logger;
  /** Whether Node's default process metrics are included. Unset: true. */
  readonly defaultMetrics?: boolean;
}

/** The metrics registry of one migration process, with its own `Registry` (never prom-client's global one). */
export class SyncMetrics {
  /** The registry holding every metric below. */
  readonly registry = new Registry();

  private readonly progressAvailable: Gauge;
  private readonly lagSeconds: Gauge;
  private readonly eventsApplied: Counter;
  private readonly copiedDocuments: Counter;
  private readonly copiedBytes: Counter;
  private readonly partitions: Gauge<'status'>;
  private readonly state: Gauge<'state'>;
  private readonly canCommit: Gauge;
  private readonly canWrite: Gauge;
  private readonly errors: Counter<'code'>;

  constructor(
    private readonly source: Pick<MigrationControl, 'progress'>,
    private readonly options: SyncMetricsOptions = {},
  ) {
    const registers = [this.registry];
    this.progressAvailable = new Gauge({
      name: `${METRIC_PREFIX}progress_available`,
      help: '1 when the migration progress could be read for this scrape, 0 when not (the other migration metrics are then absent).',
      registers,
    });
    this.lagSeconds = new Gauge({
      name: `${METRIC_PREFIX}lag_seconds`,
      help: "Seconds between the source's latest cluster time and the last change event applied to the destination (lagTimeSeconds); absent before change event application.",
      registers,
    });
    this.eventsApplied = new Counter({
      name: `${METRIC_PREFIX}events_applied_total`,
      help: 'Change events applied to the destination (totalEventsApplied).',
      registers,
    });
    this.copiedDocuments = new Counter({
      name: `${METRIC_PREFIX}copied_documents_total`,
      help: 'Documents written to the destination by the initial copy.',
      registers,
    });
    this.copiedBytes = new Counter({
      name: `${METRIC_PREFIX}copied_bytes_total`,
      help: 'Bytes of documents written to the destination by the initial copy (collectionCopy.estimatedCopiedBytes).',
      registers,
    });
    this.partitions = new Gauge({
      name: `${METRIC_PREFIX}partitions`,
      help: 'Copy partitions by status: done, or pending (not copied completely yet).',
      labelNames: ['status'] as const,
      registers,
    });
    this.state = new Gauge({
      name: `${METRIC_PREFIX}state`,
      help: 'The migration state: 1 for the current state, 0 for the others.',
      labelNames: ['state'] as const,
      registers,
    });
    this.canCommit = new Gauge({
      name: `${METRIC_PREFIX}can_commit`,
      help: '1 when a commit request would be accepted (canCommit), 0 otherwise.',
      registers,
    });
    this.canWrite = new Gauge({
      name: `${METRIC_PREFIX}can_write`,
      help: '1 when applications may write to the destination (canWrite), 0 otherwise.',
      registers,
    });
    this.errors = new Counter({
      name: `${METRIC_PREFIX}errors_total`,
      help: 'Errors met by the migration, by error code (AREA-NNNN, or the server codeName of a retried error).',
      labelNames: ['code'] as const,
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one error of the migration under its code (the lifecycle calls this for each error it meets). */
  countError(code: string): void {
    this.errors.inc({ code });
  }

  /** The `Content-Type` of {@link render}'s text (Prometheus text exposition format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the progress once and returns every metric in the Prometheus text format. */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  private async refresh(): Promise<void> {
    let progress: MigrationProgress;
    try {
      progress = await this.source.progress();
    } catch (error) {
      // A scrape must still answer (process metrics, errors); stale figures would mislead, so they go.
      this.options.logger?.warn('The migration progress could not be read for /metrics.', errorField(error));
      this.clearProgressMetrics();
      this.progressAvailable.set(0);
      return;
    }
    this.progressAvailable.set(1);
    this.apply(progress);
  }

  private apply(progress: MigrationProgress): void {
    if (progress.lagTimeSeconds === null) this.lagSeconds.remove();
    else this.lagSeconds.set(progress.lagTimeSeconds);
    setCounter(this.eventsApplied, progress.totalEventsApplied);
    setCounter(this.copiedDocuments, progress.collectionCopy.documentsCopied);
    setCounter(this.copiedBytes, progress.collectionCopy.estimatedCopiedBytes);
    const total = progress.namespaces.reduce((n, ns) => n + ns.partitions, 0);
    const done = progress.namespaces.reduce((n, ns) => n + ns.partitionsDone, 0);
    this.partitions.set({ status: 'done' }, done);
    this.partitions.set({ status: 'pending' }, total - done);
    for (const state of MIGRATION_STATES) this.state.set({ state }, state === progress.state ? 1 : 0);
    this.canCommit.set(progress.canCommit ? 1 : 0);
    this.canWrite.set(progress.canWrite ? 1 : 0);
  }

  private clearProgressMetrics(): void {
    this.partitions.reset();
    this.state.reset();
    // reset() puts a metric without labels back to 0, which would read as "no lag" or "nothing applied": remove it.
    for (const metric of [this.lagSeconds, this.canCommit, this.canWrite, this.eventsApplied, this.copiedDocuments, this.copiedBytes]) {
      metric.remove();
    }
  }
}

/**
 * Sets a counter to the progress document's cumulative value. The value comes from the migration's persisted state,
 * so it only falls when the migration is reset, which Prometheus reads as a counter reset, as it should.
 */
function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(Math.max(0, value));
}
