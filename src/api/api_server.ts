/**
 * The local HTTP API of a running `sync start` process (node:http, no framework): mongosync's control and progress
 * endpoints over {@link MigrationControl}, Prometheus metrics, and a liveness probe. The decisions (routes, auth,
 * bodies, envelopes) are the pure functions of `api_routes.ts`; this file reads requests and writes answers.
 *
 * It binds to a loopback address unless a bearer token is configured: the control endpoints pause, commit and
 * reverse a migration, so an open port on a network would let anyone do that.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, ERROR_CODES } from '../errors.js';
import { isLoopbackHost, LOOPBACK_HOSTS_DESCRIPTION } from '../config/loopback_host.js';
import type { MigrationControl } from '../lifecycle/migration_control.js';
import { elapsedField, errorField } from '../log/fields.js';
import { childLogger, type Logger } from '../log/logger.js';
import {
  checkAuthorization,
  errorResponse,
  failureResponse,
  healthResponse,
  HTTP_ERRORS,
  matchRoute,
  MAX_BODY_BYTES,
  methodNotAllowedResponse,
  notFoundResponse,
  parseControlBody,
  progressResponse,
  requiresToken,
  successResponse,
  unauthorizedResponse,
  type ApiEndpoint,
  type ApiResponse,
} from './api_routes.js';

/** What the server needs of the metrics: `SyncMetrics` fits. */
export interface MetricsSource {
  /** `Content-Type` of the rendered text. */
  readonly contentType: string;
  /** Every metric in the Prometheus text format. */
  render(): Promise<string>;
}

/** Options of {@link startApiServer}; `host`, `port` and `token` are the resolved `api` configuration section. */
export interface ApiServerOptions {
  /** Interface to listen on. A non-loopback address requires `token`. */
  readonly host: string;
  /** TCP port; 0 picks a free one (read it back from {@link ApiServer.port}). */
  readonly port: number;
  /** Bearer token every request but `/healthz` must carry. Unset or empty: none (loopback only). */
  readonly token?: string | undefined;
  /** The running migration. */
  readonly control: MigrationControl;
  /** The metrics served at `/metrics`. */
  readonly metrics: MetricsSource;
  /** The process's logger; the server logs through a child with component `api`. */
  readonly logger: Logger;
}

