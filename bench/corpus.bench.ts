// The product at corpus size, end to end, as a user runs it: a generated corpus (bench/corpus/)
// ingested by the real CLI (`node bin/paperfeed.js …` child processes) into a temp data dir with
// default settings and the built-in embedder, then queried through the real `serve` over HTTP on
// 127.0.0.1. Only public CLI flags and HTTP endpoints are used, so it measures any engine.
//
//   1. generate N papers in daily files, plus three more days held back;
//   2. `ingest <days>` (rate, peak RSS, where the time went), disk size; the next day's
//      1,000-paper increment; one cold `similar <id>`;
//   3. `serve`: time to listening and to /readyz, the first query, the start-up jobs; p50/p99 of
//      similar by id, similar by text and search, sequential and with 16 clients;
//      /healthz and queries in a loop while a CLI ingest of another day runs against the same data
//      dir, and while serve follows it; server RSS; shutdown;
//   4. `serve` again with another day waiting in its ingest folder: /healthz and queries in a loop
//      while serve itself ingests it.
// Every request has a time limit (a timeout counts as a failure) and every child is killed at the
// end, even on failure. A phase that fails ends the run with the figures gathered so far.
//
// Sizes: 100k papers; `--quick` 10k; `--full` 1M; PAPERFEED_BENCH_CORPUS_PAPERS=n any (rounded to
// thousands). PAPERFEED_BENCH_CORPUS_SECONDS: length of each query phase (default 20, 10 quick).
// PAPERFEED_BENCH_CORPUS_SOURCE=arxiv-snapshot ingests the corpus from one file in the arXiv
// metadata snapshot format (`ingest --format arxiv-snapshot`) instead of the folder of daily files.
// PAPERFEED_BENCH_CORPUS_KEEP=1 keeps the temp dir (corpus, data dir, child logs).
// PAPERFEED_BENCH_CORPUS_RESUME=<kept dir> goes on from a kept run whose corpus ingest was stopped
// after storing (the papers are stored, the index is not): `reindex` completes it (the built-in fit
// is deterministic, so the vectors already cached are reused), then steps 2-4 run; with
// PAPERFEED_BENCH_CORPUS_QUERIES_ONLY=1 only the cold CLI similar, serve's start and its queries run
// on the kept data dir as it is (no reindex, no ingest). PAPERFEED_HNSW_*,
// PAPERFEED_SEARCH_MODE, PAPERFEED_HYBRID_* and PAPERFEED_EMBEDDINGS are passed on to the children.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { rng } from '../embeddings/rng.ts';
import { assertOk, Children, diskBytes, failure, logTimeline, processMemory, type CliRun } from './corpus/children.ts';
import Database from 'better-sqlite3';
import { type CorpusSummary, generateCorpus } from './corpus/generate.ts';
import { pollUntil, readMetrics, startServe, type ServeProcess } from './corpus/serve-process.ts';
import { failedNote, loopWhile, max, p50, p99, runLoad, timedGet, type LoadResult } from './http-load.ts';
import type { Bench, Figure } from './figures.ts';

const BENCH = 'corpus';
const PER_DAY = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CONCURRENCY = 16;
/** How long the bench keeps asking after a CLI ingest: serve follows the store every 30 s by default. */
const FOLLOW_WINDOW_MS = 45_000;
/** A day's ingest inside serve, under a loop of queries, gets this long before it counts as not done. */
const SERVE_INGEST_TIMEOUT_MS = 20 * 60_000;
const PASSED_ON = /^PAPERFEED_(HNSW_|SEARCH_|HYBRID_|EMBEDDINGS$)/;
const MB = 1024 * 1024;

interface Settings {
  papers: number;
  seconds: number;
  keep: boolean;
  /** What the corpus is ingested from: the folder of daily JSONL files, or one arXiv snapshot file. */
  source: 'days' | 'arxiv-snapshot';
  /** A kept run's dir to go on from (PAPERFEED_BENCH_CORPUS_RESUME). */
  resume?: string;
  /**
   * With resume: only what reads the kept data dir as it is (cold CLI similar, serve's start and
   * queries), to measure again on a quiet machine without an hour of ingest.
   */
  queriesOnly: boolean;
}

