// How responsive `serve` stays over a corpus of some size while a day is ingested, the two ways the
// corpus bench measures it, but repeatable on a copy of one kept data dir (A/B runs of one change):
//   cli:   serve runs; a CLI `ingest` of a new day runs against the same data dir; serve follows it;
//   serve: serve ingests a new day itself (its every-minute schedule makes the ingest due);
//   reindex: serve runs; a CLI `reindex` rebuilds the whole index of the same data dir beside it
//            (every core busy with the build for minutes); serve takes up the new generation on
//            its next follow, and the run ends when serve's index holds every stored paper;
//   backfill [N]: serve runs; a CLI `ingest --format arxiv-snapshot` of N new papers (100,000 unless
//            given) runs beside it: many store transactions, then a refit and a whole new
//            generation when the corpus outgrows its fit; the run ends when serve is in step.
// /healthz is polled every 20 ms and dense /api/similar asked in a loop until the ingest (and, for
// cli, serve's follow of it) is done. Prints /healthz p50/p99/max, failed queries and the serve
// thread's event-loop stalls over 100 ms with the CPU it spent in them (BENCH_GAPS of serve-child).
//   node bin/run-ts.js bench/healthz-beside-ingest.ts <kept corpus bench dir> cli|serve|reindex|backfill [N] [--cpu-prof]
// The kept dir comes from `PAPERFEED_BENCH_CORPUS_KEEP=1 npm run bench -- corpus`; it is copied,
// never changed. The new day (1,000 papers, ids of 2031) is generated beside the copy.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../test/helpers/child.ts';
import { generateCorpus, MAX_PER_DAY } from './corpus/generate.ts';
import { readMetrics } from './corpus/serve-process.ts';
import { percentile } from './figures.ts';

