import { describe, expect, it } from '@jest/globals';
import {
  API_ROUTES,
  checkAuthorization,
  errorResponse,
  matchRoute,
  methodNotAllowedResponse,
  notFoundResponse,
  parseControlBody,
  progressResponse,
  requiresToken,
  unauthorizedResponse,
} from '../../../src/api/api_routes.js';
import { ConfigError, ERROR_CODES, StateError } from '../../../src/errors.js';

describe('matchRoute', () => {
  it.each([
    ['POST', '/api/v1/start', { kind: 'control', action: 'start' }],
    ['POST', '/api/v1/pause', { kind: 'control', action: 'pause' }],
    ['POST', '/api/v1/resume', { kind: 'control', action: 'resume' }],
    ['POST', '/api/v1/commit', { kind: 'control', action: 'commit' }],
    ['POST', '/api/v1/reverse', { kind: 'control', action: 'reverse' }],
    ['POST', '/api/v1/commit/', { kind: 'control', action: 'commit' }],
    ['POST', '/api/v1/commit?verbose=1', { kind: 'control', action: 'commit' }],
    ['GET', '/api/v1/progress', { kind: 'progress' }],
    ['HEAD', '/api/v1/progress', { kind: 'progress' }],
    ['GET', '/metrics', { kind: 'metrics' }],
    ['GET', '/healthz', { kind: 'health' }],
    ['HEAD', '/healthz', { kind: 'health' }],
  ])('routes %s %s', (method, url, endpoint) => {
    const match = matchRoute(method, url);
    expect(match.kind).toBe('found');
    expect(match.kind === 'found' && match.route.endpoint).toEqual(endpoint);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/api/v1'],
    ['GET', '/api/v1/status'],
    ['POST', '/api/v2/commit'],
    ['GET', '/API/V1/PROGRESS'],
    ['GET', '/healthz/extra'],
  ])('finds no endpoint for %s %s', (method, url) => {
    expect(matchRoute(method, url)).toEqual({ kind: 'notFound', path: new URL(url, 'http://x').pathname.replace(/(.)\/$/, '$1') });
  });

  it.each([
    ['GET', '/api/v1/commit', ['POST']],
    ['PUT', '/api/v1/start', ['POST']],
    ['POST', '/api/v1/progress', ['GET', 'HEAD']],
    ['DELETE', '/metrics', ['GET', 'HEAD']],
    ['OPTIONS', '/healthz', ['GET', 'HEAD']],
    ['HEAD', '/api/v1/pause', ['POST']],
  ])('refuses %s %s, allowing %j', (method, url, allow) => {
    expect(matchRoute(method, url)).toEqual({ kind: 'methodNotAllowed', path: url, allow });
  });

  it('lists one route per control action plus progress, metrics and healthz', () => {
    expect(API_ROUTES.map((route) => `${route.method} ${route.path}`)).toEqual([
      'POST /api/v1/start',
      'POST /api/v1/pause',
      'POST /api/v1/resume',
      'POST /api/v1/commit',
      'POST /api/v1/reverse',
      'GET /api/v1/progress',
      'GET /metrics',
      'GET /healthz',
    ]);
  });
});

describe('requiresToken', () => {
  it.each([
    [{ kind: 'control', action: 'commit' } as const, 'secret-token-0123', true],
    [{ kind: 'progress' } as const, 'secret-token-0123', true],
    [{ kind: 'metrics' } as const, 'secret-token-0123', true],
    [undefined, 'secret-token-0123', true],
    [{ kind: 'health' } as const, 'secret-token-0123', false],
    [{ kind: 'control', action: 'commit' } as const, undefined, false],
    [undefined, undefined, false],
  ])('for %j with token %s: %s', (endpoint, token, expected) => {
    expect(requiresToken(endpoint, token)).toBe(expected);
  });
});

