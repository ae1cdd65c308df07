/**
 * A small Prometheus registry writing the text exposition format (version 0.0.4) by hand:
 * counters, histograms, and gauges read at scrape time. Enough for one process's /metrics
 * without a dependency; prom-client would be the drop-in if this ever needs more.
 */

type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/** A gauge's samples, read when /metrics is scraped (each with its own labels). */
export type GaugeCollect = () => Promise<{ labels?: Labels; value: number }[]> | { labels?: Labels; value: number }[];

/** Query latency buckets in seconds: sub-millisecond index hits up to slow cold embeddings. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Family {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  render(name: string): Promise<string[]>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    const values = new Map<string, number>();
    this.add(name, {
      type: 'counter',
      help,
      render: async (n) => [...values].map(([key, v]) => `${n}${key} ${v}`),
    });
    return {
      inc(labels = {}, by = 1) {
        const key = labelText(labels);
        values.set(key, (values.get(key) ?? 0) + by);
      },
    };
  }

  gauge(name: string, help: string, collect: GaugeCollect): void {
    this.add(name, {
      type: 'gauge',
      help,
      render: async (n) => (await collect()).map((s) => `${n}${labelText(s.labels ?? {})} ${s.value}`),
    });
  }

  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
    this.add(name, {
      type: 'histogram',
      help,
      render: async (n) =>
        [...series.values()].flatMap((s) => [
          ...buckets.map((le, i) => `${n}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.counts[i]}`),
          `${n}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`,
          `${n}_sum${labelText(s.labels)} ${s.sum}`,
          `${n}_count${labelText(s.labels)} ${s.count}`,
        ]),
    });
    return {
      observe(labels, value) {
        const key = labelText(labels);
        let s = series.get(key);
        if (!s) series.set(key, (s = { labels, counts: buckets.map(() => 0), sum: 0, count: 0 }));
        // Cumulative buckets: a value counts in every bucket whose bound it does not exceed.
        buckets.forEach((le, i) => {
          if (value <= le) s.counts[i]!++;
        });
        s.sum += value;
        s.count++;
      },
    };
  }

  /** The whole registry in the text format; a gauge that fails to collect is left out, not fatal. */
  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      let lines: string[];
      try {
        lines = await f.render(name);
      } catch {
        continue;
      }
      out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`, ...lines);
    }
    return out.join('\n') + '\n';
  }

  private add(name: string, family: Family): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.families.has(name)) throw new Error(`metric ${name} registered twice`);
    this.families.set(name, family);
  }
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}
