// Load on the local HTTP API: concurrent GET /api/similar for a bounded time (30 s, 5 s with
// --quick) against the service in its own process on loopback, with the sample corpus. Reports
// throughput and latency percentiles as the client sees them (connection reuse on, as a proxy
// or bot would have it). Half the queries name a stored paper, half are free text.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPaperFiles } from '../src/sources/files.ts';
import type { Bench, Figure } from './figures.ts';
import { failedNote, max, p50, p99, runLoad } from './http-load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const BENCH = 'load';
const CONCURRENCY = Number(process.env.PAPERFEED_BENCH_LOAD_CONCURRENCY ?? 16);
const WORDS = ['diffusion models', 'graph neural networks', 'optimal transport', 'reinforcement learning from human feedback', 'sparse attention', 'speech recognition', 'protein structure', 'uncertainty calibration'];

const bench: Bench = async ({ quick }) => {
  const seconds = quick ? 5 : 30;
  const dataDir = mkdtempSync(join(tmpdir(), 'paperfeed-load-'));
  const titles = (await readPaperFiles(join(root, 'data'))).papers.map((p) => p.title);
  const queries = titles.flatMap((t, i) => [t, WORDS[i % WORDS.length]!]);

  const child = spawn(process.execPath, [join(root, 'bin/run-ts.js'), join(here, 'load-server.ts')], {
    env: {
      ...process.env,
      PAPERFEED_DATA_DIR: dataDir,
      PAPERFEED_SAMPLE_DIR: join(root, 'data'),
      PAPERFEED_EMBEDDINGS: 'builtin',
      PAPERFEED_OFFLINE: 'true',
      PAPERFEED_LOG_LEVEL: 'warn',
      PAPERFEED_INDEX_FOLLOW_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^READY (\S+)$/m.exec(out);
        if (m) resolveUrl(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`load server exited (${code}) before it was ready`)));
    });

    const r = await runLoad(
      queries.map((q) => `${url}/api/similar?q=${encodeURIComponent(q)}&k=10`),
      { concurrency: CONCURRENCY, seconds, maxRequests: Infinity, timeoutMs: 30_000 },
    );
    const note = `${CONCURRENCY} concurrent clients for ${seconds} s, 425 papers, built-in embedder, loopback`;
    const figures: Figure[] = [
      { bench: BENCH, metric: 'similar throughput', value: r.latencies.length / r.seconds, unit: 'req/s', note },
      { bench: BENCH, metric: 'similar latency p50', value: p50(r), unit: 'ms' },
      { bench: BENCH, metric: 'similar latency p99', value: p99(r), unit: 'ms' },
      { bench: BENCH, metric: 'similar latency max', value: max(r), unit: 'ms' },
      { bench: BENCH, metric: 'similar errors', value: r.failures, unit: 'requests', note: `${failedNote(r)} of ${r.latencies.length}` },
    ];
    return figures;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
