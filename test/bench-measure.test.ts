import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logTimeline } from '../bench/corpus/children.ts';
import { metricSum } from '../bench/corpus/serve-process.ts';
import { failedNote, loopWhile, runLoad } from '../bench/http-load.ts';
import { startLocalServer, type LocalServer } from './helpers/local-server.ts';

// What the corpus and load benches count: a bench that miscounts failures or times out silently
// would report a broken service as a fast one.
describe('bench HTTP load client', () => {
  let server: LocalServer;
  const hanging: (() => void)[] = [];

  beforeAll(async () => {
    server = await startLocalServer({
      '/ok': (_req, res) => void res.end('{}'),
      '/broken': (_req, res) => {
        res.statusCode = 500;
        res.end('{"error":"internal"}');
      },
      // Answers only when the test ends: every request to it must time out on the client.
      '/hang': (_req, res) => void hanging.push(() => res.end()),
    });
  });
  afterAll(async () => {
    for (const end of hanging) end();
    await server.close();
  });

  it('counts failed answers by status and timeouts as failures, keeping every latency', async () => {
    const urls = ['/ok', '/broken', '/hang'].map((p) => server.url + p);
    // A limit far above any answer of the local server, even on a loaded machine: only /hang reaches it.
    const r = await runLoad(urls, { concurrency: 3, seconds: 120, maxRequests: 6, timeoutMs: 5_000 });
    expect(r.latencies).toHaveLength(6);
    expect(r.failures).toBe(4);
    expect(r.failed).toEqual({ 500: 2, timeout: 2 });
    expect(failedNote(r)).toBe('4 failed (500: 2, timeout: 2)');
  });

  it('counts a refused connection as an error', async () => {
    const closed = await startLocalServer(() => {});
    const url = closed.url;
    await closed.close();
    const r = await runLoad([`${url}/ok`], { concurrency: 1, seconds: 60, maxRequests: 2, timeoutMs: 10_000 });
    expect(r.failed).toEqual({ 'error (ECONNREFUSED)': 2 });
  });

  it('loops until the watched promise settles, then stops', async () => {
    let settle!: () => void;
    const until = new Promise<void>((r) => (settle = r));
    const loop = loopWhile([`${server.url}/ok`], until, { timeoutMs: 10_000, pauseMs: 1 });
    while (server.requests.filter((q) => q.path === '/ok').length < 8) await new Promise((r) => setTimeout(r, 5));
    settle();
    const r = await loop;
    expect(r.failures).toBe(0);
    expect(r.latencies.length).toBeGreaterThanOrEqual(3);
    const sent = server.requests.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests.length).toBe(sent);
  });
});

describe('bench readings of the service', () => {
  it('sums /metrics samples by name and labels', () => {
    const text = [
      '# HELP paperfeed_job_runs_total Scheduled job attempts by job and status.',
      '# TYPE paperfeed_job_runs_total counter',
      'paperfeed_job_runs_total{job="ingest",status="ran"} 2',
      'paperfeed_job_runs_total{job="ingest",status="failed"} 1',
      'paperfeed_job_runs_total{job="console-digest",status="ran"} 1',
      'paperfeed_job_runs_total_created 17',
      'paperfeed_papers 100000',
    ].join('\n');
    expect(metricSum(text, 'paperfeed_job_runs_total', { job: 'ingest' })).toBe(3);
    expect(metricSum(text, 'paperfeed_job_runs_total', { job: 'ingest', status: 'ran' })).toBe(2);
    expect(metricSum(text, 'paperfeed_job_runs_total')).toBe(4);
    expect(metricSum(text, 'paperfeed_papers')).toBe(100_000);
    expect(metricSum(text, 'paperfeed_job_runs_total', { job: 'digests' })).toBe(0);
  });

  it('charges the time between JSON log lines to the line that ends it, longest first kept in order', () => {
    const log = [
      JSON.stringify({ level: 30, time: 1_000, msg: 'store opened' }),
      'paperfeed: a plain line',
      JSON.stringify({ level: 30, time: 9_000, msg: 'embedded' }),
      JSON.stringify({ level: 30, time: 9_500, msg: 'index built' }),
    ].join('\n');
    expect(logTimeline({ stderr: log, startedAt: 0, endedAt: 12_000 }, 3)).toEqual([
      { msg: 'store opened', ms: 1_000 },
      { msg: 'embedded', ms: 8_000 },
      { msg: 'exit (after the last log line)', ms: 2_500 },
    ]);
  });
});
