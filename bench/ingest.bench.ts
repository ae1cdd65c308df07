// The whole ingest path on a JSON Lines file of generated papers: parse, validate, dedupe and
// store, fit the built-in embedder, embed, and build the HNSW index. Three runs, fresh each time.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSampleCorpus } from './retrieval-eval.ts';
import { rng } from '../embeddings/rng.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { openApp } from '../src/service/open-app.ts';
import { readFileSource } from '../src/sources/files.ts';
import { median, timeMs, type Bench } from './figures.ts';

/** Realistic text: titles and abstracts recombined from the sample corpus's own sentences. */
export function generateJsonl(n: number): string {
  const sample = loadSampleCorpus(fileURLToPath(new URL('../data/', import.meta.url)));
  const sentences = sample.flatMap((p) => p.abstract.split(/(?<=\.)\s+/)).filter((s) => s.length > 40);
  const next = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const abstract = Array.from({ length: 6 }, () => pick(sentences)).join(' ');
    lines.push(
      JSON.stringify({
        id: `2501.${String(i).padStart(5, '0')}`,
        title: `${pick(sample).title} (${i})`,
        abstract,
        authors: [`Author ${i % 997}`, `Author ${(i * 7) % 991}`],
        published: '2025-01-15',
      }),
    );
  }
  return lines.join('\n');
}

const bench: Bench = async ({ quick }) => {
  const n = quick ? 2_000 : 10_000;
  const runs = quick ? 1 : 3;
  const dir = await mkdtemp(join(tmpdir(), 'paperfeed-ingest-bench-'));
  try {
    const file = join(dir, 'papers.jsonl');
    await writeFile(file, generateJsonl(n));
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const config = loadConfig({}, {
        PAPERFEED_DATA_DIR: join(dir, `data-${run}`),
        PAPERFEED_EMBEDDINGS: 'builtin',
        PAPERFEED_OFFLINE: 'true',
        PAPERFEED_LOG_LEVEL: 'silent',
      });
      const app = await openApp(config, { log: createLogger('silent') });
      try {
        times.push(await timeMs(() => ingest(app, [readFileSource(file)])));
        if ((await app.store.count()) !== n) throw new Error(`ingest bench: expected ${n} papers stored`);
      } finally {
        await app.close();
      }
    }
    const ms = median(times);
    const note = `${n} papers in one JSONL file, built-in embedder, median of ${runs}`;
    return [
      { bench: 'ingest', metric: `JSONL ingest ${n} papers (store+embed+index)`, value: ms / 1000, unit: 's', note },
      { bench: 'ingest', metric: 'ingest throughput', value: n / (ms / 1000), unit: 'papers/s' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default bench;
