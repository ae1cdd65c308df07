// `paperfeed serve` as the corpus bench sees it from outside: started as a child on a free
// loopback port, ready when /readyz answers 200, and its scheduled jobs followed through the
// counters of /metrics (Prometheus text), with no hook into the process.
import type { Children, RunningChild } from './children.ts';
import { waitFor200 } from '../http-load.ts';

export interface ServeProcess {
  child: RunningChild;
  url: string;
  /** From spawn to the "serving on" line, and to the first /readyz 200 (ms). */
  listeningMs: number;
  readyMs: number;
  /** Wall clock at spawn (epoch ms), to line up with its log. */
  startedAt: number;
}

const START_LIMIT_MS = 30 * 60_000;

export async function startServe(children: Children, name: string, env: Record<string, string>): Promise<ServeProcess> {
  const started = performance.now();
  const startedAt = Date.now();
  const child = children.start(name, ['serve', '--host', '127.0.0.1', '--port', '0'], { env });
  const m = await child.waitForStderr(/serving on (http:\/\/127\.0\.0\.1:\d+)/, START_LIMIT_MS);
  if (!m) throw new Error(`${name} did not start listening:\n${child.stderr().slice(-2_000)}`);
  const listeningMs = performance.now() - started;
  const readyMs = await waitFor200(`${m[1]}/readyz`, started, START_LIMIT_MS);
  if (readyMs === undefined) throw new Error(`${name}: /readyz never answered 200`);
  return { child, url: m[1]!, listeningMs, readyMs, startedAt };
}

/**
 * One read of /metrics, as a lookup of summed samples (all 0 when it does not answer). The limit is
 * generous: behind a loop of slow queries on a busy event loop, /metrics waits its turn too.
 */
export async function readMetrics(url: string): Promise<(name: string, labels?: Record<string, string>) => number> {
  const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(120_000) }).then((r) => r.text()).catch(() => '');
  return (name, labels) => metricSum(text, name, labels);
}

/** Sum of every sample of `name` whose labels include all of `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Resolves true when done() holds (asked each second), or false after timeoutMs. */
export async function pollUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}
