/**
 * The pure half of the HTTP API: which endpoint a request names, whether it is authorized, what its body means, and
 * the JSON envelopes of the answers. `api_server.ts` does the I/O around these decisions.
 *
 * The endpoints and envelopes are mongosync's (https://www.mongodb.com/docs/mongosync/current/reference/api/):
 * `POST /api/v1/<action>` answers `{success: true}` or `{success: false, error, errorDescription}` (the two error
 * fields are absent on success), and `GET /api/v1/progress` answers `{success: true, progress: {...}}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CONTROL_ACTIONS, type ControlAction } from '../lifecycle/migration_control.js';
import { ERROR_CODES, isSyncError } from '../errors.js';
import { redactText } from '../log/redact.js';

/** What an endpoint does. */
export type ApiEndpoint =
  | { readonly kind: 'control'; readonly action: ControlAction }
  | { readonly kind: 'progress' }
  | { readonly kind: 'metrics' }
  | { readonly kind: 'health' };

/** One endpoint: its path, the method it answers, and what it does. */
export interface ApiRoute {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly endpoint: ApiEndpoint;
}

/** Every endpoint of the API. */
export const API_ROUTES: readonly ApiRoute[] = Object.freeze([
  ...CONTROL_ACTIONS.map(
    (action): ApiRoute => ({ path: `/api/v1/${action}`, method: 'POST', endpoint: { kind: 'control', action } }),
  ),
  { path: '/api/v1/progress', method: 'GET', endpoint: { kind: 'progress' } },
  { path: '/metrics', method: 'GET', endpoint: { kind: 'metrics' } },
  { path: '/healthz', method: 'GET', endpoint: { kind: 'health' } },
]);

/** Largest request body read, in bytes; the endpoints take `{}`, so anything near this is not a real client. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Where a request goes. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly route: ApiRoute }
  | { readonly kind: 'notFound'; readonly path: string }
  | { readonly kind: 'methodNotAllowed'; readonly path: string; readonly allow: readonly string[] };

/**
 * Finds the endpoint of a request. The query string is ignored and a trailing `/` is tolerated. `HEAD` is answered
 * wherever `GET` is (node's server sends the headers without the body), which monitoring probes rely on.
 */
export function matchRoute(method: string | undefined, url: string | undefined): RouteMatch {
  const path = pathOf(url ?? '/');
  const candidates = API_ROUTES.filter((route) => route.path === path);
  if (candidates.length === 0) return { kind: 'notFound', path };
  const wanted = method === 'HEAD' ? 'GET' : method;
  const route = candidates.find((candidate) => candidate.method === wanted);
  if (route !== undefined) return { kind: 'found', route };
  const allow = candidates.flatMap((candidate) => (candidate.method === 'GET' ? ['GET', 'HEAD'] : [candidate.method]));
  return { kind: 'methodNotAllowed', path, allow };
}

function pathOf(url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://api.invalid').pathname;
  } catch {
    return url;
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Whether a request to this endpoint must carry the token: every one but the liveness probe, when a token is set. */
export function requiresToken(endpoint: ApiEndpoint | undefined, token: string | undefined): boolean {
  return token !== undefined && endpoint?.kind !== 'health';
}

/** The outcome of checking a request's `Authorization` header. */
export type AuthDecision = 'authorized' | 'missing' | 'invalid';

/**
 * Checks `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 7235). The comparison runs over
 * SHA-256 digests with `timingSafeEqual`, so neither the token's characters nor its length show in response times.
 */
export function checkAuthorization(header: string | undefined, token: string): AuthDecision {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header.trim());
  if (match === null) return 'invalid';
  return timingSafeEqual(sha256(match[1] ?? ''), sha256(token)) ? 'authorized' : 'invalid';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A request body, read as a JSON object. */
export type BodyParse =
  | { readonly ok: true; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly description: string };

/**
 * Reads a control request's body. mongosync's endpoints take `{}` (curl's `--data '{ }'`); an empty body is
 * accepted too. The content type is not checked: `curl --data` sends `application/x-www-form-urlencoded`.
 */
export function parseControlBody(text: string): BodyParse {
  if (text.trim() === '') return { ok: true, fields: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, description: `The request body is not JSON (${(error as Error).message}). Send {} or no body.` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, description: `The request body is ${kind}, not a JSON object. Send {} or no body.` };
  }
  return { ok: true, fields: value as Record<string, unknown> };
}

