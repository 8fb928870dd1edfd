/**
 * The applied watermark: the stream position that the checkpoint may advance to. Events are handed to the writers
 * in segments (a reader batch, cut after each DDL event); writers finish segments in any order, but the watermark
 * only moves over a contiguous prefix of finished segments, so that a restart from the checkpoint never skips an
 * event that was read but not applied.
 *
 * Pure: every function returns a new value. The number of pending segments is bounded by the applier's queue, so
 * the copies stay small.
 */
import type { ResumePoint } from './change_event.js';

/** A segment handed to the writers and not yet covered by the watermark. */
export interface PendingSegment {
  /** Increasing number, in stream order. */
  readonly seq: number;
  /** The position reached once this segment and every earlier one are applied. */
  readonly point: ResumePoint;
  readonly applied: boolean;
}

/** The watermark state. */
export interface Watermark {
  /** The furthest position below which every event is applied. */
  readonly applied: ResumePoint;
  /** Segments in seq order, the first of them not applied (finished ones wait behind it). */
  readonly pending: readonly PendingSegment[];
}

/** A watermark at `point` with nothing pending. */
export function startWatermark(point: ResumePoint): Watermark {
  return { applied: point, pending: [] };
}

/** Registers a segment read from the stream; `seq` must be greater than every registered one. */
export function trackSegment(watermark: Watermark, seq: number, point: ResumePoint): Watermark {
  const last = watermark.pending[watermark.pending.length - 1];
  if (last !== undefined && last.seq >= seq) {
    throw new Error(`segment ${seq} registered after segment ${last.seq}`);
  }
  return { applied: watermark.applied, pending: [...watermark.pending, { seq, point, applied: false }] };
}

/**
 * Marks segment `seq` applied and advances the watermark over the contiguous prefix of applied segments. An unknown
 * or already covered `seq` leaves the watermark unchanged.
 */
export function markSegmentApplied(watermark: Watermark, seq: number): Watermark {
  const index = watermark.pending.findIndex((s) => s.seq === seq);
  if (index < 0) return watermark;
  const pending = watermark.pending.map((s, i) => (i === index ? { ...s, applied: true } : s));
  let covered = 0;
  while (covered < pending.length && pending[covered].applied) covered++;
  if (covered === 0) return { applied: watermark.applied, pending };
  return { applied: pending[covered - 1].point, pending: pending.slice(covered) };
}

/** Number of segments read but not yet covered. */
export function pendingSegments(watermark: Watermark): number {
  return watermark.pending.length;
}
