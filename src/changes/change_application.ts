/**
 * Continuous application of the source's changes to the destination: reader -> translation -> writer pool, with DDL
 * barriers, the applied watermark and its periodic checkpoint. This is what lifecycle/ starts after (or alongside)
 * the initial copy:
 *
 * ```ts
 * const stored = await new CheckpointStore(destination).load(config.id);
 * const run = startChangeApplication({ source, destination, migrationId: config.id, filter: config,
 *   buildIndexes: config.buildIndexes, t0: migration.t0, checkpoint: stored, checkpoints: store, logger, now });
 * await run.caughtUpTo(await currentClusterTime(source)); // `--once`
 * await run.stop();
 * ```
 *
 * Segments: the events of a reader batch are handed out as one segment, cut after each DDL event. A DDL event waits
 * for every writer to flush, runs alone, and its segment is then complete, so the checkpoint is saved right after
 * each barrier (a replayed rename is the one barrier that is not harmless, see event_translation.ts).
 *
 * Failures end the run: `done` rejects with the error, the checkpoint keeps the last applied position, and the
 * caller decides whether to start a new run from it (transient errors) or to fail the migration
 * (`isFinalChangeStreamError`, e.g. ChangeStreamHistoryLost).
 */
import type { MongoClient, Timestamp } from 'mongodb';
import type { NamespaceFilterOptions } from '../catalog/namespace_filter.js';
import type { BuildIndexes } from '../config/schema.js';
import { clusterTimeField, countField, errorField } from '../log/fields.js';
import { childLogger, type Logger } from '../log/logger.js';
import type { CheckpointWriter } from '../state/checkpoint_store.js';
import { ChangeApplier } from './applier.js';
import { BarrierRunner, type CatalogRecorder, type NamespaceResync } from './barrier_runner.js';
import { coversClusterTime, type ResumePoint, type SourceChangeEvent } from './change_event.js';
import { ChangeReader, startPointOf, streamStartFor } from './change_reader.js';
import { translateEvent, type TranslationOptions } from './event_translation.js';
import { markSegmentApplied, pendingSegments, startWatermark, trackSegment, type Watermark } from './watermark.js';
import { routingKey, valueKey, writerFor } from './write_routing.js';

/** Tuning of the change application. */
export interface ChangeApplicationOptions {
  /** Writers applying document writes concurrently. */
  readonly writers: number;
  /** Most writes read but not yet applied (the bounded queue between reader and writers). */
  readonly maxQueuedWrites: number;
  /** Most bytes of change events read but not yet applied (the queue's bound for large documents). */
  readonly maxQueuedBytes: number;
  /** Most writes one writer sends in one round of bulk writes. */
  readonly maxBatchWrites: number;
  /** Most events per getMore. */
  readonly readBatchSize: number;
  /** How long a getMore waits on an idle stream, in milliseconds. */
  readonly maxAwaitTimeMs: number;
  /** How often the applied position is saved, in milliseconds; it is also saved after every DDL and at stop. */
  readonly checkpointIntervalMs: number;
  /**
   * How often the lifecycle logs the progress line (events applied, lagTimeSeconds, oplog window) and checks the lag
   * against the oplog window, in milliseconds; 10 s like the copy's progress line when not on a terminal.
   */
  readonly progressIntervalMs: number;
}

/** Defaults of {@link ChangeApplicationOptions}. */
export const DEFAULT_CHANGE_APPLICATION_OPTIONS: ChangeApplicationOptions = Object.freeze({
  writers: 8,
  maxQueuedWrites: 20_000,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxBatchWrites: 1_000,
  readBatchSize: 1_000,
  maxAwaitTimeMs: 1_000,
  checkpointIntervalMs: 2_000,
  progressIntervalMs: 10_000,
});

