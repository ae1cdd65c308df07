/**
 * A real HTTP server on 127.0.0.1 (random port) for tests that talk to fake remote APIs: it runs a
 * handler (or a table of routes), records every request it saw, and closes with its connections.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** The full URL, for searchParams. */
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived (before its body was read). */
  receivedAt: number;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** Keys are "METHOD /path" or "/path" (any method); the query string is not part of the match. */
export type Routes = Record<string, Handler>;

export interface LocalServer {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startLocalServer(handlerOrRoutes: Handler | Routes): Promise<LocalServer> {
  const handler = typeof handlerOrRoutes === 'function' ? handlerOrRoutes : routeTable(handlerOrRoutes);
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt,
    };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch (error) {
      if (!res.headersSent) sendText(res, 500, `test handler failed: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging handlers keep sockets open; drop them so close() returns.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function routeTable(routes: Routes): Handler {
  return (req, res) => {
    const route = routes[`${req.method} ${req.url.pathname}`] ?? routes[req.url.pathname];
    if (route) return route(req, res);
    sendText(res, 404, `no route for ${req.method} ${req.url.pathname}`);
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A file body: with its content-length, or `chunked` (64 KB writes, no length: the reader cannot know the size ahead). */
export async function sendBytes(res: ServerResponse, body: Buffer, chunked = false): Promise<void> {
  if (!chunked) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  for (let i = 0; i < body.length && !res.destroyed; i += 64 * 1024) {
    if (!res.write(body.subarray(i, i + 64 * 1024))) await new Promise((r) => res.once('drain', r).once('close', r));
  }
  res.end();
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}
