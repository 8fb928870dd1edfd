import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../src/api/api_server.js';
import { SyncMetrics } from '../../../src/api/metrics.js';
import { ConfigError, ERROR_CODES, StateError } from '../../../src/errors.js';
import type { ControlAction, MigrationControl } from '../../../src/lifecycle/migration_control.js';
import type { MigrationProgress } from '../../../src/lifecycle/migration_status.js';
import { closeLogger, createLogger, type Logger } from '../../../src/log/logger.js';
import type { MigrationState } from '../../../src/state/migration_store.js';
import { makeProgress, parsePrometheusText, sampleValue } from '../../tools/api_fixtures.js';

/**
 * The HTTP API over real HTTP (node's fetch), in front of a small migration whose `request` follows mongosync's
 * transitions and refuses the others with a real StateError, as the lifecycle does.
 */

/** mongosync's transitions per request: from-state -> to-state. */
const TRANSITIONS: Readonly<Record<ControlAction, Partial<Record<MigrationState, MigrationState>>>> = {
  start: { IDLE: 'RUNNING' },
  pause: { RUNNING: 'PAUSED' },
  resume: { PAUSED: 'RUNNING' },
  commit: { RUNNING: 'COMMITTING' },
  reverse: { COMMITTED: 'REVERSING' },
};

class TestMigration implements MigrationControl {
  state: MigrationState = 'IDLE';
  canCommit = false;
  readonly accepted: ControlAction[] = [];
  progressError: Error | undefined;

  async progress(): Promise<MigrationProgress> {
    if (this.progressError !== undefined) throw this.progressError;
    return makeProgress({ state: this.state, canCommit: this.canCommit });
  }

  async request(action: ControlAction): Promise<void> {
    const next = TRANSITIONS[action][this.state];
    if (next === undefined || (action === 'commit' && !this.canCommit)) {
      throw new StateError(
        ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED,
        `Cannot ${action} the migration in state ${this.state}${action === 'commit' ? ' before canCommit' : ''}.`,
      );
    }
    this.state = next;
    this.accepted.push(action);
  }
}

const TOKEN = 'tok-6f1d0c8e2b9a47d3a5e0';

function captureLogger(): { logger: Logger; text: () => Promise<string> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const logger = createLogger({ level: 'debug', format: 'json', stream });
  return {
    logger,
    text: async () => {
      await closeLogger(logger);
      return chunks.join('');
    },
  };
}

async function start(
  migration: MigrationControl,
  overrides: Partial<ApiServerOptions> = {},
): Promise<{ api: ApiServer; logs: () => Promise<string> }> {
  const { logger, text } = captureLogger();
  const metrics = new SyncMetrics(migration, { logger });
  const api = await startApiServer({ host: '127.0.0.1', port: 0, control: migration, metrics, logger, ...overrides });
  return { api, logs: text };
}