/** What a run needs. */
export interface ChangeApplicationDeps {
  readonly source: MongoClient;
  readonly destination: MongoClient;
  readonly migrationId: string;
  readonly filter: NamespaceFilterOptions;
  readonly buildIndexes: BuildIndexes;
  /** The migration's T0: where the stream starts when there is no checkpoint. */
  readonly t0: Timestamp;
  /** The stored checkpoint (CheckpointStore.load); the stream restarts after it. */
  readonly checkpoint?: { readonly point: ResumePoint; readonly eventsApplied: number } | undefined;
  readonly checkpoints: CheckpointWriter;
  readonly catalog?: CatalogRecorder;
  readonly resync?: NamespaceResync;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly options?: Partial<ChangeApplicationOptions>;
  /** What the initial copy read and when it ended (see TranslationOptions.initialCopy). */
  readonly initialCopy?: TranslationOptions['initialCopy'];
}

/** Progress of a run. */
export interface ChangeApplicationStatus {
  /** Events applied by the migration (stored count of earlier runs included). */
  readonly eventsApplied: number;
  /** Every source event up to this position is applied. */
  readonly applied: ResumePoint;
  /** Cluster time of the last event read (undefined before the first). */
  readonly lastReadClusterTime: Timestamp | undefined;
  /** Writes read but not yet applied. */
  readonly queuedWrites: number;
  /** Segments read but not yet covered by the watermark. */
  readonly pendingSegments: number;
}

/** A running change application. */
export interface ChangeApplication {
  /**
   * Resolves once every source event at or before `clusterTime` is applied (the checkpoint is saved then too);
   * rejects if the run fails or stops first.
   */
  caughtUpTo(clusterTime: Timestamp): Promise<void>;
  status(): ChangeApplicationStatus;
  /** Stops reading, applies what was read, saves the checkpoint. Resolves like {@link done}. */
  stop(): Promise<void>;
  /** Settles when the run ends: resolves after `stop()`, rejects with the error that ended it. */
  readonly done: Promise<void>;
}

interface Segment {
  readonly seq: number;
  events: number;
  outstanding: number;
  sealed: boolean;
}

interface CatchUpWaiter {
  readonly clusterTime: Timestamp;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Starts applying the source's changes (see the module comment). */
export function startChangeApplication(deps: ChangeApplicationDeps): ChangeApplication {
  const options: ChangeApplicationOptions = { ...DEFAULT_CHANGE_APPLICATION_OPTIONS, ...deps.options };
  const logger = childLogger(deps.logger, 'changes');
  const start = streamStartFor(deps.checkpoint?.point, deps.t0);
  const translation: TranslationOptions = { filter: deps.filter, buildIndexes: deps.buildIndexes, updateLookup: true, initialCopy: deps.initialCopy };
  const reader = new ChangeReader(deps.source, {
    filter: deps.filter, batchSize: options.readBatchSize, maxAwaitTimeMs: options.maxAwaitTimeMs,
  });
  const barriers = new BarrierRunner(deps.destination, logger, deps.catalog, deps.resync);
  const stopping = new AbortController();

  let watermark: Watermark = startWatermark(startPointOf(start, deps.checkpoint?.point));
  let eventsApplied = deps.checkpoint?.eventsApplied ?? 0;
  let lastRead: Timestamp | undefined;
  let savedPoint: ResumePoint | undefined = deps.checkpoint?.point;
  let failure: unknown;
  let finished = false;
  let waiters: CatchUpWaiter[] = [];
  const segments = new Map<number, Segment>();
  let nextSeq = 0;

  const settleWaiters = () => {
    waiters = waiters.filter((w) => {
      if (failure !== undefined) w.reject(failure);
      else if (coversClusterTime(watermark.applied, w.clusterTime)) {
        save().then(w.resolve, w.reject);
      } else if (finished) w.reject(new Error('the change application stopped before catching up'));
      else return true;
      return false;
    });
  };

  const completeIfApplied = (segment: Segment) => {
    if (!segment.sealed || segment.outstanding > 0) return;
    segments.delete(segment.seq);
    eventsApplied += segment.events;
    watermark = markSegmentApplied(watermark, segment.seq);
    settleWaiters();
  };

  const applier = new ChangeApplier(deps.destination, options, (counts) => {
    for (const [seq, count] of counts) {
      const segment = segments.get(seq);
      if (segment === undefined) continue;
      segment.outstanding -= count;
      completeIfApplied(segment);
    }
  }, () => stopping.abort());

  // Saves run one after the other; a save writes the newest applied position at the time it runs.
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    saving = saving.then(async () => {
      const point = watermark.applied;
      if (savedPoint === point) return;
      await deps.checkpoints.save(deps.migrationId, point, eventsApplied, deps.now());
      savedPoint = point;
      logger.debug('checkpoint saved', { ...clusterTimeField(point.clusterTime), kind: point.kind });
    });
    return saving;
  };
  const ticker = setInterval(() => {
    save().catch((error) => logger.warn('checkpoint not saved', errorField(error)));
  }, options.checkpointIntervalMs);