/** A JSON answer: its HTTP status, body, and extra headers. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Names in `error` for problems with the HTTP request itself, which never reach the migration (lifecycle refusals
 * carry the tool's error codes instead, e.g. `STATE-3001`).
 */
export const HTTP_ERRORS = Object.freeze({
  BAD_REQUEST: 'BadRequest',
  UNAUTHORIZED: 'Unauthorized',
  NOT_FOUND: 'NotFound',
  METHOD_NOT_ALLOWED: 'MethodNotAllowed',
  PAYLOAD_TOO_LARGE: 'PayloadTooLarge',
} as const);

/** `{success: true}`. */
export function successResponse(): ApiResponse {
  return { status: 200, body: { success: true } };
}

/** `{success: false, error, errorDescription}` with an HTTP status. */
export function failureResponse(
  status: number,
  error: string,
  errorDescription: string,
  headers?: Readonly<Record<string, string>>,
): ApiResponse {
  return { status, body: { success: false, error, errorDescription }, ...(headers === undefined ? {} : { headers }) };
}

/** The answer to a request with no endpoint. */
export function notFoundResponse(path: string): ApiResponse {
  const paths = API_ROUTES.map((route) => `${route.method} ${route.path}`).join(', ');
  return failureResponse(404, HTTP_ERRORS.NOT_FOUND, `No endpoint at ${path}. The endpoints are: ${paths}.`);
}

/** The answer to a request with the wrong method; `Allow` lists the right ones (RFC 9110). */
export function methodNotAllowedResponse(method: string | undefined, path: string, allow: readonly string[]): ApiResponse {
  return failureResponse(
    405,
    HTTP_ERRORS.METHOD_NOT_ALLOWED,
    `${path} does not answer ${method ?? 'this method'}; use ${allow.join(' or ')}.`,
    { Allow: allow.join(', ') },
  );
}

/** The answer to a request without the right token; `WWW-Authenticate` as RFC 6750 describes. */
export function unauthorizedResponse(decision: Exclude<AuthDecision, 'authorized'>): ApiResponse {
  const challenge = decision === 'invalid' ? 'Bearer realm="c2c-sync", error="invalid_token"' : 'Bearer realm="c2c-sync"';
  const description =
    decision === 'invalid'
      ? 'The bearer token does not match api.token.'
      : 'This API requires the header "Authorization: Bearer <api.token>".';
  return failureResponse(401, HTTP_ERRORS.UNAUTHORIZED, description, { 'WWW-Authenticate': challenge });
}

/**
 * The answer when the lifecycle rejects a request or cannot produce progress. A `SyncError` (a refused transition,
 * a failed migration) is the answer to the request, so it is HTTP 200 with `success: false` and the error's code,
 * as mongosync reports refusals in the envelope. Anything else is a bug: HTTP 500 with `INTERNAL-9001`.
 */
export function errorResponse(error: unknown): ApiResponse {
  if (isSyncError(error)) {
    const description = error.hint === '' ? error.message : `${error.message} ${error.hint}`;
    return failureResponse(200, error.code, description);
  }
  // Not a SyncError, so its message was never redacted: a driver error can quote a connection string.
  const message = redactText(error instanceof Error ? error.message : String(error));
  return failureResponse(
    500,
    ERROR_CODES.INTERNAL_UNEXPECTED,
    `Unexpected error: ${message}. This is a bug: file an issue with the process's log.`,
  );
}

/** `{success: true, progress}`; dates become ISO strings through `JSON.stringify`. */
export function progressResponse(progress: unknown): ApiResponse {
  return { status: 200, body: { success: true, progress } };
}

/** The liveness answer: the process serves HTTP. It asks nothing of the migration, so a stuck cluster never fails it. */
export function healthResponse(): ApiResponse {
  return { status: 200, body: { status: 'ok' } };
}
