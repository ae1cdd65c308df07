/**
 * The local HTTP API (node:http, GET only): health, readiness, Prometheus metrics and the query
 * endpoints. Loopback by default; bound anywhere else it refuses to start without a bearer token.
 * Every error is JSON with a code and a message; a stack trace never leaves the process.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/config.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { App } from './app.ts';
import { ApiError, MAX_Q_CHARS, picksRoute, searchRoute, similarRoute } from './http-routes.ts';
import type { Metrics } from './metrics.ts';
import type { ServiceMetrics } from './service-metrics.ts';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export interface HttpApiDeps {
  app: App;
  log: Logger;
  metrics: Metrics;
  counters: ServiceMetrics;
  readiness(): Promise<Readiness>;
  /** Bearer token for /api/* and /metrics; health probes stay open. */
  token?: string | undefined;
}

type Route = (app: App, params: URLSearchParams) => Promise<unknown>;
const QUERY_ROUTES: Record<string, Route> = {
  '/api/similar': similarRoute,
  '/api/search': searchRoute,
  '/api/picks': picksRoute,
};

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Refuses a configuration that would expose the API beyond this machine without a token. */
export function checkApiBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new ConfigError([
      `PAPERFEED_API_TOKEN: required when the HTTP API listens beyond loopback (PAPERFEED_API_HOST=${host}); ` +
        'set a token of at least 16 characters, or bind to 127.0.0.1',
    ]);
  }
}

export function createHttpApi(deps: HttpApiDeps): Server {
  const expected = deps.token ? digest(deps.token) : undefined;
  // The query travels in the URL: room for the longest q percent-encoded (up to 9 bytes a character).
  const server = createServer({ maxHeaderSize: MAX_Q_CHARS * 9 + 8_192 }, (req, res) => {
    void handle(deps, expected, req, res);
  });
  // Slow or idle clients cannot hold connections forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(deps: HttpApiDeps, expected: Buffer | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  let route = 'unknown';
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    route = knownRoute(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      throw new ApiError(405, 'method_not_allowed', `${req.method} is not supported; use GET`);
    }
    if (route === '/healthz') return send(res, 200, { status: 'ok' });
    if (route === '/readyz') {
      const r = await deps.readiness();
      return send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
    }
    if (route === 'unknown') throw new ApiError(404, 'not_found', `no such endpoint: ${url.pathname}`);
    if (expected && !authorized(req, expected)) {
      res.setHeader('www-authenticate', 'Bearer realm="paperfeed"');
      throw new ApiError(401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <PAPERFEED_API_TOKEN>)');
    }
    if (route === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(await deps.metrics.render());
      return;
    }
    const body = await QUERY_ROUTES[route]!(deps.app, url.searchParams);
    deps.counters.queryLatency.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    send(res, 200, body);
  } catch (err) {
    if (err instanceof ApiError) {
      send(res, err.status, { error: { code: err.code, message: err.message, ...(err.parameter ? { parameter: err.parameter } : {}) } });
    } else if (err instanceof UserError) {
      // What the query asked for does not exist or cannot be understood (e.g. an arXiv id not stored).
      const notFound = /not in the store|names no stored paper/.test(err.message);
      send(res, notFound ? 404 : 400, { error: { code: notFound ? 'not_found' : 'bad_request', message: err.message } });
    } else {
      deps.log.error({ route, err: (err as Error)?.message, stack: (err as Error)?.stack }, 'HTTP request failed');
      send(res, 500, { error: { code: 'internal', message: 'internal error; see the server log' } });
    }
  } finally {
    deps.counters.httpRequests.inc({ route, code: String(res.statusCode) });
  }
}

function knownRoute(path: string): string {
  if (path === '/healthz' || path === '/readyz' || path === '/metrics' || path in QUERY_ROUTES) return path;
  return 'unknown';
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Compared as fixed-length digests, so neither the length nor the content leaks through timing. */
function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), expected);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Listens and resolves with the base URL; a port in use is a clear error, not a crash. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`cannot listen on ${host}:${port}: the port is in use (set PAPERFEED_API_PORT or --port)`)
          : new Error(`cannot listen on ${host}:${port}: ${err.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve(`http://${h}:${a.port}`);
    });
  });
}

/** Stops accepting connections, lets in-flight requests finish (up to timeoutMs), then drops the rest. */
export async function closeServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  server.closeAllConnections();
  await closed;
}
