// HTTP load on `paperfeed serve` over loopback, for the benches (load, corpus): every request has a
// time limit (a timeout counts as a failure, it never hangs the bench), and every latency is
// kept, failed ones included, so a percentile is never flattered by dropping the slow requests.
import { percentile, median } from './figures.ts';

export interface LoadResult {
  latencies: number[];
  /** Requests that did not answer 200 with a body in time (timeouts included). */
  failures: number;
  /** Answers that were not 200, by status ("500", "timeout", "error (ECONNREFUSED)"). */
  failed: Record<string, number>;
  seconds: number;
}

export interface Answer {
  ms: number;
  /** The HTTP status, 'timeout', or 'error (<cause>)'. */
  status: number | string;
}

/** One GET, bounded by timeoutMs; the body is read, as a client would. */
export async function timedGet(url: string, timeoutMs: number): Promise<Answer> {
  const t = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - t, status: res.status };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ms: performance.now() - t, status: 'timeout' };
    // Which error matters: a refused connection is the server's, "other side closed" may be a keep-alive race.
    return { ms: performance.now() - t, status: `error (${e.cause?.code ?? e.cause?.message ?? e.message})` };
  }
}

function collector() {
  const result: LoadResult = { latencies: [], failures: 0, failed: {}, seconds: 0 };
  return {
    result,
    add(a: Answer) {
      result.latencies.push(a.ms);
      if (a.status === 200) return;
      result.failures++;
      result.failed[a.status] = (result.failed[a.status] ?? 0) + 1;
    },
  };
}

/**
 * `concurrency` clients, each sending the next of `urls` (round robin) as soon as its last
 * answer is in, until `seconds` have passed or `maxRequests` were sent.
 */
export async function runLoad(urls: string[], opts: { concurrency: number; seconds: number; maxRequests: number; timeoutMs: number }): Promise<LoadResult> {
  const { result, add } = collector();
  const started = performance.now();
  const deadline = started + opts.seconds * 1_000;
  let sent = 0;
  const client = async () => {
    while (performance.now() < deadline && sent < opts.maxRequests) {
      add(await timedGet(urls[sent++ % urls.length]!, opts.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  result.seconds = (performance.now() - started) / 1_000;
  return result;
}

/**
 * One client sending `urls` in a loop, `pauseMs` apart, until `until` settles (then the request
 * in flight is awaited): what a monitor or a user sees while something else happens.
 */
export async function loopWhile(urls: string[], until: Promise<unknown>, opts: { timeoutMs: number; pauseMs: number }): Promise<LoadResult> {
  const { result, add } = collector();
  const started = performance.now();
  let done = false;
  void until.finally(() => (done = true)).catch(() => {});
  for (let i = 0; !done; i++) {
    add(await timedGet(urls[i % urls.length]!, opts.timeoutMs));
    if (!done && opts.pauseMs > 0) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
  result.seconds = (performance.now() - started) / 1_000;
  return result;
}

/** Polls url until it answers 200 (ms since `since`), or gives up after timeoutMs. */
export async function waitFor200(url: string, since: number, timeoutMs: number): Promise<number | undefined> {
  while (performance.now() - since < timeoutMs) {
    const a = await timedGet(url, 2_000);
    if (a.status === 200) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** "n failed (500: 3, timeout: 1)" */
export function failedNote(r: LoadResult): string {
  const by = Object.entries(r.failed).map(([k, v]) => `${k}: ${v}`);
  return `${r.failures} failed${by.length ? ` (${by.join(', ')})` : ''}`;
}

export const p50 = (r: LoadResult): number => (r.latencies.length ? median(r.latencies) : NaN);
export const p99 = (r: LoadResult): number => (r.latencies.length ? percentile(r.latencies, 99) : NaN);
export const max = (r: LoadResult): number => (r.latencies.length ? r.latencies.reduce((a, b) => Math.max(a, b)) : NaN);
