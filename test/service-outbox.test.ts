/**
 * The digest outbox on every backend (one suite, as service-locks.test.ts does for locks): claim
 * order and platforms, retry with backoff up to failed, hand-back on shutdown, take-over of a
 * claim under an older fence or gone stale, and at most one send under two concurrent claimers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Recipient } from '../src/recommend/recipient.ts';
import type { ClaimOptions, DigestRef, Outbox, OutboxEntry } from '../src/service/outbox.ts';
import { PostgresOutbox } from '../src/service/outbox-postgres.ts';
import { SqliteOutbox } from '../src/service/outbox-sqlite.ts';
import { migrateServicePg, openServiceDb } from '../src/service/service-db.ts';
import { openPgPool } from '../src/store/postgres-client.ts';
import { announceSkip, freshPgDatabase, PG_URL, type TestDatabase } from './helpers/servers.ts';

if (!PG_URL) announceSkip('PostgreSQL outbox', 'PAPERFEED_TEST_PG_URL');

interface Backend {
  name: string;
  skip: boolean;
  /** Two replicas' outboxes on one fresh backend. */
  open(): Promise<{ a: Outbox; b: Outbox; close(): Promise<void> }>;
}

let root: string;
const databases: TestDatabase[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperfeed-outbox-'));
});
afterAll(async () => {
  for (const db of databases) await db.drop();
  await rm(root, { recursive: true, force: true });
});

