/**
 * Two replicas of the service against the same PostgreSQL and Redis servers (real ones, started
 * by .ci/run): one shared corpus, one outbox, shared kv, and each scheduled job run by exactly
 * one replica, with the locks in Redis or in PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPicks, recordDelivered, type Recipient } from '../src/recommend/index.ts';
import { openServiceBackends } from '../src/service/backends.ts';
import { runDigests, type DigestDeliverer, type DigestPlanner } from '../src/service/jobs.ts';
import { startService, type RunningService } from '../src/service/serve.ts';
import { silentLog } from './helpers/silent-log.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';
import { announceSkip, freshPgDatabase, freshRedisDb, PG_URL, REDIS_URL, type TestDatabase } from './helpers/servers.ts';

const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;
const servers = Boolean(PG_URL && REDIS_URL);
if (!servers) announceSkip('two-replica scale-out tests', 'PAPERFEED_TEST_PG_URL and PAPERFEED_TEST_REDIS_URL');

const recipients: Recipient[] = Array.from({ length: 12 }, (_, i) => ({ kind: 'user', platform: 'slack', id: `U${String(i).padStart(2, '0')}` }));
const DATE = '2031-05-06';

describe.skipIf(!servers).each([
  { locks: 'redis', kv: 'redis', redisDb: 12 },
  { locks: 'postgres', kv: 'redis', redisDb: 13 },
])('two replicas on shared PostgreSQL (papers, outbox), kv in $kv, locks in $locks', ({ locks, kv, redisDb }) => {
  let db: TestDatabase;
  let a: SampleApp;
  let b: SampleApp;
  let sa: RunningService;
  let sb: RunningService;
  const delivered: string[] = [];

  beforeAll(async () => {
    db = await freshPgDatabase(`replicas_${locks}`);
    const redis = await freshRedisDb(redisDb);
    const env = {
      PAPERFEED_SAMPLE_DIR: SAMPLE_FILE,
      PAPERFEED_DATABASE_URL: db.url,
      PAPERFEED_KV_URL: kv === 'redis' ? redis : db.url,
      ...(locks === 'redis' ? { PAPERFEED_LOCK_URL: redis } : {}),
      PAPERFEED_API_PORT: '0',
      PAPERFEED_INDEX_FOLLOW_SECONDS: '1',
    };
    // Separate data dirs: each replica has its own HNSW index files, as on separate machines.
    [a, b] = await Promise.all([openSampleApp({ ingestSample: false, env }), openSampleApp({ ingestSample: false, env })]);
  });

  afterAll(async () => {
    await sa?.stop();
    await sb?.stop();
    await a?.dispose();
    await b?.dispose();
    await db?.drop();
  });

  it('starting together, exactly one replica ingests and one delivers each digest', async () => {
    const planner: DigestPlanner = { due: async () => recipients.map((recipient) => ({ recipient, date: DATE })) };
    const deliverer: DigestDeliverer = {
      async deliver(ref) {
        await new Promise((r) => setTimeout(r, 10));
        delivered.push(ref.recipient.id);
      },
    };
    const opts = { consoleDigest: false, planners: [planner], deliverers: { slack: deliverer }, print: () => {} };
    [sa, sb] = await Promise.all([startService(a, opts), startService(b, opts)]);
    const [oa, ob] = await Promise.all([sa.startup, sb.startup]);
    const ran = (job: string) => [oa[job]?.status, ob[job]?.status].filter((s) => s === 'ran').length;
    expect(ran('ingest')).toBe(1);
    expect([oa.ingest?.status, ob.ingest?.status].sort()).toContain('ran');
    expect(await a.store.count()).toBe(26);
    expect([...delivered].sort()).toEqual(recipients.map((r) => r.id));

    // Both replicas keep asking (every minute in production; here on demand, both at once, three times).
    for (let i = 0; i < 3; i++) await Promise.all([sa.scheduler.enqueue('digests', 'manual'), sb.scheduler.enqueue('digests', 'manual')]);
    expect([...delivered].sort()).toEqual(recipients.map((r) => r.id));
    const ingestRuns = async (s: RunningService) => /^paperfeed_ingest_runs_total\{result="ok"\} (\d+)$/m.exec(await s.metrics.registry.render())?.[1];
    expect([await ingestRuns(sa), await ingestRuns(sb)].filter(Boolean)).toEqual(['1']);
  });

  it('the outbox alone keeps two concurrent senders from sending a digest twice', async () => {
    const more = recipients.map((r) => ({ ...r, id: `${r.id}-x` }));
    const sent: string[] = [];
    const planner: DigestPlanner = { due: async () => more.map((recipient) => ({ recipient, date: DATE })) };
    const deliverer: DigestDeliverer = { deliver: async (ref) => void sent.push(ref.recipient.id) };
    const [ba, bb] = await Promise.all([openServiceBackends(a.config, 'replica-a'), openServiceBackends(b.config, 'replica-b')]);
    try {
      // No job lock at all: both claim from the same outbox at once (FOR UPDATE SKIP LOCKED).
      const deps = (owner: string, fence: number, backends: typeof ba) => ({
        outbox: backends.outbox,
        deliverers: { slack: deliverer },
        planners: [planner],
        claimant: { owner, fence },
        log: silentLog,
        maxAttempts: 3,
        staleMs: 600_000,
      });
      const signal = new AbortController().signal;
      const [ra, rb] = await Promise.all([runDigests(deps('replica-a', 1_000, ba), signal), runDigests(deps('replica-b', 1_000, bb), signal)]);
      expect(ra.sent + rb.sent).toBe(more.length);
      expect([...sent].sort()).toEqual(more.map((r) => r.id).sort());
    } finally {
      await Promise.all([ba.close(), bb.close()]);
    }
  });

  it('each replica\'s own index follows the shared store, so both answer queries about new papers', async () => {
    await a.store.upsertPapers([
      { rawId: '2505.00042', title: 'Quasicrystal Tilings for Transformer Attention', abstract: 'Aperiodic attention masks.', source: 'arxiv-atom' },
    ]);
    // Replica B never ingested it: its follow timer (1 s here) brings its own index in step.
    let hit: string | undefined;
    for (let i = 0; i < 50 && hit !== '2505.00042'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${sb.url}/api/search?q=${encodeURIComponent('quasicrystal tilings attention')}&k=1&mode=dense`);
      hit = ((await res.json()) as { results: { id: string }[] }).results[0]?.id;
    }
    expect(hit).toBe('2505.00042');
    expect(await b.store.corpusChecksum()).toBe(await a.store.corpusChecksum());
  });

  it('user state in the shared kv is seen by every replica', async () => {
    const r: Recipient = { kind: 'channel', platform: 'slack', id: 'C-shared' };
    const before = await getPicks(b, r, { n: 50 });
    const first = before.picks[0]!.paper.id;
    await recordDelivered(a, r, [first]);
    const after = await getPicks(b, r, { n: 50 });
    expect(after.picks.map((p) => p.paper.id)).not.toContain(first);
  });
});

describe.skipIf(!servers)('kv on PostgreSQL (PAPERFEED_KV_URL=postgres://)', () => {
  it('an App using two kv namespaces shares state across replicas and closes cleanly', async () => {
    const db = await freshPgDatabase('kv');
    const env = { PAPERFEED_DATABASE_URL: db.url, PAPERFEED_KV_URL: db.url, PAPERFEED_SAMPLE_DIR: SAMPLE_FILE };
    const one = await openSampleApp({ ingestSample: false, env });
    try {
      await one.kv('alpha').set('k', 1);
      await one.kv('beta').set('k', 2);
      expect(await one.kv('alpha').get('k')).toBe(1);
      await one.close();
    } finally {
      await one.dispose().catch(() => {});
      await db.drop();
    }
  });
});
