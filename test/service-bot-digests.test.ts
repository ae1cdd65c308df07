/**
 * A bot started on its own (`slack start`, `discord start`) delivers through the service's digest
 * job: two such processes on one data dir (or one beside `serve`) share the job lock and the
 * outbox, so a due digest goes out once; a failing destination is retried by the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscriptions, localClock, type DigestSender } from '../src/digests/index.ts';
import type { Recipient } from '../src/recommend/index.ts';
import { openServiceBackends } from '../src/service/backends.ts';
import { startBotDigests } from '../src/service/bot-digests.ts';
import { subscribeNow } from './helpers/digest-run.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

/** A cron that never comes round during a test: runs are started by hand. */
const NEVER = '0 0 29 2 1';

describe('digests of a bot started on its own', () => {
  let app: SampleApp;
  beforeAll(async () => {
    app = await openSampleApp({ env: { PAPERFEED_SCHEDULE_TIMEZONE: 'UTC' } });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('two bot processes on one data dir send a due digest once, and mark the day done', async () => {
    const alice: Recipient = { kind: 'user', platform: 'slack', id: 'UALICE' };
    const now = new Date();
    await subscribeNow(app, alice, now);
    const sent: string[] = [];
    const send: DigestSender = async (r) => (sent.push(r.id), 'sent');
    const [ba, bb] = await Promise.all([openServiceBackends(app.config, 'replica-a'), openServiceBackends(app.config, 'replica-b')]);
    const a = await startBotDigests(app, 'slack', send, { backends: ba, tickCron: NEVER });
    const b = await startBotDigests(app, 'slack', send, { backends: bb, tickCron: NEVER });
    try {
      const outcomes = await Promise.all([a.scheduler.enqueue('digests', 'manual'), b.scheduler.enqueue('digests', 'manual')]);
      // One ran; the other ran after it (nothing left to send) or found the lock taken.
      expect(outcomes.map((o) => o.status)).toContain('ran');
      await Promise.all([a.scheduler.enqueue('digests', 'manual'), b.scheduler.enqueue('digests', 'manual')]);
      expect(sent).toEqual(['UALICE']);
      expect(await ba.outbox.get({ recipient: alice, date: localClock(now, 'UTC').date })).toMatchObject({ status: 'sent', attempts: 0 });
      expect((await listSubscriptions(app, 'slack')).find((s) => s.id === 'UALICE')?.doneDate).toBe(localClock(now, 'UTC').date);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await Promise.all([ba.close(), bb.close()]);
    }
  });

  it('a failing destination stays in the outbox for a later run, counting the attempt', async () => {
    const bob: Recipient = { kind: 'channel', platform: 'discord', id: 'CBOB' };
    const now = new Date();
    await subscribeNow(app, bob, now);
    const send: DigestSender = async () => {
      throw new Error('connection reset');
    };
    const digests = await startBotDigests(app, 'discord', send, { tickCron: NEVER });
    try {
      expect(await digests.scheduler.enqueue('digests', 'manual')).toMatchObject({ status: 'ran', result: { retrying: 1, sent: 0 } });
      await digests.idle();
    } finally {
      await digests.stop();
    }
    const backends = await openServiceBackends(app.config);
    try {
      expect(await backends.outbox.get({ recipient: bob, date: localClock(now, 'UTC').date })).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'connection reset',
      });
    } finally {
      await backends.close();
    }
    // Not done for the day: the outbox, not the subscription, holds the retry.
    expect((await listSubscriptions(app, 'discord')).find((s) => s.id === 'CBOB')?.doneDate).not.toBe(localClock(now, 'UTC').date);
  });
});
