/**
 * The one HTTP helper of the network sources: native fetch with a per-attempt timeout, retries with
 * exponential backoff on network errors, timeouts, 429 and 5xx (Retry-After honoured, capped), no
 * retry on other 4xx, and a minimum interval between requests to one host (arXiv asks for 3 s).
 *
 * The interval is kept by a small per-host gate rather than p-throttle: p-throttle spaces the
 * starts of calls, so a slow first request (connection setup) shrinks the gap the server sees,
 * and long requests may overlap. The gate runs one request per host at a time and starts the
 * next one only `minIntervalMs` after the previous one finished.
 */
import { performance } from 'node:perf_hooks';
import pRetry from 'p-retry';
import type { Env } from '../config/config.ts';

export interface HttpOptions {
  /** Per attempt, covering headers and body. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** Delay before the first retry; doubles per retry, with jitter. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A server's Retry-After is honoured up to this long. */
  retryAfterCapMs: number;
  /** Minimum pause between the end of one request to a host and the start of the next (client-wide). */
  minIntervalMs: number;
  userAgent: string;
  /** Bodies larger than this are refused. */
  maxBytes: number;
  /** Told before each retry: useful for logs, and lets tests see the chosen delay. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export type RequestOptions = Partial<Omit<HttpOptions, 'minIntervalMs'>> & {
  headers?: Record<string, string>;
};

export const USER_AGENT = 'paperfeed/0.1 (daily research-paper digest; +https://github.com/paperfeed/paperfeed)';

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  timeoutMs: 20_000,
  retries: 3,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  retryAfterCapMs: 60_000,
  minIntervalMs: 0,
  userAgent: USER_AGENT,
  maxBytes: 50 * 1024 * 1024,
};

/** The options the configuration controls. */
export function httpOptionsFromConfig(
  config: Pick<Env, 'PAPERFEED_HTTP_TIMEOUT_MS' | 'PAPERFEED_HTTP_RETRIES'>,
): Partial<HttpOptions> {
  return { timeoutMs: config.PAPERFEED_HTTP_TIMEOUT_MS, retries: config.PAPERFEED_HTTP_RETRIES };
}

/** A failed request; the message names the method, URL and status or cause. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class HttpClient {
  readonly options: HttpOptions;
  private readonly gates = new Map<string, HostGate>();

  constructor(options: Partial<HttpOptions> = {}) {
    this.options = { ...DEFAULT_HTTP_OPTIONS, ...options };
  }

  async getText(url: string, request: RequestOptions = {}): Promise<string> {
    const o = { ...this.options, ...request };
    const gate = this.gateFor(url);
    let attempts = 0;
    try {
      return await pRetry(
        (attempt) => {
          attempts = attempt;
          return gate ? gate.run(() => this.attempt(url, o, request.headers)) : this.attempt(url, o, request.headers);
        },
        {
          retries: o.retries,
          // The wait happens in onFailedAttempt, where Retry-After is known; p-retry's own timer stays at 0.
          minTimeout: 0,
          maxTimeout: 0,
          shouldRetry: (error) => error instanceof HttpError && error.retryable,
          onFailedAttempt: async (error) => {
            if (!(error instanceof HttpError) || !error.retryable || error.retriesLeft <= 0) return;
            const delayMs = retryDelay(error, error.attemptNumber, o);
            o.onRetry?.({ url, attempt: error.attemptNumber, delayMs, reason: error.message });
            await sleep(delayMs);
          },
        },
      );
    } catch (error) {
      if (error instanceof HttpError && attempts > 1) error.message += ` (gave up after ${attempts} attempts)`;
      throw error;
    }
  }

  private gateFor(url: string): HostGate | undefined {
    if (this.options.minIntervalMs <= 0) return undefined;
    const host = new URL(url).host;
    let gate = this.gates.get(host);
    if (!gate) {
      gate = new HostGate(this.options.minIntervalMs);
      this.gates.set(host, gate);
    }
    return gate;
  }

  private async attempt(url: string, o: HttpOptions, headers: Record<string, string> = {}): Promise<string> {
    const signal = AbortSignal.timeout(o.timeoutMs);
    try {
      const response = await fetch(url, { headers: { 'user-agent': o.userAgent, ...headers }, signal });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const status = response.status;
        throw new HttpError(
          `GET ${url} failed: HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
          url,
          status,
          status === 429 || status >= 500,
          parseRetryAfter(response.headers.get('retry-after')),
        );
      }
      return await readBody(response, url, o.maxBytes);
    } catch (error) {
      throw asHttpError(error, url, o.timeoutMs);
    }
  }
}

/** One request at a time to a host, each starting at least `intervalMs` after the previous one ended. */
class HostGate {
  private tail: Promise<unknown> = Promise.resolve();
  private lastEnd = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  run<T>(request: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      const wait = this.lastEnd + this.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      try {
        return await request();
      } finally {
        this.lastEnd = performance.now();
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function asHttpError(error: unknown, url: string, timeoutMs: number): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return new HttpError(`GET ${url} timed out after ${timeoutMs} ms`, url, undefined, true);
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new HttpError(`GET ${url} failed: ${cause}`, url, undefined, true);
}

async function readBody(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(url, maxBytes);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(url, maxBytes);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(url: string, maxBytes: number): HttpError {
  return new HttpError(`GET ${url}: response is larger than ${maxBytes} bytes`, url, undefined, false);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function retryDelay(error: HttpError, attempt: number, o: HttpOptions): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, o.retryAfterCapMs);
  const base = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (attempt - 1));
  // Jitter keeps several clients that failed together from retrying in lockstep.
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