async function post(api: ApiServer, path: string, body: string | undefined = '{}', headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

async function get(api: ApiServer, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('startApiServer without a token, on loopback', () => {
  let migration: TestMigration;
  let api: ApiServer;
  let logs: () => Promise<string>;

  beforeAll(async () => {
    migration = new TestMigration();
    ({ api, logs } = await start(migration));
  });
  afterAll(async () => {
    await api.close();
    await logs();
  });

  it('binds the requested loopback address and reports the chosen port', () => {
    expect(api.port).toBeGreaterThan(0);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
  });

  it('answers /healthz with 200 {"status":"ok"}, and HEAD /healthz with headers only', async () => {
    const health = await get(api, '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    const head = await fetch(`${api.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers /api/v1/progress with success and the progress document, dates as ISO strings', async () => {
    const response = await get(api, '/api/v1/progress');
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text) as { success: boolean; progress: Record<string, unknown> };
    expect(body.success).toBe(true);
    expect(body.progress).toEqual(JSON.parse(JSON.stringify(makeProgress({ state: migration.state }))));
    expect(body.progress).toMatchObject({
      state: migration.state,
      canCommit: false,
      canWrite: false,
      lagTimeSeconds: 3,
      totalEventsApplied: 1234,
      collectionCopy: { estimatedCopiedBytes: 4096, documentsCopied: 40 },
      directionMapping: { Source: 'rs0/src:27017', Destination: 'rs1/dst:27017' },
      runningOn: { host: 'sync-host', pid: 4242, until: '2030-01-02T03:04:05.678Z' },
    });
  });

  it('carries out start, pause, resume and commit, answering {"success":true} and nothing else', async () => {
    migration.state = 'IDLE';
    migration.canCommit = false;
    expect(await post(api, '/api/v1/start')).toMatchObject({ status: 200, json: { success: true } });
    expect(migration.state).toBe('RUNNING');
    expect(await post(api, '/api/v1/pause', '{ }')).toEqual(expect.objectContaining({ json: { success: true } }));
    expect(migration.state).toBe('PAUSED');
    // No body at all, and curl's default form content type: both as mongosync's clients send them.
    expect((await post(api, '/api/v1/resume', undefined)).json).toEqual({ success: true });
    expect(migration.state).toBe('RUNNING');
    migration.canCommit = true;
    expect(
      (await post(api, '/api/v1/commit', '{ }', { 'Content-Type': 'application/x-www-form-urlencoded' })).json,
    ).toEqual({ success: true });
    expect(migration.state).toBe('COMMITTING');
    const progress = JSON.parse((await get(api, '/api/v1/progress')).text) as { progress: MigrationProgress };
    expect(progress.progress.state).toBe('COMMITTING');
  });

  it('answers a refused transition with HTTP 200, success false, the StateError code and its description', async () => {
    migration.state = 'RUNNING';
    migration.canCommit = false;
    const before = migration.accepted.length;
    const refused = await post(api, '/api/v1/commit');
    expect(refused.status).toBe(200);
    expect(refused.json).toEqual({
      success: false,
      error: 'STATE-3001',
      errorDescription: expect.stringContaining('Cannot commit the migration in state RUNNING before canCommit.'),
    });
    expect((await post(api, '/api/v1/resume')).json).toMatchObject({ success: false, error: 'STATE-3001' });
    expect((await post(api, '/api/v1/reverse')).json).toMatchObject({ success: false, error: 'STATE-3001' });
    expect(migration.state).toBe('RUNNING');
    expect(migration.accepted.length).toBe(before);
  });

  it('accepts and ignores mongosync start options in the body', async () => {
    migration.state = 'IDLE';
    const response = await post(api, '/api/v1/start', JSON.stringify({ source: 'cluster0', destination: 'cluster1' }));
    expect(response.json).toEqual({ success: true });
    expect(migration.state).toBe('RUNNING');
  });

  it.each([
    ['not json', 'is not JSON'],
    ['{"a":', 'is not JSON'],
    ['[]', 'an array, not a JSON object'],
    ['null', 'null, not a JSON object'],
  ])('refuses the body %j with 400 and never asks the migration', async (body, description) => {
    migration.state = 'RUNNING';
    const before = migration.accepted.length;
    const response = await post(api, '/api/v1/pause', body);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ success: false, error: 'BadRequest', errorDescription: expect.stringContaining(description) });
    expect(migration.state).toBe('RUNNING');
    expect(migration.accepted.length).toBe(before);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    migration.state = 'RUNNING';
    const response = await post(api, '/api/v1/pause', JSON.stringify({ padding: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ success: false, error: 'PayloadTooLarge' });
    expect(migration.state).toBe('RUNNING');
  });

  it('answers an unknown path with 404 JSON', async () => {
    const response = await get(api, '/api/v1/status');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({
      success: false,
      error: 'NotFound',
      errorDescription: expect.stringContaining('No endpoint at /api/v1/status.'),
    });
  });

  it.each([
    ['GET', '/api/v1/commit', 'POST'],
    ['POST', '/api/v1/progress', 'GET, HEAD'],
    ['DELETE', '/metrics', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await fetch(`${api.url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(await response.json()).toMatchObject({ success: false, error: 'MethodNotAllowed' });
  });

  it('serves /metrics in the Prometheus text format, from the current progress', async () => {
    migration.state = 'PAUSED';
    const response = await get(api, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheusText(response.text);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'PAUSED' })).toBe(1);
    expect(sampleValue(samples, 'c2c_sync_state', { state: 'RUNNING' })).toBe(0);
    expect(sampleValue(samples, 'c2c_sync_lag_seconds')).toBe(3);
    expect(sampleValue(samples, 'c2c_sync_events_applied_total')).toBe(1234);
    expect(sampleValue(samples, 'c2c_sync_copied_documents_total')).toBe(40);
    expect(sampleValue(samples, 'c2c_sync_copied_bytes_total')).toBe(4096);
    expect(sampleValue(samples, 'c2c_sync_partitions', { status: 'pending' })).toBe(2);
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
  });

  it('answers HTTP 500 with INTERNAL-9001 when the migration fails unexpectedly, and keeps serving', async () => {
    migration.progressError = new Error('boom at mongodb://sync:s3cret@dst:27017');
    try {
      const response = await get(api, '/api/v1/progress');
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toMatchObject({ success: false, error: 'INTERNAL-9001' });
      expect(response.text).not.toContain('s3cret');
      const metrics = parsePrometheusText((await get(api, '/metrics')).text);
      expect(sampleValue(metrics.samples, 'c2c_sync_progress_available')).toBe(0);
    } finally {
      migration.progressError = undefined;
    }
    expect((await get(api, '/api/v1/progress')).status).toBe(200);
  });

  it('answers a progress read refused by the lifecycle in the envelope', async () => {
    migration.progressError = new StateError(ERROR_CODES.STATE_NO_MIGRATION, 'The destination holds no migration "x".');
    try {
      const response = await get(api, '/api/v1/progress');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toMatchObject({ success: false, error: 'STATE-3004' });
    } finally {
      migration.progressError = undefined;
    }
  });
});

describe('startApiServer with a token', () => {
  let migration: TestMigration;
  let api: ApiServer;
  let logs: () => Promise<string>;
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    migration = new TestMigration();
    ({ api, logs } = await start(migration, { token: TOKEN }));
  });
  afterAll(async () => {
    await api.close();
  });

  it.each(['/api/v1/progress', '/metrics', '/api/v1/nothing-here'])('refuses GET %s without the token with 401', async (path) => {
    const response = await get(api, path);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="c2c-sync"');
    expect(JSON.parse(response.text)).toMatchObject({ success: false, error: 'Unauthorized' });
  });

  it('refuses a wrong token with 401 invalid_token', async () => {
    const response = await get(api, '/api/v1/progress', { Authorization: `Bearer ${TOKEN}0` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a control request without the token and leaves the migration alone', async () => {
    migration.state = 'IDLE';
    const response = await post(api, '/api/v1/start');
    expect(response.status).toBe(401);
    expect(migration.state).toBe('IDLE');
  });

  it('serves every endpoint with the token', async () => {
    migration.state = 'IDLE';
    expect(await post(api, '/api/v1/start', '{}', auth)).toMatchObject({ status: 200, json: { success: true } });
    expect(migration.state).toBe('RUNNING');
    expect((await get(api, '/api/v1/progress', auth)).status).toBe(200);
    expect((await get(api, '/metrics', auth)).status).toBe(200);
    expect((await get(api, '/api/v1/nothing-here', auth)).status).toBe(404);
  });

  it('serves /healthz without the token', async () => {
    expect((await get(api, '/healthz')).status).toBe(200);
  });

  it('never logs the token', async () => {
    await get(api, '/api/v1/progress', { Authorization: `Bearer ${TOKEN}` });
    await get(api, '/api/v1/progress', { Authorization: `Bearer ${TOKEN}-wrong` });
    await api.close();
    const text = await logs();
    expect(text).toContain('The HTTP API listens.');
    expect(text).toContain('missing or wrong bearer token');
    expect(text).not.toContain(TOKEN);
  });
});

describe('startApiServer binding', () => {
  const servers: ApiServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it.each(['0.0.0.0', '::', '10.1.2.3', 'sync-host.example.com'])(
    'refuses to listen on %s without a token, naming api.host and api.token',
    async (host) => {
      const error = await start(new TestMigration(), { host }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe(ERROR_CODES.CONFIG_CONFLICT);
      expect((error as ConfigError).message).toContain(host);
      expect(`${(error as ConfigError).message} ${(error as ConfigError).hint}`).toMatch(/api\.token[\s\S]*api\.host/);
    },
  );

  it('listens on every interface with a token, reachable on loopback with the token', async () => {
    const { api } = await start(new TestMigration(), { host: '0.0.0.0', token: TOKEN });
    servers.push(api);
    const response = await fetch(`http://127.0.0.1:${api.port}/api/v1/progress`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
  });

  it('listens on localhost without a token', async () => {
    const local = await start(new TestMigration(), { host: 'localhost' });
    servers.push(local.api);
    expect((await get(local.api, '/healthz')).status).toBe(200);
  });

  it('refuses a port already in use with a ConfigError naming api.port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await start(new TestMigration(), { port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe(ERROR_CODES.CONFIG_INVALID_VALUE);
      expect((error as ConfigError).message).toContain('EADDRINUSE');
      expect((error as ConfigError).hint).toContain('api.port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes with a keep-alive connection open, and then refuses connections', async () => {
    const { api } = await start(new TestMigration());
    expect((await get(api, '/healthz')).status).toBe(200);
    await api.close();
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
