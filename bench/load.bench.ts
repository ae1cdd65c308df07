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
import { median, percentile, type Bench, type Figure } from './figures.ts';

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

    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const started = performance.now();
    const deadline = started + seconds * 1_000;
    const worker = async () => {
      while (performance.now() < deadline) {
        const q = queries[next++ % queries.length]!;
        const t = performance.now();
        try {
          const res = await fetch(`${url}/api/similar?q=${encodeURIComponent(q)}&k=10`);
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - started) / 1_000;
    const note = `${CONCURRENCY} concurrent clients for ${seconds} s, 425 papers, built-in embedder, loopback`;
    const figures: Figure[] = [
      { bench: BENCH, metric: 'similar throughput', value: latencies.length / elapsed, unit: 'req/s', note },
      { bench: BENCH, metric: 'similar latency p50', value: median(latencies), unit: 'ms' },
      { bench: BENCH, metric: 'similar latency p99', value: percentile(latencies, 99), unit: 'ms' },
      { bench: BENCH, metric: 'similar latency max', value: Math.max(...latencies), unit: 'ms' },
      { bench: BENCH, metric: 'similar errors', value: errors, unit: 'requests', note: `of ${latencies.length}` },
    ];
    return figures;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
