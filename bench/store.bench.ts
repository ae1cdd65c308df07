// Paper store throughput: batched upserts into a fresh SQLite file, and the corpus checksum scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaperInput } from '../src/papers/paper.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { median, timeMs, type Bench, type Figure } from './figures.ts';

const WORDS = 'neural sparse graph attention diffusion retrieval token latent robust scalable model'.split(' ');

/** Deterministic pseudo-random papers, half with an arXiv id and half known by title only. */
export function generatePapers(n: number, seed = 1): PaperInput[] {
  let s = seed;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  const words = (k: number) => Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  return Array.from({ length: n }, (_, i): PaperInput => {
    const input: PaperInput = {
      title: `${words(6)} ${i}`,
      abstract: `${words(150)} (${i})`,
      authors: [`Author ${i}`, `Author ${i + 1}`],
      source: i % 2 ? 'arxiv-atom' : 'hf-page',
      published: '2025-01-15',
      categories: ['cs.LG'],
    };
    if (i % 2) input.rawId = `2501.${String(i).padStart(5, '0')}`;
    return input;
  });
}

const bench: Bench = async ({ quick }) => {
  const total = quick ? 2_000 : 10_000;
  const batch = 1_000;
  const dir = mkdtempSync(join(tmpdir(), 'paperfeed-store-bench-'));
  try {
    const store = await openSqliteStore(join(dir, 'papers.sqlite'));
    const papers = generatePapers(total);
    const now = new Date('2025-01-15T08:00:00Z');
    let upsertMs = 0;
    for (let i = 0; i < total; i += batch) {
      upsertMs += await timeMs(() => store.upsertPapers(papers.slice(i, i + batch), now));
    }
    const reingestMs = await timeMs(() => store.upsertPapers(papers.slice(0, batch), now));
    const checksum: number[] = [];
    for (let r = 0; r < 5; r++) {
      await store.upsertPapers([], now); // any write drops the cached checksum: time the scan itself
      checksum.push(await timeMs(() => store.corpusChecksum()));
    }
    const cachedMs = await timeMs(() => store.corpusChecksum());
    await store.close();
    const note = `${total} papers, batches of ${batch}`;
    const figures: Figure[] = [
      { bench: 'store', metric: 'upsert', value: (total / upsertMs) * 1000, unit: 'papers/s', note },
      { bench: 'store', metric: 're-ingest (all unchanged)', value: (batch / reingestMs) * 1000, unit: 'papers/s' },
      {
        bench: 'store',
        metric: 'corpusChecksum',
        value: median(checksum),
        unit: 'ms',
        note: `full scan, median of 5, ${total} papers`,
      },
      { bench: 'store', metric: 'corpusChecksum (cached)', value: cachedMs, unit: 'ms', note: 'no write since' },
    ];
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
