// Weekly digests: due on their local weekday at their time, once in any 7 days, and through serve's
// path (planner → outbox → deliverer) with an injected clock, taking the week's candidates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../src/commands/reply.ts';
import {
  changeDigest,
  composeDigest,
  DIGESTS_NAMESPACE,
  dueAt,
  listSubscriptions,
  localClock,
  nextDigest,
  weekdayOf,
  type DigestSubscription,
} from '../src/digests/index.ts';
import { addTopic, recordDelivered, type Recipient } from '../src/recommend/index.ts';
import { createLogger } from '../src/log.ts';
import { subscriptionDigests } from '../src/service/digest-outbox.ts';
import { runDigests } from '../src/service/jobs.ts';
import { SqliteOutbox } from '../src/service/outbox-sqlite.ts';
import { openServiceDb } from '../src/service/service-db.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';
import { subscription } from './helpers/subscription.ts';

const sub = (o: Partial<DigestSubscription>): DigestSubscription => subscription({ platform: 'cli', ...o });
const HOUR = 3_600_000;

/** Ticks every `step` from `from` for `hours`, settling each due digest as the planner does; returns when each fired. */
function simulate(s: DigestSubscription, from: string, hours: number, step = HOUR, change?: (at: Date, s: DigestSubscription) => void): string[] {
  const fired: string[] = [];
  for (let t = Date.parse(from); t < Date.parse(from) + hours * HOUR; t += step) {
    const now = new Date(t);
    change?.(now, s);
    for (const d of dueAt([s], now)) {
      fired.push(now.toISOString());
      s.doneDate = d.localDate;
    }
  }
  return fired;
}

