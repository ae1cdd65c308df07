/**
 * `paperfeed serve` in-process on embedded defaults (SQLite, no accounts): catch-up schedules,
 * the console digest through the outbox, the HTTP API, and graceful shutdown.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config.ts';
import type { Recipient } from '../src/recommend/index.ts';
import type { DigestDeliverer, DigestPlanner } from '../src/service/jobs.ts';
import { openServiceBackends } from '../src/service/backends.ts';
import { jobStateKey } from '../src/service/schedule.ts';
import { startService, type RunningService } from '../src/service/serve.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;
const SAMPLE_PAPERS = 26;

function smallApp(env: Record<string, string> = {}): Promise<SampleApp> {
  return openSampleApp({
    ingestSample: false,
    env: { PAPERFEED_SAMPLE_DIR: SAMPLE_FILE, PAPERFEED_API_PORT: '0', PAPERFEED_INDEX_FOLLOW_SECONDS: '0', ...env },
  });
}

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, any>) : undefined;
  return { status: res.status, text, json, headers: res.headers };
}

/** The outbox as a fresh process would see it (the service closes its own connections on stop). */
async function outboxList(app: SampleApp, filter: { date?: string } = {}) {
  const backends = await openServiceBackends(app.config);
  try {
    return await backends.outbox.list(filter);
  } finally {
    await backends.close();
  }
}

/** Today in UTC as the console digest names it (the default schedule time zone). */
const utcDate = (d: Date) => d.toISOString().slice(0, 10);

