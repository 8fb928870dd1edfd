import { describe, expect, it } from '@jest/globals';
import { register as globalRegistry } from 'prom-client';
import { SyncMetrics } from '../../../src/api/metrics.js';
import type { MigrationProgress } from '../../../src/lifecycle/migration_status.js';
import { MIGRATION_STATES } from '../../../src/state/migration_store.js';
import { StateError, ERROR_CODES } from '../../../src/errors.js';
import { makeProgress, parsePrometheusText, sampleValue } from '../../tools/api_fixtures.js';

function metricsOf(progress: () => Promise<MigrationProgress>, defaultMetrics = false): SyncMetrics {
  return new SyncMetrics({ progress }, { defaultMetrics });
}

async function scrape(metrics: SyncMetrics) {
  return parsePrometheusText(await metrics.render());
}

describe('SyncMetrics', () => {
  it('fills every migration metric from one progress document', async () => {
    const { samples, types } = await scrape(metricsOf(async () => makeProgress()));
    expect(sampleValue(samples, 'c2c_sync_progress_available')).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_lag_seconds')).toBe(3);
    expect(sampleValue(samples, 'c2c_sync_events_applied_total')).toBe(1234);
    expect(sampleValue(samples, 'c2c_sync_copied_documents_total')).toBe(40);
    expect(sampleValue(samples, 'c2c_sync_copied_bytes_total')).toBe(4096);
    expect(sampleValue(samples, 'c2c_sync_partitions', { status: 'done' })).toBe(3);
    expect(sampleValue(samples, 'c2c_sync_partitions', { status: 'pending' })).toBe(2);
    expect(sampleValue(samples, 'c2c_sync_can_commit')).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_can_write')).toBe(0);
    expect(types.get('c2c_sync_events_applied_total')).toBe('counter');
    expect(types.get('c2c_sync_lag_seconds')).toBe('gauge');
  });

  it('has one state sample per migration state, 1 for the current one', async () => {
    const { samples } = await scrape(metricsOf(async () => makeProgress({ state: 'PAUSED' })));
    for (const state of MIGRATION_STATES) {
      expect(sampleValue(samples, 'c2c_sync_state', { state })).toBe(state === 'PAUSED' ? 1 : 0);
    }
  });

  it('follows the progress from one scrape to the next', async () => {
    let progress = makeProgress();
    const metrics = metricsOf(async () => progress);
    await scrape(metrics);
    progress = makeProgress({ state: 'COMMITTED', canCommit: true, canWrite: true, totalEventsApplied: 2000, lagTimeSeconds: 0 });
    const { samples } = await scrape(metrics);
    expect(sampleValue(samples, 'c2c_sync_events_applied_total')).toBe(2000);
    expect(sampleValue(samples, 'c2c_sync_lag_seconds')).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_can_commit')).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_can_write')).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'COMMITTED' })).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'RUNNING' })).toBe(0);
  });

  it('leaves the lag out before change event application instead of reporting 0', async () => {
    const { samples } = await scrape(metricsOf(async () => makeProgress({ lagTimeSeconds: null })));
    expect(sampleValue(samples, 'c2c_sync_lag_seconds')).toBeUndefined();
  });

  it('counts errors by code', async () => {
    const metrics = metricsOf(async () => makeProgress());
    metrics.countError('STATE-3003');
    metrics.countError('STATE-3003');
    metrics.countError('NetworkTimeout');
    const { samples, types } = await scrape(metrics);
    expect(types.get('c2c_sync_errors_total')).toBe('counter');
    expect(sampleValue(samples, 'c2c_sync_errors_total', { code: 'STATE-3003' })).toBe(2);
    expect(sampleValue(samples, 'c2c_sync_errors_total', { code: 'NetworkTimeout' })).toBe(1);
  });

  it('still answers when the progress cannot be read, without stale migration figures', async () => {
    let fail = false;
    const metrics = metricsOf(async () => {
      if (fail) throw new StateError(ERROR_CODES.STATE_NO_MIGRATION, 'No migration.');
      return makeProgress();
    });
    await scrape(metrics);
    fail = true;
    metrics.countError('COPY-5001');
    const { samples } = await scrape(metrics);
    expect(sampleValue(samples, 'c2c_sync_progress_available')).toBe(0);
    for (const name of ['c2c_sync_lag_seconds', 'c2c_sync_events_applied_total', 'c2c_sync_copied_bytes_total', 'c2c_sync_can_commit']) {
      expect(sampleValue(samples, name)).toBeUndefined();
    }
    expect(samples.filter((s) => s.name === 'c2c_sync_state' || s.name === 'c2c_sync_partitions')).toEqual([]);
    expect(sampleValue(samples, 'c2c_sync_errors_total', { code: 'COPY-5001' })).toBe(1);
  });

  it('names its own metrics with the c2c_sync_ prefix, _total only on counters, and help on every one', async () => {
    const { types, help } = await scrape(metricsOf(async () => makeProgress()));
    for (const [name, type] of types) {
      expect(name).toMatch(/^c2c_sync_[a-z_]+$/);
      expect(name.endsWith('_total')).toBe(type === 'counter');
      expect(help.get(name)?.length).toBeGreaterThan(10);
    }
  });

  it("includes Node's process metrics under their standard names, in its own registry only", async () => {
    const metrics = metricsOf(async () => makeProgress(), true);
    const { types } = await scrape(metrics);
    expect(types.has('process_cpu_user_seconds_total')).toBe(true);
    expect(types.has('nodejs_heap_size_used_bytes')).toBe(true);
    expect(await globalRegistry.metrics()).not.toContain('c2c_sync_');
  });

  it('keeps two instances apart (each has its own registry)', async () => {
    const a = metricsOf(async () => makeProgress({ totalEventsApplied: 1 }), true);
    const b = metricsOf(async () => makeProgress({ totalEventsApplied: 2 }), true);
    a.countError('X');
    expect(sampleValue((await scrape(a)).samples, 'c2c_sync_events_applied_total')).toBe(1);
    const bSamples = (await scrape(b)).samples;
    expect(sampleValue(bSamples, 'c2c_sync_events_applied_total')).toBe(2);
    expect(sampleValue(bSamples, 'c2c_sync_errors_total', { code: 'X' })).toBeUndefined();
  });

  it('uses the Prometheus text content type', () => {
    expect(metricsOf(async () => makeProgress()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
