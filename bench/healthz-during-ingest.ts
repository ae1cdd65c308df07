// How responsive `serve` stays while it ingests: a serve process ingests N generated papers at
// start (store, embed, index, and the built-in refit with its new generation), while this process
// polls /healthz every 20 ms and asks /api/similar and /readyz in a loop. Prints the latency
// percentiles, the count of failed queries, and the event-loop stalls the serve process saw. Not part of `npm run bench` (it takes a while):
//   node bin/run-ts.js bench/healthz-during-ingest.ts [papers=5000]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../test/helpers/child.ts';
import { percentile } from './figures.ts';
import { generateJsonl } from './ingest.bench.ts';

const n = Number(process.argv[2] ?? 5_000);
const dir = await mkdtemp(join(tmpdir(), 'paperfeed-healthz-'));
const file = join(dir, 'papers.jsonl');
await writeFile(file, generateJsonl(n));
const child = startChild('bench/serve-child.ts', [], {
  PAPERFEED_DATA_DIR: join(dir, 'data'),
  PAPERFEED_EMBEDDINGS: 'builtin',
  PAPERFEED_SAMPLE_DIR: file,
  PAPERFEED_INDEX_FOLLOW_SECONDS: '0',
  PAPERFEED_LOG_LEVEL: 'info',
  BENCH_GAPS: '1',
});
try {
  await child.waitFor(/LISTENING (\S+)/, 60_000);
  const url = /LISTENING (\S+)/.exec(child.stdout())![1]!;
  let ingesting = true;
  void child
    .waitFor(/INGESTED/, 30 * 60_000)
    .catch(async (err: Error) => console.error(`serve did not finish its ingest (exit ${await child.exited}): ${err.message.slice(-2000)}`))
    .finally(() => (ingesting = false));
  const health: number[] = [];
  const similar: number[] = [];
  let failed = 0;
  let answered = 0;
  const readyStates = new Map<string, number>();
  const timed = async (path: string) => {
    const t = performance.now();
    try {
      const res = await fetch(`${url}${path}`);
      const body = await res.text();
      return { ms: performance.now() - t, status: res.status, body };
    } catch (err) {
      return { ms: performance.now() - t, status: 0, body: String((err as Error).cause ?? err) };
    }
  };
  const started = performance.now();
  const poll = (async () => {
    while (ingesting) {
      health.push((await timed('/healthz')).ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const query = (async () => {
    let i = 0;
    while (ingesting) {
      const id = `2501.${String(i++ % n).padStart(5, '0')}`;
      const r = await timed(`/api/similar?q=${id}&k=5&mode=dense`);
      // 404: not stored yet (the ingest is still storing); anything else but 200 is a failure.
      if (r.status === 200) {
        answered++;
        similar.push(r.ms);
      } else if (r.status !== 404) {
        failed++;
        process.stderr.write(`query failed: ${r.status} ${r.body}\n`);
      }
      const ready = await timed('/readyz');
      const state = `${ready.status} ${/"rebuild":"in progress/.test(ready.body) ? 'rebuilding' : 'live'}`;
      readyStates.set(state, (readyStates.get(state) ?? 0) + 1);
    }
  })();
  await Promise.all([poll, query]);
  const seconds = (performance.now() - started) / 1000;
  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} requests)`;
  console.log(`ingest of ${n} papers inside serve: ${seconds.toFixed(1)} s`);
  console.log(`/healthz during it: ${fmt(health)}`);
  console.log(`/api/similar during it: ${answered ? fmt(similar) : 'none answered'}; failed: ${failed}`);
  console.log(`/readyz answers: ${JSON.stringify(Object.fromEntries(readyStates))}`);
  console.log(child.stdout().split('\n').find((l) => l.startsWith('INGESTED')) ?? '');
  // The machine may be shared: a stall in which the serving thread itself used little CPU is the
  // machine's load, so the serving thread's own longest piece of work is reported too.
  const stalls = [...child.stderr().matchAll(/^GAP (\d+) ms, cpu (\d+) ms/gm)].map((m) => ({ wall: Number(m[1]), cpu: Number(m[2]) }));
  const worst = stalls.reduce((w, s) => (s.cpu > w.cpu ? s : w), { wall: 0, cpu: 0 });
  console.log(`event-loop stalls over 100 ms: ${stalls.length}; the most CPU the serving thread spent in one: ${worst.cpu} ms (a ${worst.wall} ms stall)`);
  // Where the serving thread itself worked 100 ms or more at a stretch: after which log line.
  let after = 'start';
  for (const line of child.stderr().split('\n')) {
    const msg = /"msg":"([^"]*)"/.exec(line);
    if (msg) after = msg[1]!;
    const gap = /^GAP (\d+) ms, cpu (\d+) ms/.exec(line);
    if (gap && Number(gap[2]) >= 100) console.log(`  ${gap[2]} ms of CPU in a ${gap[1]} ms stall, after "${after}"`);
  }
} finally {
  child.process.kill('SIGTERM');
  await child.exited;
  await rm(dir, { recursive: true, force: true });
}