describe('serve on embedded defaults', () => {
  let app: SampleApp;
  let svc: RunningService;
  const printed: string[] = [];

  beforeAll(async () => {
    app = await smallApp();
    svc = await startService(app, { print: (t) => printed.push(t) });
  });
  afterAll(async () => {
    await svc?.stop();
    await app?.dispose();
  });

  it('catches up on start: ingests the sample data, then prints the console digest once', async () => {
    const startup = await svc.startup;
    expect(startup.ingest?.status).toBe('ran');
    expect(startup['console-digest']).toMatchObject({ status: 'ran', result: { enqueued: 1, sent: 1 } });
    expect(await app.store.count()).toBe(SAMPLE_PAPERS);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`paperfeed digest for ${utcDate(new Date())}`);
    expect(printed[0]).toMatch(/Picks for channel console: 5 of 26 papers/);
    const sent = await svc.backends.outbox.list();
    expect(sent.map((e) => [e.key, e.status])).toEqual([['cli:channel:console', 'sent']]);
  });

  it('serves health, readiness and queries', async () => {
    const base = svc.url!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(base, '/healthz')).json).toEqual({ status: 'ok' });
    const ready = await get(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json!.checks.store).toBe(`ok (${SAMPLE_PAPERS} papers)`);

    const [paper] = await app.store.listPapers({ limit: 1, offset: 3 });
    const similar = await get(base, `/api/similar?q=${encodeURIComponent(paper!.title)}&k=3`);
    expect(similar.status).toBe(200);
    expect(similar.json!.query).toMatchObject({ kind: 'paper', paper: { id: paper!.id } });
    expect(similar.json!.results).toHaveLength(3);
    expect(similar.json!.results.map((r: { id: string }) => r.id)).not.toContain(paper!.id);

    const search = await get(base, `/api/search?q=${encodeURIComponent(paper!.title)}&k=2&mode=lexical`);
    expect(search.json!.results[0].id).toBe(paper!.id);

    const picks = await get(base, '/api/picks?channel=general&n=2');
    expect(picks.status).toBe(200);
    expect(picks.json).toMatchObject({ recipient: { kind: 'channel', id: 'general' }, mode: 'general', status: 'ok' });
    expect(picks.json!.picks).toHaveLength(2);
    // A GET is a look: asking again gives the same picks (nothing was recorded as delivered).
    expect((await get(base, '/api/picks?channel=general&n=2')).json!.picks).toEqual(picks.json!.picks);
  });

  it('exposes Prometheus metrics for the store, the index, ingest, posts and query latency', async () => {
    const base = svc.url!;
    await get(base, '/api/similar?q=optimal%20transport&k=2');
    const m = await get(base, '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} (\\S+)$`, 'm').exec(m.text)?.[1]);
    expect(value('paperfeed_papers')).toBe(SAMPLE_PAPERS);
    expect(value('paperfeed_index_vectors')).toBe(SAMPLE_PAPERS);
    // The graph files the saved manifest names, however many shards.
    const indexDir = join(app.config.dataDir, 'index');
    const manifest = JSON.parse(await readFile(join(indexDir, 'shards.json'), 'utf8')) as { graphFiles: string[] };
    const sizes = await Promise.all(manifest.graphFiles.map(async (f, i) => (await stat(join(indexDir, `shard-${i}`, f))).size));
    expect(value('paperfeed_index_bytes')).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(value('paperfeed_index_bytes')).toBeGreaterThan(0);
    expect(value('paperfeed_ingest_runs_total{result="ok"}')).toBe(1);
    expect(value('paperfeed_ingested_papers_total{outcome="added"}')).toBe(SAMPLE_PAPERS);
    expect(value('paperfeed_posts_total{platform="cli",result="sent"}')).toBe(1);
    expect(value('paperfeed_outbox_entries{status="sent"}')).toBe(1);
    expect(value('paperfeed_query_duration_seconds_count{route="/api/similar"}')).toBeGreaterThanOrEqual(2);
    expect(value('paperfeed_query_duration_seconds_bucket{route="/api/similar",le="+Inf"}')).toBe(
      value('paperfeed_query_duration_seconds_count{route="/api/similar"}'),
    );
    expect(m.text).toMatch(/^# TYPE paperfeed_query_duration_seconds histogram$/m);
    expect(m.text).toMatch(/^paperfeed_llm_chat_requests \d+$/m);
  });

  it('answers malformed queries with a 4xx JSON error naming the parameter, never a stack trace', async () => {
    const base = svc.url!;
    const cases: [string, number, RegExp, string?][] = [
      ['/api/similar', 400, /^q: is required$/, 'q'],
      ['/api/similar?q=', 400, /^q: must not be empty$/, 'q'],
      ['/api/similar?q=x&k=0', 400, /^k: expected a whole number from 1 to 100$/, 'k'],
      ['/api/similar?q=x&k=abc', 400, /^k: expected a whole number/, 'k'],
      ['/api/similar?q=x&k=1e9', 400, /^k: /, 'k'],
      ['/api/similar?q=x&since=2024-02-31', 400, /^since: not a real date$/, 'since'],
      ['/api/search?q=x&mode=fuzzy', 400, /^mode: /, 'mode'],
      ['/api/search?q=x&q=y', 400, /^q: given 2 times/, 'q'],
      ['/api/search?q=x&limit=3', 400, /^limit: unknown parameter$/, 'limit'],
      ['/api/picks', 400, /give exactly one of user= or channel=/],
      ['/api/picks?user=a&channel=b', 400, /give exactly one of user= or channel=/],
      ['/api/picks?user=a&n=51', 400, /^n: expected a whole number from 1 to 50$/, 'n'],
      ['/api/picks?user=%01x', 400, /^user: must not contain control characters$/, 'user'],
      ['/api/similar?q=arXiv:2401.99999', 404, /2401\.99999 is not in the store/],
      ['/api/nothing', 404, /no such endpoint/],
    ];
    for (const [path, status, message, parameter] of cases) {
      const r = await get(base, path);
      expect(r.status, path).toBe(status);
      expect(r.json!.error.message, path).toMatch(message);
      if (parameter) expect(r.json!.error.parameter, path).toBe(parameter);
      expect(r.text, path).not.toMatch(/\n\s+at /);
    }
    const post = await fetch(`${base}/api/search?q=x`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('accepts a whole pasted abstract as q (up to 10,000 characters, any script) and refuses a longer one', async () => {
    await svc.startup;
    const base = svc.url!;
    const [paper] = await app.store.listPapers({ limit: 1, offset: 5 });
    // The paper's own abstract, repeated past 1,000 characters: the nearest hit is the paper itself.
    let abstract = paper!.abstract;
    while (abstract.length < 4_000) abstract += ` ${paper!.abstract}`;
    const similar = await get(base, `/api/similar?q=${encodeURIComponent(abstract)}&k=3`);
    expect(similar.status, similar.text).toBe(200);
    expect(similar.json!.query.kind).toBe('text');
    expect(similar.json!.results[0].id).toBe(paper!.id);
    const search = await get(base, `/api/search?q=${encodeURIComponent(abstract)}&k=3`);
    expect(search.status, search.text).toBe(200);
    expect(search.json!.results[0].id).toBe(paper!.id);

    // 10,000 characters of three-byte UTF-8: 90,000 bytes of URL, still a request the server reads.
    const cjk = await get(base, `/api/similar?q=${encodeURIComponent('漢'.repeat(10_000))}&k=1`);
    expect(cjk.status, cjk.text).toBe(200);

    const tooLong = await get(base, `/api/similar?q=${'a'.repeat(10_001)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.json!.error).toMatchObject({ parameter: 'q', message: 'q: must be at most 10000 characters' });
  });

  it('a restart the same day runs nothing again; the next day each slot runs once', async () => {
    await svc.stop();
    const again: string[] = [];
    const same = await startService(app, { http: false, print: (t) => again.push(t) });
    expect(await same.startup).toEqual({});
    await same.stop();
    expect(again).toEqual([]);

    // The next day at 09:00 UTC: the 06:00 ingest and the 08:00 console digest were missed: each runs once.
    const tomorrow = new Date(Date.now() + 24 * 3_600_000);
    tomorrow.setUTCHours(9, 0, 0, 0);
    const next = await startService(app, { http: false, print: (t) => again.push(t), now: () => tomorrow });
    const outcomes = await next.startup;
    await next.stop();
    expect(Object.fromEntries(Object.entries(outcomes).map(([k, v]) => [k, v.status]))).toEqual({ ingest: 'ran', 'console-digest': 'ran' });
    expect(again).toHaveLength(1);
    expect(again[0]).toContain(`paperfeed digest for ${utcDate(tomorrow)}`);
    expect(JSON.parse((await app.store.getMeta(jobStateKey('ingest')))!)).toMatchObject({ lastRun: tomorrow.toISOString(), status: 'ok' });
    expect((await outboxList(app)).map((e) => e.date)).toEqual([utcDate(new Date()), utcDate(tomorrow)]);
  });
});

describe('warm-up before ready', () => {
  it('runs queries on stored papers before /readyz says ready and before the start-up jobs', async () => {
    const app = await smallApp();
    let svc: RunningService | undefined;
    try {
      const { added } = await app.store.upsertPapers([
        { rawId: '2401.00001', title: 'Consistency distillation for diffusion samplers', abstract: 'Few-step sampling.', source: 'arxiv-atom' },
        { rawId: '2401.00002', title: 'Message passing on heterophilous graphs', abstract: 'Signed edges.', source: 'arxiv-atom' },
      ]);
      await app.syncIndex({ changes: { upserted: added, removed: [] } });
      // The warm-up's queries wait at a gate: the service must not be ready meanwhile.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const asked: string[] = [];
      const similar = app.search.similar.bind(app.search);
      app.search.similar = async (q, o) => {
        asked.push(q);
        await gate;
        return similar(q, o);
      };
      svc = await startService(app, { print: () => {} });
      const pending = await get(svc.url!, '/readyz');
      expect(pending.status).toBe(503);
      expect(pending.json!.checks.warmUp).toBe('in progress');
      // The newest papers first, one query at a time.
      expect(asked).toHaveLength(1);
      expect(added).toContain(asked[0]);
      expect(await app.store.count()).toBe(2);
      open();
      // Then the catch-up ingest runs (the sample file's papers arrive) and the service is ready.
      expect((await svc.startup).ingest?.status).toBe('ran');
      expect(await app.store.count()).toBe(2 + SAMPLE_PAPERS);
      const ready = await get(svc.url!, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json!.checks.warmUp).toBeUndefined();
      expect([...new Set(asked)].sort()).toEqual([...added].sort());
    } finally {
      await svc?.stop();
      await app.dispose();
    }
  });
});

describe('HTTP API access', () => {
  let app: SampleApp;
  beforeAll(async () => {
    app = await smallApp({ PAPERFEED_API_TOKEN: 'a-test-token-of-32-characters-xx' });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('requires the bearer token for /api and /metrics when one is set; health probes stay open', async () => {
    const svc = await startService(app, { print: () => {} });
    try {
      await svc.startup;
      const base = svc.url!;
      expect((await get(base, '/healthz')).status).toBe(200);
      expect((await get(base, '/readyz')).status).toBe(200);
      const denied = await get(base, '/api/search?q=loss');
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await get(base, '/metrics')).status).toBe(401);
      expect((await get(base, '/api/search?q=loss', { authorization: 'Bearer wrong-token-of-the-same-size-xx' })).status).toBe(401);
      expect((await get(base, '/api/search?q=loss', { authorization: 'Bearer a-test-token-of-32-characters-xx' })).status).toBe(200);
    } finally {
      await svc.stop();
    }
  });

  it('refuses to listen beyond loopback without a token, naming the variable', async () => {
    const open = await smallApp();
    try {
      const err = await startService(open, { host: '0.0.0.0', print: () => {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/PAPERFEED_API_TOKEN: required when the HTTP API listens beyond loopback \(PAPERFEED_API_HOST=0\.0\.0\.0\)/);
    } finally {
      await open.dispose();
    }
  });
});

describe('graceful shutdown during a digest run', () => {
  let app: SampleApp;
  beforeAll(async () => {
    app = await smallApp();
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('finishes the message in flight, leaves the rest pending, and a later run sends each exactly once', async () => {
    const recipients: Recipient[] = Array.from({ length: 6 }, (_, i) => ({ kind: 'user', platform: 'slack', id: `U${i}` }));
    const date = '2030-01-02';
    const planner: DigestPlanner = { due: async () => recipients.map((recipient) => ({ recipient, date })) };
    const delivered: string[] = [];
    let firstStarted!: () => void;
    const started = new Promise<void>((resolve) => (firstStarted = resolve));
    const slow: DigestDeliverer = {
      async deliver(ref) {
        firstStarted();
        await new Promise((r) => setTimeout(r, 150));
        delivered.push(ref.recipient.id);
      },
    };
    const svc = await startService(app, { http: false, consoleDigest: false, planners: [planner], deliverers: { slack: slow }, print: () => {} });
    await started;
    await svc.stop('test');
    const afterStop = [...delivered];
    expect(afterStop.length).toBeGreaterThanOrEqual(1);
    expect(afterStop.length).toBeLessThan(recipients.length);
    const entries = await outboxList(app, { date });
    expect(entries.filter((e) => e.status === 'sending')).toEqual([]);
    expect(entries.filter((e) => e.status === 'sent').map((e) => e.recipient.id).sort()).toEqual([...afterStop].sort());

    // Started again: the rest go out, the ones already sent do not.
    const fast: DigestDeliverer = { deliver: async (ref) => void delivered.push(ref.recipient.id) };
    const again = await startService(app, { http: false, consoleDigest: false, planners: [planner], deliverers: { slack: fast }, print: () => {} });
    await again.startup;
    expect(await again.scheduler.enqueue('digests', 'manual')).toMatchObject({ status: 'ran' });
    await again.stop();
    expect([...delivered].sort()).toEqual(recipients.map((r) => r.id).sort());
    expect((await outboxList(app, { date })).every((e) => e.status === 'sent')).toBe(true);
  });

  it('retries a failed delivery later and gives up after PAPERFEED_OUTBOX_MAX_ATTEMPTS', async () => {
    const recipient: Recipient = { kind: 'channel', platform: 'discord', id: 'C-broken' };
    let clock = new Date('2030-02-01T10:00:00Z');
    let attempts = 0;
    const svc = await startService(app, {
      http: false,
      consoleDigest: false,
      planners: [{ due: async () => [{ recipient, date: '2030-02-01' }] }],
      deliverers: {
        discord: {
          async deliver() {
            attempts++;
            throw new Error('HTTP 503 from the platform');
          },
        },
      },
      now: () => clock,
      print: () => {},
    });
    try {
      await svc.startup;
      for (let i = 0; i < 6; i++) {
        clock = new Date(clock.getTime() + 10 * 60_000);
        await svc.scheduler.enqueue('digests', 'manual');
      }
      const [entry] = await outboxList(app, { date: '2030-02-01' });
      expect(entry).toMatchObject({ status: 'failed', attempts: 5, lastError: 'HTTP 503 from the platform' });
      expect(attempts).toBe(5);
    } finally {
      await svc.stop();
    }
  });
});
