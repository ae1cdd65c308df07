// What taking up another process's generation (a CLI `reindex` beside serve) costs a serving
// event loop, on a kept data dir: the shards' graphs read all at once (as a start does) against
// one at a time (as beside a live generation), and the built-in fit decoded, each repeated.
// While it loads, the loop does query-like work (3 ms of CPU every 10 ms, as serve under a query
// loop); printed are the load time and the longest turns of the loop.
//
//   node bin/run-ts.js bench/adoption-loop.ts <data dir> [rounds, default 2]
//
// The data dir (e.g. a copy of `<kept corpus bench dir>/data`) is opened as the service opens it,
// so a store of an older schema is migrated: use a copy. Run `nice -n 10` busy loops beside it to
// see the same on a machine busy with a rebuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { openingEmbedder } from '../src/corpus/embedder-choice.ts';
import { loadShardedIndex } from '../src/index/sharded-index.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { median } from './figures.ts';

const [dataDir, roundsArg = '2'] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: adoption-loop.ts <data dir> [rounds]');
const rounds = Number(roundsArg);
const indexDir = join(dataDir, 'index');
const manifest = JSON.parse(readFileSync(join(indexDir, 'shards.json'), 'utf8')) as { providerKey: string; dimension: number };

/** Runs `fn` while the loop does query-like work; its wall time and the longest turns of the loop. */
async function beside(fn: () => Promise<void>): Promise<{ ms: number; longest: number[] }> {
  const turns: number[] = [];
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    turns.push(now - last);
    last = now;
  }, 1);
  const work = setInterval(() => {
    const until = performance.now() + 3;
    while (performance.now() < until);
  }, 10);
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  turns.push(performance.now() - last);
  clearInterval(probe);
  clearInterval(work);
  return { ms, longest: turns.sort((a, b) => b - a).slice(0, 3) };
}

const fmt = (r: { ms: number; longest: number[] }) => `${(r.ms / 1000).toFixed(2)} s, longest turns ${r.longest.map((t) => t.toFixed(0)).join(' / ')} ms`;
const summary: Record<string, { ms: number[]; longest: number[] }> = {};
const note = (what: string, r: { ms: number; longest: number[] }) => {
  console.log(`${what}: ${fmt(r)}`);
  (summary[what] ??= { ms: [], longest: [] }).ms.push(r.ms);
  summary[what].longest.push(r.longest[0]!);
};

for (let round = 1; round <= rounds; round++) {
  for (const oneAtATime of [false, true]) {
    const r = await beside(async () => {
      const loaded = await loadShardedIndex(indexDir, manifest, { oneAtATime });
      if (!loaded.ok) throw new Error(loaded.message);
      loaded.index.close();
    });
    note(oneAtATime ? 'graphs one at a time' : 'graphs all at once', r);
  }
}
const store = await openSqliteStore(join(dataDir, 'papers.sqlite'));
try {
  const config = loadConfig({ ...process.env, PAPERFEED_EMBEDDINGS: 'builtin', PAPERFEED_DATA_DIR: dataDir });
  for (let round = 1; round <= rounds * 2; round++) {
    note('built-in fit', await beside(async () => void (await openingEmbedder(config, store, pino({ level: 'warn' }), false))));
  }
} finally {
  await store.close();
}
for (const [what, s] of Object.entries(summary)) {
  console.log(`median ${what}: ${(median(s.ms) / 1000).toFixed(2)} s, longest turn ${median(s.longest).toFixed(0)} ms (of ${s.ms.length})`);
}