describe('checkAuthorization', () => {
  const token = 'f3a9c0de5b7e41d2a8c6';
  it.each([
    [`Bearer ${token}`, 'authorized'],
    [`bearer ${token}`, 'authorized'],
    [`BEARER   ${token}  `, 'authorized'],
    [undefined, 'missing'],
    ['', 'missing'],
    ['   ', 'missing'],
    [`Bearer ${token}x`, 'invalid'],
    [`Bearer ${token.slice(0, -1)}`, 'invalid'],
    [`Bearer ${token.toUpperCase()}`, 'invalid'],
    [`Basic ${Buffer.from(`user:${token}`).toString('base64')}`, 'invalid'],
    [token, 'invalid'],
    ['Bearer', 'invalid'],
    [`Bearer ${token} extra`, 'invalid'],
  ])('%j is %s', (header, expected) => {
    expect(checkAuthorization(header, token)).toBe(expected);
  });
});

describe('parseControlBody', () => {
  it.each([[''], ['  \n'], ['{}'], ['{ }'], ['{"source":"cluster0","destination":"cluster1"}']])(
    'accepts %j',
    (text) => {
      expect(parseControlBody(text).ok).toBe(true);
    },
  );

  it('returns the fields of an object body', () => {
    expect(parseControlBody('{"reversible":true}')).toEqual({ ok: true, fields: { reversible: true } });
  });

  it.each([
    ['not json', 'not JSON'],
    ['{', 'not JSON'],
    ['source=cluster0', 'not JSON'],
    ['[]', 'an array, not a JSON object'],
    ['null', 'null, not a JSON object'],
    ['42', 'a number, not a JSON object'],
    ['"{}"', 'a string, not a JSON object'],
  ])('refuses %j as %s', (text, description) => {
    const parsed = parseControlBody(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.description).toContain(description);
  });
});

describe('envelopes', () => {
  it('answers a refused transition with HTTP 200, the StateError code, its message and hint', () => {
    const error = new StateError(ERROR_CODES.STATE_TRANSITION_NOT_ALLOWED, 'Cannot commit in state PAUSED.', {
      hint: 'Resume first.',
    });
    expect(errorResponse(error)).toEqual({
      status: 200,
      body: { success: false, error: 'STATE-3001', errorDescription: 'Cannot commit in state PAUSED. Resume first.' },
    });
  });

  it('answers any SyncError in the envelope with its own code', () => {
    const response = errorResponse(new ConfigError(ERROR_CODES.CONFIG_CONFLICT, 'Conflict.', { hint: '' }));
    expect(response).toMatchObject({ status: 200, body: { success: false, error: 'CONFIG-1008' } });
  });

  it('answers an unexpected error with HTTP 500 and INTERNAL-9001, its message redacted', () => {
    const response = errorResponse(new Error('connect to mongodb://app:hunter2@db1:27017 failed'));
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ success: false, error: 'INTERNAL-9001' });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
  });

  it('wraps progress as mongosync does: success and progress', () => {
    expect(progressResponse({ state: 'RUNNING' })).toEqual({
      status: 200,
      body: { success: true, progress: { state: 'RUNNING' } },
    });
  });

  it('names the endpoints in a 404', () => {
    const response = notFoundResponse('/nope');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ success: false, error: 'NotFound' });
    expect((response.body as { errorDescription: string }).errorDescription).toContain('GET /api/v1/progress');
  });

  it('sends Allow with a 405', () => {
    expect(methodNotAllowedResponse('GET', '/api/v1/commit', ['POST'])).toMatchObject({
      status: 405,
      headers: { Allow: 'POST' },
      body: { success: false, error: 'MethodNotAllowed' },
    });
  });

  it.each<['missing' | 'invalid', string]>([
    ['missing', 'Bearer realm="c2c-sync"'],
    ['invalid', 'Bearer realm="c2c-sync", error="invalid_token"'],
  ])('sends the RFC 6750 challenge with a 401 when the token is %s', (decision, challenge) => {
    expect(unauthorizedResponse(decision)).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': challenge },
      body: { success: false, error: 'Unauthorized' },
    });
  });
});