const [kept, mode = 'cli', count] = process.argv.slice(2).filter((a) => a !== '--cpu-prof');
const cpuProf = process.argv.includes('--cpu-prof');
const backfillPapers = Number(count ?? 100_000);
if (!kept || !['cli', 'serve', 'reindex', 'backfill'].includes(mode) || !(Number.isInteger(backfillPapers) && backfillPapers > 0)) {
  throw new Error('usage: healthz-beside-ingest.ts <kept corpus bench dir> cli|serve|reindex|backfill [N] [--cpu-prof]');
}
const dir = mkdtempSync(join(tmpdir(), 'paperfeed-beside-'));
const dataDir = join(dir, 'data');
cpSync(join(kept, 'data'), dataDir, { recursive: true });
const snapshot = join(dir, 'new', 'arxiv-snapshot.json');
generateCorpus({
  papers: mode === 'backfill' ? backfillPapers : 1_000,
  out: join(dir, 'new'),
  seed: 2031,
  start: '2031-01-06',
  ...(mode === 'backfill' ? { perDay: MAX_PER_DAY, single: snapshot, singleFormat: 'arxiv-snapshot' as const } : {}),
});
const dayDir = join(dir, 'new', 'days');
mkdirSync(join(dir, 'new', 'nothing'));
const profDir = join(tmpdir(), `paperfeed-profile-${mode}-${Date.now()}`);
const env = {
  PAPERFEED_DATA_DIR: dataDir,
  PAPERFEED_EMBEDDINGS: 'builtin',
  PAPERFEED_LOG_LEVEL: 'info',
  PAPERFEED_LOG_FORMAT: 'json',
  PAPERFEED_INDEX_FOLLOW_SECONDS: '10',
};
const child = startChild('bench/serve-child.ts', [], {
  ...env,
  // serve ingests the new day on its every-minute schedule (mode serve), or an empty folder (mode cli).
  PAPERFEED_SAMPLE_DIR: mode === 'serve' ? dayDir : join(dir, 'new', 'nothing'),
  ...(mode === 'serve' ? { PAPERFEED_INGEST_CRON: '* * * * *' } : {}),
  BENCH_GAPS: '1',
}, cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []);
try {
  await child.waitFor(/LISTENING (\S+)/, 10 * 60_000);
  const url = /LISTENING (\S+)/.exec(child.stdout())![1]!;
  // As in the corpus bench, serve has done its start-up jobs and followed the store once (read its
  // change feed's head) before the CLI ingest; its own ingest is measured from listening on.
  if (mode !== 'serve') {
    await child.waitFor(/INGESTED/, 10 * 60_000);
    await new Promise((r) => setTimeout(r, 12_000));
  }
  const timed = async (path: string) => {
    const t = performance.now();
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      return { ms: performance.now() - t, status: res.status };
    } catch {
      return { ms: performance.now() - t, status: 0 };
    }
  };
  const started = performance.now();
  const gapsBefore = child.stderr().length;
  /** Until serve's index has every stored paper (it follows the store, or its own ingest synced it). */
  const inStep = async () => {
    // A backfill's new generation may still be building in serve when the CLI is done.
    const until = performance.now() + (mode === 'backfill' ? 30 * 60_000 : 120_000);
    while (performance.now() < until) {
      const body = await fetch(`${url}/readyz`).then((r) => r.text());
      const papers = /ok \((\d+) papers/.exec(body)?.[1];
      if (papers !== undefined && body.includes(`, ${papers} vectors`)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const done =
    mode === 'serve'
      ? (async () => {
          // The every-minute schedule makes serve's ingest due (as in the corpus bench).
          const until = performance.now() + 30 * 60_000;
          while (performance.now() < until && (await readMetrics(url))('paperfeed_ingested_papers_total', { outcome: 'added' }) < 1_000) {
            await new Promise((r) => setTimeout(r, 1_000));
          }
          await inStep();
        })()
      : (async () => {
          const args = { cli: ['ingest', dayDir, '--json'], backfill: ['ingest', '--format', 'arxiv-snapshot', snapshot, '--json'] }[mode] ?? ['reindex', '--json'];
          const cli = spawn(process.execPath, ['bin/paperfeed.js', ...args], {
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PAPERFEED_OFFLINE: 'true', ...env },
            stdio: 'ignore',
          });
          const code = await new Promise((r) => cli.on('close', r));
          if (code !== 0) throw new Error(`CLI ${args[0]} exited ${String(code)}`);
          console.log(`CLI ${args[0]}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
          await inStep();
        })();
  let running = true;
  void done.finally(() => (running = false)).catch(() => {});
  const health: number[] = [];
  const similar: number[] = [];
  let failed = 0;
  const poll = (async () => {
    while (running) {
      health.push((await timed('/healthz')).ms);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const query = (async () => {
    for (let i = 0; running; i++) {
      const r = await timed(`/api/similar?q=1901.${String((i % 900) + 1).padStart(5, '0')}&k=10&mode=dense`);
      if (r.status === 200) similar.push(r.ms);
      else failed++;
    }
  })();
  await Promise.all([poll, query, done]);
  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${xs.reduce((a, b) => Math.max(a, b), 0).toFixed(1)} ms (${xs.length})`;
  const what = { reindex: 'CLI reindex', backfill: `CLI backfill of ${backfillPapers.toLocaleString('en')} papers` }[mode] ?? `${mode} ingest of 1,000 papers`;
  console.log(`${what} beside serve, until in step: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`/healthz: ${fmt(health)}`);
  console.log(`/api/similar: ${fmt(similar)}; failed ${failed}`);
  // Raw lines: `mono` finds a stall in a CPU profile (--cpu-prof).
  const stalls = child.stderr().slice(gapsBefore).split('\n').filter((l) => l.startsWith('GAP '));
  console.log(`event-loop stalls over 100 ms: ${stalls.length}\n  ${stalls.join('\n  ')}`);
  // What serve did with its corpus meanwhile (built a generation itself, or took up the CLI's), and
  // anything it warned about: a write that gave up on the store's lock would show here.
  const said = `${child.stdout()}\n${child.stderr()}`.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as { level: number; msg: string }];
    } catch {
      return [];
    }
  });
  const told = said.filter((l) => l.level >= 40 || /generation|refit/.test(l.msg)).map((l) => `${l.level >= 50 ? 'error' : l.level >= 40 ? 'warn' : 'info'}: ${l.msg}`);
  console.log(`serve's corpus lifecycle and warnings: ${told.length}\n  ${told.slice(0, 40).join('\n  ')}`);
} catch (err) {
  console.error(`${(err as Error).message.slice(0, 3_000)}`);
  process.exitCode = 1;
} finally {
  child.process.kill('SIGTERM');
  await child.exited;
  if (cpuProf && existsSync(profDir)) console.log(`CPU profile: ${profDir}/${readdirSync(profDir).join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}