let fresh = 0;
const backends: Backend[] = [
  {
    name: 'sqlite (one machine)',
    skip: false,
    async open() {
      // Two connections to one file, as two processes on one machine would have.
      const dir = await mkdtemp(join(root, `sqlite-${fresh++}-`));
      const a = new SqliteOutbox(openServiceDb(dir));
      const b = new SqliteOutbox(openServiceDb(dir));
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  },
  {
    name: 'postgres',
    skip: !PG_URL,
    async open() {
      const db = await freshPgDatabase('outbox');
      databases.push(db);
      const pa = await openPgPool(db.url, { max: 2 });
      const pb = await openPgPool(db.url, { max: 2 });
      await migrateServicePg(pa);
      const a = new PostgresOutbox(pa);
      const b = new PostgresOutbox(pb);
      return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  },
];

const T0 = new Date('2030-01-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const user = (id: string, platform: Recipient['platform'] = 'slack'): Recipient => ({ kind: 'user', platform, id });
const ref = (id: string, date = '2030-01-01', platform: Recipient['platform'] = 'slack'): DigestRef => ({ recipient: user(id, platform), date });
const OPTS: ClaimOptions = { staleMs: 60_000, platforms: ['slack', 'discord', 'cli'] };
const A = { owner: 'replica-a', fence: 1 };
const B = { owner: 'replica-b', fence: 1 };
const RETRY = { maxAttempts: 3, retryAfterMs: 10_000 };

for (const backend of backends) {
  describe.skipIf(backend.skip)(`outbox on ${backend.name}`, () => {
    let a: Outbox;
    let b: Outbox;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ a, b, close } = await backend.open());
    });
    afterEach(async () => {
      await close();
    });

    it('enqueues each (recipient, date) once and claims the oldest first, only on the platforms asked for', async () => {
      expect(await a.enqueue([ref('U1'), ref('U2')], T0)).toBe(2);
      expect(await b.enqueue([ref('U1'), ref('U3', '2030-01-01', 'discord'), ref('U1', '2030-01-02')], at(1))).toBe(2);
      expect(await a.counts()).toEqual({ pending: 4, sending: 0, sent: 0, failed: 0 });

      const slackOnly = { ...OPTS, platforms: ['slack'] };
      const claimed: string[] = [];
      for (let e = await a.claimNext(A, at(2), slackOnly); e; e = await a.claimNext(A, at(2), slackOnly)) {
        expect(e.status).toBe('sending');
        claimed.push(`${e.key}@${e.date}`);
      }
      expect(claimed).toEqual(['slack:user:U1@2030-01-01', 'slack:user:U2@2030-01-01', 'slack:user:U1@2030-01-02']);
      // The Discord digest waits for a replica that runs the Discord bot.
      expect((await b.claimNext(B, at(3), { ...OPTS, platforms: ['discord'] }))?.key).toBe('discord:user:U3');
      expect(await a.counts()).toEqual({ pending: 0, sending: 4, sent: 0, failed: 0 });
    });

    it('marks a claimed entry sent once; the entry keeps when it was sent', async () => {
      await a.enqueue([ref('U1')], T0);
      const e = (await a.claimNext(A, at(1), OPTS))!;
      expect(await a.markSent(e, A, at(2))).toBe(true);
      expect(await a.markSent(e, A, at(3))).toBe(false);
      expect(await b.get(ref('U1'))).toMatchObject({ status: 'sent', attempts: 0, sentAt: at(2).toISOString() });
      expect(await b.claimNext(B, at(4), OPTS)).toBeUndefined();
    });

    it('retries a failed send after the backoff, then gives up as failed after maxAttempts', async () => {
      await a.enqueue([ref('U1')], T0);
      let now = 0;
      for (let attempt = 1; attempt <= RETRY.maxAttempts; attempt++) {
        const e = (await a.claimNext(A, at(now), OPTS))!;
        expect(e.key).toBe('slack:user:U1');
        const status = await a.release(e, A, at(now), { ...RETRY, error: `boom ${attempt}` });
        expect(status).toBe(attempt < RETRY.maxAttempts ? 'pending' : 'failed');
        if (status === 'failed') break;
        // Not due before the backoff has passed, due after it.
        expect(await b.claimNext(B, at(now + RETRY.retryAfterMs - 1), OPTS)).toBeUndefined();
        now += RETRY.retryAfterMs;
      }
      expect(await b.get(ref('U1'))).toMatchObject({ status: 'failed', attempts: 3, lastError: 'boom 3' });
      expect(await b.claimNext(B, at(now + 10 * RETRY.retryAfterMs), OPTS)).toBeUndefined();
      // A very long error is kept clipped.
      await a.enqueue([ref('U2')], T0);
      const e = (await a.claimNext(A, at(now), OPTS))!;
      await a.release(e, A, at(now), { ...RETRY, error: 'x'.repeat(5_000) });
      expect((await a.get(ref('U2')))?.lastError).toHaveLength(1_001);
    });

    it('a hand-back (no error) is pending again at once and counts no attempt', async () => {
      await a.enqueue([ref('U1')], T0);
      const e = (await a.claimNext(A, at(1), OPTS))!;
      expect(await a.release(e, A, at(1), RETRY)).toBe('pending');
      expect(await b.get(ref('U1'))).toMatchObject({ status: 'pending', attempts: 0 });
      const again = (await b.claimNext(B, at(1), OPTS))!;
      expect(again.key).toBe('slack:user:U1');
      // A holder whose claim was taken over can neither send nor hand back.
      expect(await a.markSent(e, A, at(2))).toBe(false);
      expect(await a.release(e, A, at(2), RETRY)).toBe('sending');
      expect(await b.markSent(again, B, at(2))).toBe(true);
    });

    it('a newer fence takes over a sending entry at once; another holder waits until it is stale', async () => {
      await a.enqueue([ref('U1')], T0);
      const e = (await a.claimNext(A, at(0), OPTS))!;
      // Same fence, not stale yet: nobody else may take it.
      expect(await b.claimNext(B, at(1_000), OPTS)).toBeUndefined();
      const newer = { owner: 'replica-b', fence: 2 };
      const taken = (await b.claimNext(newer, at(1_000), OPTS))!;
      expect(taken.key).toBe(e.key);
      expect(await a.markSent(e, A, at(1_001))).toBe(false);
      // Unfinished under the newer holder too: taken over once stale, whatever the fence.
      expect(await a.claimNext(A, at(1_000 + OPTS.staleMs - 1), OPTS)).toBeUndefined();
      expect((await a.claimNext(A, at(1_000 + OPTS.staleMs + 1), OPTS))?.key).toBe(e.key);
      expect(await b.markSent(taken, newer, at(70_000))).toBe(false);
    });

    it('two claimers at once never get the same entry; every digest is sent exactly once', async () => {
      const refs = Array.from({ length: 30 }, (_, i) => ref(`U${i}`));
      await a.enqueue(refs, T0);
      const sent: OutboxEntry[] = [];
      const drain = async (o: Outbox, c: typeof A) => {
        for (let e = await o.claimNext(c, at(1), OPTS); e; e = await o.claimNext(c, at(1), OPTS)) {
          if (await o.markSent(e, c, at(2))) sent.push(e);
        }
      };
      await Promise.all([drain(a, A), drain(b, B), drain(a, A), drain(b, B)]);
      expect(sent.map((e) => e.key).sort()).toEqual(refs.map((r) => `slack:user:${r.recipient.id}`).sort());
      expect(await a.counts()).toEqual({ pending: 0, sending: 0, sent: 30, failed: 0 });
    });

    it('lists, prunes finished entries and forgets a recipient on every platform', async () => {
      await a.enqueue([ref('U1'), ref('U2'), ref('U1', '2030-01-01', 'discord'), ref('U1', '2030-01-02')], T0);
      const e = (await a.claimNext(A, at(1), OPTS))!;
      await a.markSent(e, A, at(1));
      expect((await b.list({ status: 'sent' })).map((x) => x.key)).toEqual([e.key]);
      expect((await b.list({ date: '2030-01-02' })).map((x) => x.key)).toEqual(['slack:user:U1']);
      expect(await b.list()).toHaveLength(4);
      expect(await b.prune(at(0))).toBe(0);
      expect(await b.prune(at(1))).toBe(1);
      expect(await b.forget({ kind: 'user', id: 'U1' })).toBe(2);
      expect((await a.list()).map((x) => x.key)).toEqual(['slack:user:U2']);
    });
  });
}
