// Paper store throughput: batched upserts into a fresh SQLite file, and the corpus checksum scan.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PaperInput } from '../src/papers/paper.ts';
import { openDatabase } from '../src/store/sqlite-schema.ts';
import { openSqliteStore, SqlitePaperStore } from '../src/store/sqlite-store.ts';
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

/**
 * File bytes per cached vector: n random 512-d vectors under one provider key in a fresh store
 * file with this page size (16 KB is what new stores get; 4 KB is SQLite's default, which older
 * stores have), after a checkpoint folds the WAL into the file.
 */
function vectorBytes(file: string, pageSize: number, n: number): number {
  const db = openDatabase(file, { pageSize });
  const store = new SqlitePaperStore(db);
  const empty = statSync(file).size;
  let s = 7;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32) - 0.5;
  for (let i = 0; i < n; i += 1_000) {
    const entries = Array.from({ length: Math.min(1_000, n - i) }, (_, j) => ({
      contentHash: createHash('sha256').update(String(i + j)).digest('hex').slice(0, 32),
      vector: Float32Array.from({ length: 512 }, rand),
    }));
    void store.putCachedVectors('builtin:lsa-fit:512', entries);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = (statSync(file).size - empty) / n;
  db.close();
  return bytes;
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
    for (const pageSize of [4_096, 16_384]) {
      const bytes = vectorBytes(join(dir, `vectors-${pageSize}.sqlite`), pageSize, quick ? 5_000 : 20_000);
      figures.push({ bench: 'store', metric: `bytes per 512-d vector, ${pageSize / 1024} KB pages`, value: bytes, unit: 'B', note: '2,048 bytes of floats each' });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
