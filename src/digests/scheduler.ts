/**
 * The daily-digest schedule: every minute, each enabled subscription of a platform whose local time
 * has come and whose local day is not done gets one digest, sent by the platform's `send`.
 */
import { Cron } from 'croner';
import type { Reply } from '../commands/reply.ts';
import type { RecommendApp } from '../recommend/app-parts.ts';
import type { Recipient } from '../recommend/index.ts';
import { localClock, minutesOf } from './clock.ts';
import { composeDigest, confirmDigest } from './compose.ts';
import { digestDefaults } from './settings.ts';
import { listSubscriptions, recipientOf, updateStoredSubscription, type DigestSubscription } from './subscriptions.ts';

/**
 * Delivers a digest: a user's by direct message, a channel's into the channel.
 * 'dead' means the destination is gone for good (bot removed, channel deleted): the subscription is
 * turned off. Throwing means "try again on a later tick" (at most MAX_ATTEMPTS a day).
 */
export type DigestSender = (recipient: Recipient, reply: Reply) => Promise<'sent' | 'dead'>;

/** Attempts per recipient and local day before the day is given up. */
export const MAX_ATTEMPTS = 3;

export type DigestOutcome = 'sent' | 'empty' | 'dead' | 'failed' | 'gave-up';

export interface DueDigest {
  subscription: DigestSubscription;
  /** The local day this digest is for. */
  localDate: string;
}

/** Subscriptions whose digest is due at `now`: enabled, local time reached, local day not done. */
export function dueAt(subs: readonly DigestSubscription[], now: Date): DueDigest[] {
  const out: DueDigest[] = [];
  for (const s of subs) {
    if (!s.enabled) continue;
    const local = localClock(now, s.timeZone);
    if (local.minutes >= minutesOf(s.time) && local.date !== s.doneDate) out.push({ subscription: s, localDate: local.date });
  }
  return out;
}

export async function dueDigests(app: RecommendApp, platform: Recipient['platform'], now: Date): Promise<DueDigest[]> {
  return dueAt(await listSubscriptions(app, platform), now);
}

async function deliverOne(app: RecommendApp, due: DueDigest, send: DigestSender, now: Date): Promise<DigestOutcome> {
  const r = recipientOf(due.subscription);
  const log = app.log.child({ digest: `${r.platform}:${r.kind}:${r.id}`, localDate: due.localDate });
  const mark = (change: (s: DigestSubscription) => void) => updateStoredSubscription(app, r, digestDefaults(app), now, change);
  let outcome: DigestOutcome;
  try {
    const digest = await composeDigest(app, r, now);
    if (digest.paperIds.length === 0) {
      // Quiet days send nothing: a daily "no papers" would teach people to ignore the bot.
      outcome = 'empty';
    } else {
      outcome = await send(r, digest.reply);
      if (outcome === 'sent') await confirmDigest(app, digest, now);
    }
  } catch (err) {
    const failures = due.subscription.failures?.date === due.localDate ? due.subscription.failures.count + 1 : 1;
    const gaveUp = failures >= MAX_ATTEMPTS;
    log[gaveUp ? 'error' : 'warn']({ err, attempt: failures }, gaveUp ? 'digest failed; giving up for today' : 'digest failed; will retry');
    await mark((s) => {
      s.failures = { date: due.localDate, count: failures };
      if (gaveUp) s.doneDate = due.localDate;
    });
    return gaveUp ? 'gave-up' : 'failed';
  }
  await mark((s) => {
    s.doneDate = due.localDate;
    delete s.failures;
    if (outcome === 'dead') {
      s.enabled = false;
      s.disabledReason = `the bot could not post there any more (${now.toISOString().slice(0, 10)})`;
    }
  });
  log.info({ outcome }, outcome === 'dead' ? 'digest destination is gone; digest turned off' : 'digest done');
  return outcome;
}

/** Delivers every due digest of a platform, one after another; returns what happened to each. */
export async function runDueDigests(
  app: RecommendApp,
  platform: Recipient['platform'],
  send: DigestSender,
  now: Date = new Date(),
): Promise<{ recipient: Recipient; outcome: DigestOutcome }[]> {
  const results: { recipient: Recipient; outcome: DigestOutcome }[] = [];
  for (const due of await dueDigests(app, platform, now)) {
    results.push({ recipient: recipientOf(due.subscription), outcome: await deliverOne(app, due, send, now) });
  }
  return results;
}

export interface DigestScheduler {
  /** Resolves when the tick in progress (if any) is done. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Runs `runDueDigests` at the start of every minute (croner; a tick still running makes the next one
 * skip, so a slow platform never gets two digests in flight for one recipient).
 */
export function startDigestScheduler(
  app: RecommendApp,
  opts: { platform: Recipient['platform']; send: DigestSender },
): DigestScheduler {
  let running: Promise<void> = Promise.resolve();
  // Unnamed: croner refuses a second job of the same name, and a process may run a scheduler twice.
  const job = new Cron('* * * * *', { protect: true }, async () => {
    const tick = runDueDigests(app, opts.platform, opts.send, new Date()).then(
      () => undefined,
      (err: unknown) => app.log.error({ err, platform: opts.platform }, 'digest tick failed'),
    );
    running = tick;
    await tick;
  });
  return {
    idle: () => running,
    stop: () => job.stop(),
  };
}