describe('weekly cadence', () => {
  it('fires on its local weekday from its time on, once a week', () => {
    // 2026-11-30 is a Monday.
    expect(weekdayOf('2026-11-30')).toBe('monday');
    const fired = simulate(sub({ weekday: 'wednesday' }), '2026-11-30T00:00:00Z', 24 * 15, 15 * 60_000);
    expect(fired).toEqual(['2026-12-02T08:00:00.000Z', '2026-12-09T08:00:00.000Z']);
    // Daily, for comparison: every day.
    expect(simulate(sub({}), '2026-11-30T00:00:00Z', 24 * 7)).toHaveLength(7);
  });

  it('follows the local day and time of its zone, across a daylight-saving change', () => {
    // Sunday 2024-11-03 08:00 in New York: 13:00Z (EST) after the change; the Sunday before, 12:00Z (EDT).
    const fired = simulate(sub({ weekday: 'sunday', timeZone: 'America/New_York' }), '2024-10-26T00:00:00Z', 24 * 10, 30 * 60_000);
    expect(fired).toEqual(['2024-10-27T12:00:00.000Z', '2024-11-03T13:00:00.000Z']);
  });

  it('never twice in a week, even when its day is changed after this week went out', () => {
    const s = sub({ weekday: 'monday' });
    const fired = simulate(s, '2026-11-30T00:00:00Z', 24 * 14, HOUR, (now, x) => {
      if (now.toISOString() === '2026-12-01T10:00:00.000Z') x.weekday = 'thursday';
    });
    // Monday's went out; Thursday that week is too soon; the Thursday after fires.
    expect(fired).toEqual(['2026-11-30T08:00:00.000Z', '2026-12-10T08:00:00.000Z']);
  });

  it('says when the next weekly digest goes out', () => {
    expect(nextDigest(sub({ weekday: 'friday' }), new Date('2026-11-30T09:00:00Z'))?.toISOString()).toBe('2026-12-04T08:00:00.000Z');
    expect(nextDigest(sub({ weekday: 'monday' }), new Date('2026-11-30T07:59:30Z'))?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(nextDigest(sub({ weekday: 'monday', doneDate: '2026-11-30' }), new Date('2026-11-30T09:00:00Z'))?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
    // A half-hour zone: Tuesday 00:10 in Kolkata is Monday 18:40 UTC.
    expect(nextDigest(sub({ weekday: 'tuesday', timeZone: 'Asia/Kolkata', time: '00:10' }), new Date('2026-11-30T09:00:00Z'))?.toISOString()).toBe('2026-11-30T18:40:00.000Z');
  });
});

describe('weekly digests through serve', () => {
  let app: SampleApp;
  let dir: string;
  let outbox: SqliteOutbox;
  beforeAll(async () => {
    app = await openSampleApp();
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-weekly-'));
    outbox = new SqliteOutbox(openServiceDb(dir));
  });
  afterAll(async () => {
    await outbox?.close();
    rmSync(dir, { recursive: true, force: true });
    await app?.dispose();
  });

  it("composes a channel's weekly digest from the week's papers, visible to the channel", async () => {
    const channel: Recipient = { kind: 'channel', platform: 'cli', id: 'CWEEK' };
    const T = new Date(Date.now() + 3 * 24 * HOUR);
    await recordDelivered(app, channel, [], { now: new Date(T.getTime() - HOUR), digestAt: new Date(T.getTime() - HOUR) });
    const weekly = await composeDigest(app, channel, T, 'weekly');
    expect(weekly.picks.window).toMatchObject({ kind: 'last-days', days: 7 });
    expect(weekly.reply).toMatchObject({ visibility: 'channel' });
    expect(weekly.reply.text).toMatch(/This week's papers for this channel\*\*: \d+ papers? from the last 7 days/);
    expect((await composeDigest(app, channel, T)).paperIds).toEqual([]);
  });

  it('reads a subscription stored before cadences as daily', async () => {
    await app.kv(DIGESTS_NAMESPACE).set('index', ['sub:cli:user:OLD']);
    await app.kv(DIGESTS_NAMESPACE).set('sub:cli:user:OLD', { ...sub({ id: 'OLD' }), weekday: undefined });
    const [s] = (await listSubscriptions(app, 'cli')).filter((x) => x.id === 'OLD');
    expect(s!.weekday).toBeUndefined();
    expect(simulate(s!, '2026-11-30T00:00:00Z', 48)).toHaveLength(2);
    await app.kv(DIGESTS_NAMESPACE).delete('sub:cli:user:OLD');
    await app.kv(DIGESTS_NAMESPACE).set('index', []);
  });

  it('fires on the day, once, with the week\'s candidates where a daily digest has only the last day\'s', async () => {
    // The sample papers were first seen at ingest: the clock runs three days ahead of that, on whatever weekday it is.
    const T = new Date(Date.now() + 3 * 24 * HOUR);
    const day = weekdayOf(localClock(T, 'UTC').date);
    const hhmm = new Date(T.getTime() - 60_000).toISOString().slice(11, 16);
    const weekly: Recipient = { kind: 'user', platform: 'cli', id: 'WEEKLY' };
    const daily: Recipient = { kind: 'user', platform: 'cli', id: 'DAILY' };
    for (const r of [weekly, daily]) {
      await addTopic(app, r, 'large language models', { now: new Date(T.getTime() - 2 * 24 * HOUR) });
      // Both had a digest yesterday.
      await recordDelivered(app, r, [], { now: new Date(T.getTime() - 24 * HOUR), digestAt: new Date(T.getTime() - 24 * HOUR) });
      await changeDigest(app, r, { op: 'time', time: hhmm }, { now: new Date(T.getTime() - 24 * HOUR), timeZoneHint: 'UTC' });
    }
    const status = await changeDigest(app, weekly, { op: 'weekly', day }, { now: new Date(T.getTime() - 24 * HOUR) });
    expect(status.next).toBe(new Date(Math.floor((T.getTime() - 60_000) / 60_000) * 60_000).toISOString());

    const sent: { recipient: Recipient; reply: Reply }[] = [];
    let clock = T;
    const { planner, deliverer } = subscriptionDigests(
      app,
      'cli',
      async (recipient, reply) => {
        sent.push({ recipient, reply });
        return 'sent';
      },
      () => clock,
    );
    const run = () =>
      runDigests(
        { outbox, deliverers: { cli: deliverer }, planners: [planner], claimant: { owner: 'test', fence: 1 }, log: createLogger('silent'), maxAttempts: 3, staleMs: 60_000, now: () => clock },
        new AbortController().signal,
      );

    const first = await run();
    expect(first.enqueued).toBe(2);
    const weeklySent = sent.filter((x) => x.recipient.id === 'WEEKLY');
    expect(weeklySent).toHaveLength(1);
    expect(weeklySent[0]!.reply.text).toMatch(/Your week's papers\*\*: \d+ papers? from the last 7 days/);
    expect(weeklySent[0]!.reply.cards.length).toBeGreaterThan(0);
    // The daily digest looks only since yesterday's: the sample papers are older, so it stays quiet.
    expect(sent.filter((x) => x.recipient.id === 'DAILY')).toEqual([]);

    const dueIds = async () => (await planner.due(clock)).map((r) => r.recipient.id);
    for (const later of [HOUR, 24 * HOUR, 3 * 24 * HOUR, 6 * 24 * HOUR]) {
      clock = new Date(T.getTime() + later);
      expect(await dueIds()).not.toContain('WEEKLY');
      await run();
    }
    expect(sent.filter((x) => x.recipient.id === 'WEEKLY')).toHaveLength(1);
    const s = (await listSubscriptions(app, 'cli')).find((x) => x.id === 'WEEKLY')!;
    expect(s).toMatchObject({ weekday: day, doneDate: localClock(T, 'UTC').date });
    // A week on it is due again (its papers were delivered, so it is a quiet week and sends nothing).
    clock = new Date(T.getTime() + 7 * 24 * HOUR);
    expect(await dueIds()).toContain('WEEKLY');
    await run();
    expect((await listSubscriptions(app, 'cli')).find((x) => x.id === 'WEEKLY')!.doneDate).toBe(localClock(clock, 'UTC').date);
    expect(sent.filter((x) => x.recipient.id === 'WEEKLY')).toHaveLength(1);
  });
});
