/**
 * How far the destination is behind the source, in the terms mongosync reports: `lagTimeSeconds` is the source's
 * latest cluster time minus the cluster time up to which every event is applied, in whole seconds (cluster times
 * count seconds). Pure.
 */
import type { Timestamp } from 'mongodb';
import type { ResumePoint } from './change_event.js';

/** The lag of an applied position behind the source's latest cluster time, in seconds (never negative). */
export function lagTimeSeconds(latest: Timestamp, applied: ResumePoint): number {
  return Math.max(0, (latest.high >>> 0) - (applied.clusterTime.high >>> 0));
}

/**
 * True when the lag has passed half the source's oplog window: past the whole window the stream cannot resume
 * (history lost), so half of it is when an operator must act (enlarge the oplog, or find why applying is slow).
 * A window of 0 s (an oplog written within one second) says nothing yet.
 */
export function isLagPastHalfOplogWindow(lagSeconds: number, oplogWindowSeconds: number): boolean {
  return oplogWindowSeconds > 0 && lagSeconds * 2 > oplogWindowSeconds;
}