function settings(opts: { quick: boolean; full: boolean }): Settings {
  const env = process.env;
  const papers = Number(env.PAPERFEED_BENCH_CORPUS_PAPERS ?? (opts.full ? 1_000_000 : opts.quick ? 10_000 : 100_000));
  const seconds = Number(env.PAPERFEED_BENCH_CORPUS_SECONDS ?? (opts.quick ? 10 : 20));
  if (!Number.isFinite(papers) || papers < PER_DAY) throw new Error(`PAPERFEED_BENCH_CORPUS_PAPERS: expected at least ${PER_DAY}`);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('PAPERFEED_BENCH_CORPUS_SECONDS: expected a positive number');
  const source = env.PAPERFEED_BENCH_CORPUS_SOURCE ?? 'days';
  if (source !== 'days' && source !== 'arxiv-snapshot') throw new Error(`PAPERFEED_BENCH_CORPUS_SOURCE: expected days or arxiv-snapshot, got '${source}'`);
  const resume = env.PAPERFEED_BENCH_CORPUS_RESUME;
  if (resume !== undefined && !existsSync(join(resume, 'data'))) throw new Error(`PAPERFEED_BENCH_CORPUS_RESUME: ${resume} is not a kept corpus bench dir (no data/)`);
  const queriesOnly = env.PAPERFEED_BENCH_CORPUS_QUERIES_ONLY === '1';
  if (queriesOnly && resume === undefined) throw new Error('PAPERFEED_BENCH_CORPUS_QUERIES_ONLY=1 needs PAPERFEED_BENCH_CORPUS_RESUME=<kept dir>');
  return { papers: Math.round(papers / PER_DAY) * PER_DAY, seconds, keep: resume !== undefined || env.PAPERFEED_BENCH_CORPUS_KEEP === '1', source, queriesOnly, ...(resume ? { resume } : {}) };
}

/** A clean environment for the children: default settings, except the index and search ones given to the bench. */
function childEnv(dataDir: string): Record<string, string> {
  const passed = Object.entries(process.env).filter((e): e is [string, string] => PASSED_ON.test(e[0]) && e[1] !== undefined);
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PAPERFEED_EMBEDDINGS: 'builtin',
    ...Object.fromEntries(passed),
    PAPERFEED_DATA_DIR: dataDir,
    PAPERFEED_OFFLINE: 'true',
    // Info-level JSON logs are what "where the time goes" is read from.
    PAPERFEED_LOG_LEVEL: 'info',
    PAPERFEED_LOG_FORMAT: 'json',
  };
}

/** Short free-text queries: a few consecutive title words (made-up model names included). */
function textQueries(titles: string[]): string[] {
  const next = rng(7);
  return titles.map((t) => {
    const words = t.replace(/[:,()]/g, ' ').split(/\s+/).filter(Boolean);
    const n = 2 + Math.floor(next() * 4);
    const at = Math.floor(next() * Math.max(1, words.length - n));
    return words.slice(at, at + n).join(' ');
  });
}

