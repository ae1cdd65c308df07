/** One measured figure. Benchmarks print figures; tests never assert on timings. */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

/** A benchmark module's default export. `quick` asks for smaller sizes (used by smoke runs), `full` for the largest (long runs). */
export type Bench = (opts: { quick: boolean; full: boolean }) => Promise<Figure[]>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Wall time of fn in milliseconds. */
export async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