/** A listening API server. */
export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:27182` (IPv6 addresses bracketed). */
  readonly url: string;
  /** The port actually bound (the chosen one when `port` was 0). */
  readonly port: number;
  /** Stops accepting connections and resolves once the open ones are closed. */
  close(): Promise<void>;
}

/** The outcome of reading a request body. */
type BodyRead = { readonly kind: 'read'; readonly text: string } | { readonly kind: 'tooLarge' } | { readonly kind: 'aborted' };

/** How long `close()` lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Starts the API. Rejects with a `ConfigError` (`CONFIG-1008`) before binding when `host` is not a loopback address
 * and no token is set, and with a `ConfigError` (`CONFIG-1004`) naming `api.port` when the address cannot be bound.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const token = options.token === '' ? undefined : options.token;
  if (token === undefined && !isLoopbackHost(options.host)) {
    throw new ConfigError(
      ERROR_CODES.CONFIG_CONFLICT,
      `The API would listen on ${options.host}, which is not a loopback address (${LOOPBACK_HOSTS_DESCRIPTION}), ` +
        'without api.token: anyone who reaches it could pause, commit or reverse the migration.',
      {
        hint: 'Set api.token (e.g. api.token: "${SYNC_API_TOKEN}"), or set api.host: 127.0.0.1.',
        details: { keyPath: 'api.token', host: options.host },
      },
    );
  }
  const logger = childLogger(options.logger, 'api');
  const handler = new RequestHandler(options.control, options.metrics, token, logger);
  const server = createServer((req, res) => void handler.handle(req, res));
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info('The HTTP API listens.', { url, authentication: token !== undefined ? 'bearer' : 'none' });
  return {
    url,
    port: address.port,
    close: () => close(server, logger),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const code = error.code ?? '';
      if (['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) {
        reject(
          new ConfigError(
            ERROR_CODES.CONFIG_INVALID_VALUE,
            `The API cannot listen on ${host} port ${port} (${code}: ${error.message}).`,
            {
              cause: error,
              hint:
                code === 'EADDRINUSE'
                  ? 'Another process holds the port: set api.port (or --port) to a free port, or 0 for any free port.'
                  : 'Set api.host to an address of this machine (127.0.0.1 by default) and api.port to a port this user may bind.',
              details: { keyPath: 'api.port', host, port, code },
            },
          ),
        );
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

function close(server: Server, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      logger.info('The HTTP API stopped.');
      resolve();
    });
    // Keep-alive connections with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}

class RequestHandler {
  constructor(
    private readonly control: MigrationControl,
    private readonly metrics: MetricsSource,
    private readonly token: string | undefined,
    private readonly logger: Logger,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startMs = performance.now();
    let path = '';
    try {
      const match = matchRoute(req.method, req.url);
      path = match.kind === 'found' ? match.route.path : match.path;
      const endpoint = match.kind === 'found' ? match.route.endpoint : undefined;
      // Checked before 404/405, so that without the token nothing is learnt about which paths exist.
      if (this.token !== undefined && requiresToken(endpoint, this.token)) {
        const decision = checkAuthorization(req.headers.authorization, this.token);
        if (decision !== 'authorized') {
          this.logger.warn('An API request was refused: missing or wrong bearer token.', {
            method: req.method,
            path,
            reason: decision,
            remoteAddress: req.socket.remoteAddress,
          });
          this.sendJson(res, unauthorizedResponse(decision));
          return;
        }
      }
      if (match.kind === 'notFound') {
        this.sendJson(res, notFoundResponse(match.path));
        return;
      }
      if (match.kind === 'methodNotAllowed') {
        this.sendJson(res, methodNotAllowedResponse(req.method, match.path, match.allow));
        return;
      }
      await this.serve(match.route.endpoint, req, res);
    } catch (error) {
      this.logger.error('The HTTP API failed to answer a request.', { method: req.method, path, ...errorField(error) });
      if (!res.headersSent) this.sendJson(res, errorResponse(error));
      else res.destroy();
    } finally {
      this.logger.debug('API request.', {
        method: req.method,
        path,
        status: res.statusCode,
        ...elapsedField(startMs, performance.now()),
      });
    }
  }

  private async serve(endpoint: ApiEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (endpoint.kind) {
      case 'health':
        this.sendJson(res, healthResponse());
        return;
      case 'metrics': {
        const text = await this.metrics.render();
        res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
        return;
      }
      case 'progress':
        this.sendJson(res, await this.answer(async () => progressResponse(await this.control.progress())));
        return;
      case 'control': {
        const body = await this.readBody(req);
        if (body.kind === 'aborted') return;
        if (body.kind === 'tooLarge') {
          this.sendJson(
            res,
            failureResponse(413, HTTP_ERRORS.PAYLOAD_TOO_LARGE, `The request body exceeds ${MAX_BODY_BYTES} bytes. Send {}.`),
            { close: true },
          );
          return;
        }
        const parsed = parseControlBody(body.text);
        if (!parsed.ok) {
          this.sendJson(res, failureResponse(400, HTTP_ERRORS.BAD_REQUEST, parsed.description));
          return;
        }
        const ignored = Object.keys(parsed.fields);
        if (ignored.length > 0) {
          // mongosync's start takes its options in the body; here sync.yaml holds them, so automation written for
          // mongosync keeps working and the configuration file stays the one source of options.
          this.logger.info('The API request carries options; the configuration file decides them, so they are ignored.', {
            action: endpoint.action,
            ignoredKeys: ignored,
          });
        }
        const response = await this.answer(async () => {
          await this.control.request(endpoint.action);
          return successResponse();
        });
        this.logger.info(
          response.status === 200 && (response.body as { success: boolean }).success
            ? 'An API request was accepted.'
            : 'An API request was refused.',
          { action: endpoint.action, ...refusalFields(response) },
        );
        this.sendJson(res, response);
        return;
      }
    }
  }

  /** Runs a lifecycle call; its rejection becomes the envelope of {@link errorResponse}. */
  private async answer(call: () => Promise<ApiResponse>): Promise<ApiResponse> {
    try {
      return await call();
    } catch (error) {
      const response = errorResponse(error);
      if (response.status >= 500) this.logger.error('The migration failed to answer an API request.', errorField(error));
      return response;
    }
  }

  /**
   * The body as text; `tooLarge` once it exceeds {@link MAX_BODY_BYTES} (reading stops there, and the answer closes
   * the connection), `aborted` when the client went away first. Bodies of requests answered without reading them
   * (401, 404, 405) are drained by node's server itself after the answer.
   */
  private readBody(req: IncomingMessage): Promise<BodyRead> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (outcome: BodyRead): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('close', onClose);
        resolve(outcome);
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) {
          chunks.push(chunk);
          return;
        }
        req.pause();
        finish({ kind: 'tooLarge' });
      };
      const onEnd = (): void => finish({ kind: 'read', text: Buffer.concat(chunks).toString('utf8') });
      const onClose = (): void => finish({ kind: 'aborted' });
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('close', onClose);
    });
  }

  private sendJson(res: ServerResponse, response: ApiResponse, options: { close?: boolean } = {}): void {
    const text = JSON.stringify(response.body);
    res.writeHead(response.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(options.close === true ? { Connection: 'close' } : {}),
      ...response.headers,
    });
    res.end(text);
  }
}

function refusalFields(response: ApiResponse): Record<string, unknown> {
  const body = response.body as { success: boolean; error?: string; errorDescription?: string };
  return body.success ? {} : { code: body.error, reason: body.errorDescription };
}