const bench: Bench = async (opts) => {
  const s = settings(opts);
  const dir = s.resume ?? mkdtempSync(join(tmpdir(), 'paperfeed-corpus-'));
  const dataDir = join(dir, 'data');
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const children = new Children(childEnv(dataDir), logDir);
  const overrides = Object.keys(process.env).filter((k) => PASSED_ON.test(k));
  const base = `${s.papers} papers from ${s.source === 'days' ? 'daily JSONL files' : 'an arXiv snapshot file'}, built-in embedder, ${overrides.length ? `overrides: ${overrides.join(', ')}` : 'default settings'}`;
  const figures: Figure[] = [];
  // Each figure is also printed as it comes: a run of an hour that is stopped keeps what it measured.
  const add = (metric: string, value: number, unit: string, note?: string) => {
    figures.push({ bench: BENCH, metric, value, unit, ...(note ? { note } : {}) });
    process.stderr.write(`corpus:   ${metric}: ${value.toFixed(value >= 100 ? 0 : 2)} ${unit}${note ? ` (${note})` : ''}\n`);
  };
  // Stopping the bench (Ctrl-C, kill) stops its children too: a serve must not outlive it.
  const onSignal = (signal: NodeJS.Signals) => {
    children.killAll();
    process.stderr.write(`corpus bench: ${signal}; children killed${s.keep ? `, ${dir} kept` : ''}\n`);
    if (!s.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const phases: [string, number][] = [];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    process.stderr.write(`corpus: ${name} ...\n`);
    const t = performance.now();
    try {
      return await fn();
    } finally {
      phases.push([name, performance.now() - t]);
    }
  };
  const ingestTimeout = Math.max(600_000, s.papers * 20);
  const timeline = (what: string, run: CliRun, top: number) => {
    for (const g of logTimeline(run, top)) add(`${what}: until "${g.msg}"`, g.ms / 1000, 's');
  };
  const ingestFigures = (what: string, run: CliRun, papers: number) => {
    const report = JSON.parse(run.stdout) as { added: number; skipped: unknown[] };
    add(`${what} wall time`, run.ms / 1000, 's', `${report.added} added, ${report.skipped.length} skipped`);
    add(`${what} rate`, papers / (run.ms / 1000), 'papers/s');
    if (run.peakRss !== undefined) add(`${what} peak RSS`, run.peakRss / MB, 'MB');
    if (report.skipped.length > 0 || report.added !== papers) throw new Error(`${what}: expected ${papers} added and 0 skipped, got ${run.stdout.slice(0, 500)}`);
  };

  try {
    // ---- 1. the corpus ----
    const snapshotFile = join(dir, 'corpus', 'arxiv-snapshot.json');
    const summaryFile = join(dir, 'corpus', 'summary.json');
    const corpus: Pick<CorpusSummary, 'picks'> = s.resume
      ? resumedCorpus(summaryFile, dataDir)
      : await phase('generate', async () => {
          const cpu = process.cpuUsage();
          const c = generateCorpus({
            papers: s.papers + 3 * PER_DAY,
            out: join(dir, 'corpus'),
            perDay: PER_DAY,
            holdBack: 3,
            ...(s.source === 'arxiv-snapshot' ? { single: snapshotFile, singleFormat: 'arxiv-snapshot' as const } : {}),
          });
          const used = process.cpuUsage(cpu);
          add('generate corpus', c.papers / (c.ms / 1000), 'papers/s', `${c.papers} papers, ${c.days.length} daily files, ${c.terms} made-up terms`);
          add('generate corpus (per CPU second)', c.papers / ((used.user + used.system) / 1e6), 'papers/s');
          writeFileSync(summaryFile, JSON.stringify({ picks: c.picks }));
          return c;
        });
    // The three days held back: the daily increment, an ingest while serve runs, and one serve ingests itself.
    const held = ['increment', 'during-serve', 'serve-ingest'].map((name, i) => {
      const folder = join(dir, name);
      if (s.resume) return folder;
      mkdirSync(folder);
      const day = (corpus as CorpusSummary).days.at(i - 3)!;
      renameSync(day.file, join(folder, basename(day.file)));
      return folder;
    });
    const [incrementDir, duringDir, serveIngestDir] = held as [string, string, string];

    // ---- 2. the CLI ----
    if (s.queriesOnly) {
      // Nothing written: the kept index is used as it is.
    } else if (s.resume) {
      await phase('resume: reindex (CLI)', async () => {
        const run = assertOk('reindex', await children.run('reindex', ['reindex', '--json'], ingestTimeout));
        add('resumed corpus: reindex wall time', run.ms / 1000, 's', run.stdout.trim().slice(0, 200));
        if (run.peakRss !== undefined) add('resumed corpus: reindex peak RSS', run.peakRss / MB, 'MB');
        timeline('reindex', run, 5);
      });
    } else await phase('ingest corpus (CLI)', async () => {
      const from = s.source === 'arxiv-snapshot' ? ['--format', 'arxiv-snapshot', snapshotFile] : [join(dir, 'corpus', 'days')];
      const run = assertOk('ingest', await children.run('ingest-corpus', ['ingest', ...from, '--json'], ingestTimeout));
      ingestFigures('ingest corpus', run, s.papers);
      timeline('ingest corpus', run, 5);
      const bytes = diskBytes(dataDir);
      add('data dir size', bytes / MB, 'MB', `${Math.round(bytes / s.papers)} bytes per paper`);
    });
    if (!s.queriesOnly) await phase('daily increment (CLI)', async () => {
      const run = assertOk('increment', await children.run('ingest-increment', ['ingest', incrementDir, '--json'], ingestTimeout));
      ingestFigures('daily increment (1,000 papers)', run, PER_DAY);
      timeline('daily increment', run, 3);
    });
    await phase('cold CLI similar', async () => {
      const run = await children.run('similar-cold', ['similar', corpus.picks[0]!.id, '--json'], 10 * 60_000);
      const failed = failure(run) ?? ((JSON.parse(run.stdout) as unknown[]).length > 0 ? undefined : 'FAILED: no similar papers');
      add('cold CLI similar <id> (one process)', run.ms / 1000, 's', failed);
      if (run.peakRss !== undefined) add('cold CLI similar peak RSS', run.peakRss / MB, 'MB');
    });

    // ---- 3. serve: start, queries, an ingest beside it ----
    const byId = corpus.picks.map((p) => `/api/similar?q=${encodeURIComponent(p.id)}&k=10`);
    const phrases = textQueries(corpus.picks.map((p) => p.title));
    const byText = phrases.map((q) => `/api/similar?q=${encodeURIComponent(q)}&k=10`);
    const search = phrases.map((q) => `/api/search?q=${encodeURIComponent(q)}&k=10`);
    const mixed = byId.flatMap((u, i) => [u, byText[i]!]);
    const kinds: [string, string[]][] = [['similar by id', byId], ['similar by text', byText], ['search', search]];

    const loopFigures = (what: string, health: LoadResult, queries: LoadResult) => {
      add(`/healthz p99 ${what}`, p99(health), 'ms', `${health.latencies.length} probes, ${failedNote(health)}, over ${health.seconds.toFixed(1)} s`);
      add(`/healthz max ${what}`, max(health), 'ms');
      add(`failed queries ${what}`, queries.failures, 'requests', `${failedNote(queries)} of ${queries.latencies.length} (similar by id and by text in a loop); p99 ${p99(queries).toFixed(0)} ms`);
    };
    const whileRunning = async (url: string, running: Promise<unknown>) => {
      const [health, queries] = await Promise.all([
        loopWhile([`${url}/healthz`], running, { timeoutMs: 10_000, pauseMs: 20 }),
        loopWhile(mixed.map((u) => url + u), running, { timeoutMs: REQUEST_TIMEOUT_MS, pauseMs: 0 }),
      ]);
      return { health, queries };
    };
    /**
     * A request that timed out is still worked on by the server; the next phase starts when a
     * /healthz gets through, so that it does not pay for the last one's abandoned requests.
     */
    const settle = async (url: string, what: string) => {
      const a = await timedGet(`${url}/healthz`, 10 * 60_000);
      if (a.ms > 1_000) add(`${what}: server still busy after it`, a.ms / 1000, 's', 'answering abandoned (timed-out) requests');
    };
    let serve: ServeProcess | undefined;

    await phase('serve: start', async () => {
      serve = await startServe(children, 'serve', { PAPERFEED_SAMPLE_DIR: incrementDir });
      add('serve: listening after', serve.listeningMs / 1000, 's');
      add('serve: ready (/readyz 200) after', serve.readyMs / 1000, 's');
      const timelineAtReady = { stderr: serve.child.stderr(), startedAt: serve.startedAt, endedAt: Date.now() };
      for (const g of logTimeline(timelineAtReady, 3, '/readyz 200')) add(`serve start: until "${g.msg}"`, g.ms / 1000, 's');
      const { url, startedAt } = serve;
      // Watched from ready on, beside the first query, which may well be slower than the jobs. A
      // kept dir already served today has no missed run to catch up on: nothing to wait for.
      const jobs = s.queriesOnly ? undefined : pollUntil(async () => {
        const m = await readMetrics(url);
        return m('paperfeed_job_runs_total', { job: 'ingest' }) >= 1 && m('paperfeed_job_runs_total', { job: 'console-digest' }) >= 1;
      }, 10 * 60_000).then((done) => ({ done, ms: Date.now() - startedAt }));
      const first = await timedGet(`${url}${byId[0]}`, 10 * 60_000);
      add('serve: first query (similar by id) latency', first.ms, 'ms', first.status === 200 ? 'right after ready, beside the start-up jobs' : `FAILED: ${first.status}`);
      if (jobs) {
        const { done, ms } = await jobs;
        add('serve: start-up jobs done after', ms / 1000, 's', done ? 'catch-up ingest (an unchanged day) and console digest' : 'NOT DONE within 10 min');
      }
    });
    const url = () => serve!.url;

    for (const [kind, paths] of kinds) {
      await phase(`serve: ${kind} sequential`, async () => {
        const r = await runLoad(paths.map((p) => url() + p), { concurrency: 1, seconds: s.seconds, maxRequests: 500, timeoutMs: REQUEST_TIMEOUT_MS });
        const note = `${r.latencies.length} requests, ${failedNote(r)}`;
        add(`${kind} p50 (sequential)`, p50(r), 'ms', note);
        add(`${kind} p99 (sequential)`, p99(r), 'ms');
        await settle(url(), `${kind} sequential`);
      });
    }
    for (const [kind, paths] of kinds) {
      await phase(`serve: ${kind} ${CONCURRENCY} clients`, async () => {
        const r = await runLoad(paths.map((p) => url() + p), { concurrency: CONCURRENCY, seconds: s.seconds, maxRequests: 20_000, timeoutMs: REQUEST_TIMEOUT_MS });
        add(`${kind} throughput (${CONCURRENCY} clients)`, r.latencies.length / r.seconds, 'req/s', `${r.latencies.length} requests, ${failedNote(r)}`);
        add(`${kind} p50 (${CONCURRENCY} clients)`, p50(r), 'ms');
        add(`${kind} p99 (${CONCURRENCY} clients)`, p99(r), 'ms');
        await settle(url(), `${kind} ${CONCURRENCY} clients`);
      });
    }
    if (!s.queriesOnly) await phase('serve: beside a CLI ingest', async () => {
      const ingest = children.run('ingest-during-serve', ['ingest', duringDir, '--json'], ingestTimeout);
      const during = await whileRunning(url(), ingest);
      const run = await ingest;
      add('CLI ingest of one day beside serve', run.ms / 1000, 's', failure(run));
      loopFigures('during a CLI ingest', during.health, during.queries);
      const after = await whileRunning(url(), new Promise((r) => setTimeout(r, FOLLOW_WINDOW_MS)));
      loopFigures(`in the ${FOLLOW_WINDOW_MS / 1000} s after it (serve follows the store)`, after.health, after.queries);
    });
    await phase('serve: stop', async () => {
      const mem = processMemory(serve!.child.process.pid!);
      if (mem) {
        add('serve RSS after the queries', mem.rss / MB, 'MB');
        add('serve peak RSS', mem.peak / MB, 'MB');
      }
      const t = performance.now();
      await children.stop(serve!.child, 60_000);
      add('serve: shutdown (SIGTERM to exit)', (performance.now() - t) / 1000, 's');
    });

    // ---- 4. serve ingests a day itself (the every-minute schedule makes its catch-up due) ----
    if (!s.queriesOnly) await phase('serve: its own ingest', async () => {
      const own = await startServe(children, 'serve-ingest', { PAPERFEED_SAMPLE_DIR: serveIngestDir, PAPERFEED_INGEST_CRON: '* * * * *' });
      try {
        const t = performance.now();
        const ingested = pollUntil(async () => {
          const m = await readMetrics(own.url);
          return m('paperfeed_ingested_papers_total', { outcome: 'added' }) >= PER_DAY || m('paperfeed_ingest_runs_total', { result: 'error' }) > 0;
        }, SERVE_INGEST_TIMEOUT_MS);
        const during = await whileRunning(own.url, ingested);
        const ok = await ingested;
        add('serve: its own ingest of one day (from ready)', (performance.now() - t) / 1000, 's', ok ? undefined : 'NOT DONE in time');
        loopFigures('while serve ingests', during.health, during.queries);
      } finally {
        await children.stop(own.child, 60_000);
      }
    });
  } catch (err) {
    process.stderr.write(`corpus bench failed: ${(err as Error).message}\n`);
    add('FAILED', 1, '', (err as Error).message.split('\n')[0]);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    children.killAll();
    if (s.keep) process.stderr.write(`corpus bench: kept ${dir} (corpus, data dir, logs/)\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
  for (const [name, ms] of phases) add(`phase: ${name}`, ms / 1000, 's');
  if (figures[0]) figures[0].note = `${figures[0].note ? `${figures[0].note}; ` : ''}${base}`;
  return figures;
};

/** The queries of a kept run: its summary, or (a run from before summaries were kept) papers sampled from its store. */
function resumedCorpus(summaryFile: string, dataDir: string): Pick<CorpusSummary, 'picks'> {
  if (existsSync(summaryFile)) return JSON.parse(readFileSync(summaryFile, 'utf8')) as Pick<CorpusSummary, 'picks'>;
  const db = new Database(join(dataDir, 'papers.sqlite'), { readonly: true });
  try {
    const picks = db.prepare<[], { id: string; title: string }>('SELECT id, title FROM papers ORDER BY random() LIMIT 256').all();
    return { picks };
  } finally {
    db.close();
  }
}

export default bench;
