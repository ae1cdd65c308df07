import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpError, parseRetryAfter, type RetryInfo } from '../src/sources/http.ts';
import { sendText, startLocalServer, type LocalServer } from './helpers/local-server.ts';

// Tiny delays keep the suite fast; the behaviour under test does not depend on their size.
const fast = { backoffMs: 5, maxBackoffMs: 20, timeoutMs: 2_000 };

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('http helper', () => {
  it('retries a 503 and returns the body of the following 200, sending a paperfeed User-Agent', async () => {
    let calls = 0;
    server = await startLocalServer((_req, res) =>
      ++calls === 1 ? sendText(res, 503, 'busy') : sendText(res, 200, 'hello'),
    );
    const retries: RetryInfo[] = [];
    const http = new HttpClient({ ...fast, retries: 2, onRetry: (r) => retries.push(r) });
    await expect(http.getText(`${server.url}/feed`)).resolves.toBe('hello');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers['user-agent']).toMatch(/^paperfeed\//);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ url: `${server.url}/feed`, attempt: 1 });
    expect(retries[0]!.reason).toMatch(/HTTP 503/);
  });

  it('gives up after the configured retries and says so', async () => {
    server = await startLocalServer((_req, res) => sendText(res, 500, 'broken'));
    const http = new HttpClient({ ...fast, retries: 2 });
    const error = await http.getText(`${server.url}/x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe(`GET ${server.url}/x failed: HTTP 500 Internal Server Error (gave up after 3 attempts)`);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 404, and the error names the URL and status', async () => {
    server = await startLocalServer({ '/present': (_req, res) => sendText(res, 200, 'ok') });
    const http = new HttpClient({ ...fast, retries: 3 });
    const url = `${server.url}/api/daily_papers?date=2024-01-15`;
    const error = (await http.getText(url).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(404);
    expect(error.message).toBe(`GET ${url} failed: HTTP 404 Not Found`);
    expect(server.requests).toHaveLength(1);
  });

  it('times out on a server that never answers, naming the URL', async () => {
    server = await startLocalServer(() => {
      /* never responds */
    });
    const http = new HttpClient({ ...fast, timeoutMs: 100, retries: 1 });
    const error = (await http.getText(`${server.url}/slow`).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toBe(`GET ${server.url}/slow timed out after 100 ms (gave up after 2 attempts)`);
    expect(server.requests).toHaveLength(2);
  });

  it('waits as long as a 429 Retry-After asks, up to the cap', async () => {
    let calls = 0;
    server = await startLocalServer((_req, res) =>
      ++calls === 1 ? sendText(res, 429, 'slow down', { 'retry-after': '120' }) : sendText(res, 200, 'ok'),
    );
    const retries: RetryInfo[] = [];
    const http = new HttpClient({ ...fast, retries: 1, retryAfterCapMs: 30, onRetry: (r) => retries.push(r) });
    await expect(http.getText(server.url)).resolves.toBe('ok');
    expect(retries.map((r) => r.delayMs)).toEqual([30]);
    expect(server.requests).toHaveLength(2);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-15T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Mon, 15 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 14 Jan 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('refuses a body over the size limit without retrying', async () => {
    server = await startLocalServer((_req, res) => sendText(res, 200, 'x'.repeat(5_000)));
    const http = new HttpClient({ ...fast, retries: 2, maxBytes: 1_000 });
    await expect(http.getText(server.url)).rejects.toThrow(/larger than 1000 bytes/);
    expect(server.requests).toHaveLength(1);
  });

  it('names the URL when the connection is refused', async () => {
    const closed = await startLocalServer(() => undefined);
    const url = `${closed.url}/gone`;
    await closed.close();
    const http = new HttpClient({ ...fast, retries: 0 });
    await expect(http.getText(url)).rejects.toThrow(`GET ${url} failed: ECONNREFUSED`);
  });

  it('keeps the minimum interval between two requests to one host, one at a time', async () => {
    server = await startLocalServer((_req, res) => sendText(res, 200, 'ok'));
    const http = new HttpClient({ ...fast, minIntervalMs: 150 });
    await Promise.all([http.getText(`${server.url}/a`), http.getText(`${server.url}/b`)]);
    const [first, second] = server.requests;
    // Lower bound only, with a little slack for timer granularity: this checks behaviour, not speed.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(140);
  });
});