  const openSegment = (): Segment => {
    const segment: Segment = { seq: nextSeq++, events: 0, outstanding: 0, sealed: false };
    segments.set(segment.seq, segment);
    return segment;
  };
  const seal = (segment: Segment, point: ResumePoint) => {
    watermark = trackSegment(watermark, segment.seq, point);
    segment.sealed = true;
    completeIfApplied(segment);
  };

  const dispatch = async (event: SourceChangeEvent, segment: Segment): Promise<Segment> => {
    const result = translateEvent(event, translation);
    segment.events++;
    switch (result.kind) {
      case 'writes': {
        const key = routingKey(result.ns, result.documentId);
        const writer = writerFor(key, options.writers);
        const exactKey = valueKey(result.documentId, false);
        for (const write of result.writes) {
          segment.outstanding++;
          await applier.enqueue({ ns: result.ns, writer, exactKey, write, segment: segment.seq, bytes: event.sizeBytes });
        }
        return segment;
      }
      case 'barrier': {
        for (const warning of result.warnings) logger.warn('index rewritten', { warning, operation: result.operation.kind });
        await applier.drain();
        await barriers.run(result.operation, stopping.signal);
        seal(segment, { kind: 'event', resumeToken: event.resumeToken, clusterTime: event.clusterTime });
        await save();
        return openSegment();
      }
      case 'skip':
        if (result.warning !== undefined) logger.warn('change event skipped', { reason: result.warning, operationType: event.operationType });
        return segment;
      case 'failure':
        throw new Error(`cannot apply a ${event.operationType} event: ${result.reason}`);
    }
  };

  const run = async (): Promise<void> => {
    logger.info('change application started', {
      ...clusterTimeField(watermark.applied.clusterTime), from: 'startAfter' in start ? 'checkpoint' : 't0',
    });
    for await (const batch of reader.batches(start, stopping.signal, deps.checkpoint?.point)) {
      let segment = openSegment();
      for (const event of batch.events) {
        lastRead = event.clusterTime;
        segment = await dispatch(event, segment);
      }
      seal(segment, batch.point);
      if (batch.events.length > 0) {
        logger.debug('change batch dispatched', { ...countField(batch.events.length), ...clusterTimeField(batch.point.clusterTime) });
      }
    }
    await applier.close();
  };

  const done = run()
    .catch(async (error) => {
      failure = error;
      stopping.abort();
      await applier.close().catch(() => undefined);
      throw error;
    })
    .finally(async () => {
      clearInterval(ticker);
      finished = true;
      // The watermark never covers an unapplied event, so it is worth keeping even after a failure.
      await save().catch((error) => logger.warn('checkpoint not saved', errorField(error)));
      settleWaiters();
      logger.info('change application stopped', { eventsApplied, ...clusterTimeField(watermark.applied.clusterTime) });
    });
  done.catch(() => undefined);

  return {
    caughtUpTo(clusterTime: Timestamp): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ clusterTime, resolve, reject });
        settleWaiters();
      });
    },
    status(): ChangeApplicationStatus {
      return {
        eventsApplied,
        applied: watermark.applied,
        lastReadClusterTime: lastRead,
        queuedWrites: applier.queuedWrites,
        pendingSegments: pendingSegments(watermark),
      };
    },
    async stop(): Promise<void> {
      stopping.abort();
      await done;
    },
    done,
  };
}
