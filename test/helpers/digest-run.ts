/**
 * One tick of the digest job for one platform, as the service runs it (subscriptions planner,
 * outbox in the App's data dir, the platform's sender), told back per recipient: what the tests of
 * subscription digests assert on.
 */
import { changeDigest, localClock, type DigestSender } from '../../src/digests/index.ts';
import type { Recipient } from '../../src/recommend/index.ts';
import type { App } from '../../src/service/app.ts';
import { subscriptionDigests } from '../../src/service/digest-outbox.ts';
import { runDigests } from '../../src/service/jobs.ts';
import { outboxKey, type DigestRef } from '../../src/service/outbox.ts';
import { SqliteOutbox } from '../../src/service/outbox-sqlite.ts';
import { openServiceDb } from '../../src/service/service-db.ts';

/** Subscribes with a time just before now (UTC), set yesterday: today's digest is due now. */
export async function subscribeNow(app: App, r: Recipient, now: Date): Promise<void> {
  const m = Math.max(0, localClock(now, 'UTC').minutes - 1);
  const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  await changeDigest(app, r, { op: 'time', time: hhmm }, { now: new Date(now.getTime() - 86_400_000) });
}

/** 'empty': nothing to send that day; 'failed': will be retried; 'gave-up': failed maxAttempts times. */
export type DigestOutcome = 'sent' | 'empty' | 'dead' | 'failed' | 'gave-up';

export interface TickOptions {
  maxAttempts?: number;
  /** Earliest retry after a failure (the tests tick once a minute). */
  retryAfterMs?: number;
}

export async function runDigestTick(
  app: App,
  platform: Recipient['platform'],
  send: DigestSender,
  now: Date,
  opts: TickOptions = {},
): Promise<{ recipient: Recipient; outcome: DigestOutcome }[]> {
  const answers = new Map<string, 'sent' | 'dead' | 'threw'>();
  const recording: DigestSender = async (recipient, reply) => {
    try {
      const answer = await send(recipient, reply);
      answers.set(outboxKey(recipient), answer);
      return answer;
    } catch (err) {
      answers.set(outboxKey(recipient), 'threw');
      throw err;
    }
  };
  const { planner, deliverer } = subscriptionDigests(app, platform, recording, () => now);
  const claimed: DigestRef[] = [];
  const outbox = new SqliteOutbox(openServiceDb(app.config.dataDir));
  try {
    await runDigests(
      {
        outbox,
        planners: [planner],
        deliverers: { [platform]: { deliver: (ref: DigestRef, signal: AbortSignal) => (claimed.push(ref), deliverer.deliver(ref, signal)) } },
        claimant: { owner: 'test', fence: 1 },
        log: app.log,
        maxAttempts: opts.maxAttempts ?? app.config.PAPERFEED_OUTBOX_MAX_ATTEMPTS,
        retryAfterMs: opts.retryAfterMs ?? 60_000,
        staleMs: 10 * 60_000,
        now: () => now,
      },
      new AbortController().signal,
    );
    const out: { recipient: Recipient; outcome: DigestOutcome }[] = [];
    for (const ref of claimed) {
      const entry = await outbox.get(ref);
      const answer = answers.get(outboxKey(ref.recipient));
      const outcome: DigestOutcome =
        entry?.status === 'failed' ? 'gave-up' : entry?.status === 'pending' ? 'failed' : answer === undefined ? 'empty' : answer === 'dead' ? 'dead' : 'sent';
      out.push({ recipient: ref.recipient, outcome });
    }
    return out;
  } finally {
    await outbox.close();
  }
}
