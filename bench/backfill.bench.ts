// Backfill throughput from the arXiv snapshot format: streaming parse alone, and parse + store
// through the ingest pipeline into a fresh SQLite store (embedding excluded: it runs after, in
// the corpus owner), with the RSS growth of the process while a file streams through.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/log.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import type { App } from '../src/service/app.ts';
import { readFileSource } from '../src/sources/files.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { median, timeMs, type Bench, type Figure } from './figures.ts';
import { writeSnapshotFile } from './snapshot-file.ts';

const bench: Bench = async ({ quick }) => {
  const total = quick ? 10_000 : 50_000;
  const runs = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'paperfeed-backfill-bench-'));
  try {
    const file = join(dir, 'arxiv-metadata-oai-snapshot.json');
    await writeSnapshotFile(file, total);
    const mb = statSync(file).size / 1024 / 1024;

    const parseMs: number[] = [];
    for (let r = 0; r < runs; r++) parseMs.push(await timeMs(() => streamThrough(file)));
    // Constant memory: the RSS a stream adds should not grow with the file (compare a file 5x smaller).
    const small = join(dir, 'small.json');
    await writeSnapshotFile(small, total / 5);
    const growthSmall = await rssGrowth(small);
    const growth = await rssGrowth(file);

    const storeMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const store = await openSqliteStore(join(dir, `papers-${r}.sqlite`));
      // Only what ingest uses before the index sync; the sync itself is not part of this figure.
      const app = { store, log: createLogger('silent'), syncIndex: async () => ({ embedded: 0 }) } as unknown as App;
      storeMs.push(await timeMs(() => ingest(app, [readFileSource(file)])));
      await store.close();
    }
    const note = `${total} records, ${mb.toFixed(0)} MB, median of ${runs}`;
    const figures: Figure[] = [
      { bench: 'backfill', metric: 'snapshot parse (stream, validate)', value: (total / median(parseMs)) * 1000, unit: 'papers/s', note },
      { bench: 'backfill', metric: 'snapshot parse + store (fresh SQLite)', value: (total / median(storeMs)) * 1000, unit: 'papers/s', note },
      { bench: 'backfill', metric: 'RSS growth while streaming the file', value: growth / 1024 / 1024, unit: 'MB', note: `file ${mb.toFixed(0)} MB` },
      { bench: 'backfill', metric: 'RSS growth, a file 5x smaller', value: growthSmall / 1024 / 1024, unit: 'MB', note: `${total / 5} records` },
    ];
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

async function streamThrough(file: string): Promise<void> {
  for await (const _chunk of readFileSource(file).read());
}

/** The most the process RSS rose above its level at the start while the file streamed through. */
async function rssGrowth(file: string): Promise<number> {
  const before = process.memoryUsage().rss;
  let peak = before;
  for await (const _chunk of readFileSource(file).read()) peak = Math.max(peak, process.memoryUsage().rss);
  return peak - before;
}

export default bench;
