// The platform-neutral digest schedule: local time by IANA zone (with daylight-saving changes),
// when a digest is due, settings changes, and what delivery outcomes do to a subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../src/commands/reply.ts';
import {
  canonicalTimeZone,
  changeDigest,
  DIGESTS_NAMESPACE,
  dueAt,
  listSubscriptions,
  localClock,
  nextDigest,
  type DigestSender,
  type DigestSubscription,
} from '../src/digests/index.ts';
import type { Recipient } from '../src/recommend/index.ts';
import { runDigestTick, subscribeNow } from './helpers/digest-run.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';
import { subscription } from './helpers/subscription.ts';

/** Attempts per recipient and local day before the day is given up (the outbox's maxAttempts). */
const MAX_ATTEMPTS = 3;
const runDueDigests: typeof runDigestTick = (app, platform, send, now) => runDigestTick(app, platform, send, now, { maxAttempts: MAX_ATTEMPTS });

const sub = subscription;
const at = (iso: string): Date => new Date(iso);

describe('local clock', () => {
  it('accepts IANA zones in any case and refuses offsets and unknown names', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone(' Asia/Tokyo ')).toBe('Asia/Tokyo');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(canonicalTimeZone('+02:00')).toBeUndefined();
    expect(canonicalTimeZone('')).toBeUndefined();
  });

  it('gives the local date and minutes, across daylight saving time', () => {
    expect(localClock(at('2024-01-15T13:30:00Z'), 'America/New_York')).toEqual({ date: '2024-01-15', minutes: 8 * 60 + 30 });
    expect(localClock(at('2024-07-15T12:30:00Z'), 'America/New_York')).toEqual({ date: '2024-07-15', minutes: 8 * 60 + 30 });
    expect(localClock(at('2024-07-15T23:30:00Z'), 'Asia/Tokyo')).toEqual({ date: '2024-07-16', minutes: 8 * 60 + 30 });
  });
});

describe('dueAt', () => {
  it('is due from the local time on, once per local day', () => {
    const s = sub({ timeZone: 'America/New_York', time: '08:00' });
    expect(dueAt([s], at('2024-07-15T11:59:00Z'))).toHaveLength(0);
    expect(dueAt([s], at('2024-07-15T12:00:00Z'))).toEqual([{ subscription: s, localDate: '2024-07-15' }]);
    // Late (the bot was down) still delivers the same local day...
    expect(dueAt([s], at('2024-07-15T20:00:00Z'))).toHaveLength(1);
    // ...but not again once the day is done, and not when turned off.
    expect(dueAt([{ ...s, doneDate: '2024-07-15' }], at('2024-07-15T20:00:00Z'))).toHaveLength(0);
    expect(dueAt([{ ...s, enabled: false }], at('2024-07-15T12:00:00Z'))).toHaveLength(0);
  });

  it('handles a skipped hour and a repeated hour', () => {
    // 2024-03-10: New York jumps from 02:00 to 03:00; a 02:30 digest goes out at 03:00 local.
    const spring = sub({ timeZone: 'America/New_York', time: '02:30' });
    expect(nextDigest(spring, at('2024-03-10T05:00:00Z'))!.toISOString()).toBe('2024-03-10T07:00:00.000Z');
    // 2024-11-03: 01:30 happens twice; the second time the day is already done.
    const fall = sub({ timeZone: 'America/New_York', time: '01:30' });
    expect(dueAt([fall], at('2024-11-03T05:30:00Z'))).toHaveLength(1);
    expect(dueAt([{ ...fall, doneDate: '2024-11-03' }], at('2024-11-03T06:30:00Z'))).toHaveLength(0);
  });
});

describe('settings and delivery', () => {
  let app: SampleApp;
  let empty: SampleApp;
  const alice: Recipient = { kind: 'user', platform: 'slack', id: 'UALICE' };

  beforeAll(async () => {
    [app, empty] = await Promise.all([openSampleApp(), openSampleApp({ ingestSample: false })]);
  });
  afterAll(async () => {
    await Promise.all([app?.dispose(), empty?.dispose()]);
  });

  it('turning a digest on after its time starts tomorrow; before its time, today', async () => {
    const late = await changeDigest(empty, alice, { op: 'timezone', timeZone: 'America/New_York' }, { now: at('2024-07-15T14:00:00Z') });
    expect(late.enabled).toBe(false);
    const on = await changeDigest(empty, alice, { op: 'time', time: '08:00' }, { now: at('2024-07-15T14:00:00Z') });
    expect(on).toMatchObject({ enabled: true, time: '08:00', timeZone: 'America/New_York', next: '2024-07-16T12:00:00.000Z' });

    const bob: Recipient = { kind: 'user', platform: 'discord', id: 'UBOB' };
    const early = await changeDigest(empty, bob, { op: 'on' }, { now: at('2024-07-15T05:00:00Z'), timeZoneHint: 'Europe/Berlin' });
    expect(early).toMatchObject({ timeZone: 'Europe/Berlin', next: '2024-07-15T06:00:00.000Z' });
    // The hint only fills in a new subscription's zone.
    const again = await changeDigest(empty, bob, { op: 'on' }, { now: at('2024-07-15T05:00:00Z'), timeZoneHint: 'Asia/Tokyo' });
    expect(again.timeZone).toBe('Europe/Berlin');
    await expect(changeDigest(empty, bob, { op: 'timezone', timeZone: 'Nowhere/Land' }, { now: new Date() })).rejects.toThrow(/not a time zone/);
  });

  function recordingSender(outcome: 'sent' | 'dead' | Error): DigestSender & { sent: Array<{ recipient: Recipient; reply: Reply }> } {
    const sent: Array<{ recipient: Recipient; reply: Reply }> = [];
    const send = async (recipient: Recipient, reply: Reply) => {
      sent.push({ recipient, reply });
      if (outcome instanceof Error) throw outcome;
      return outcome;
    };
    return Object.assign(send, { sent });
  }

  it('sends a due digest once and records its papers as delivered', async () => {
    const now = new Date();
    const carol: Recipient = { kind: 'user', platform: 'cli', id: 'UCAROL' };
    await subscribeNow(app, carol, now);
    const send = recordingSender('sent');
    expect(await runDueDigests(app, 'cli', send, now)).toEqual([{ recipient: carol, outcome: 'sent' }]);
    expect(send.sent).toHaveLength(1);
    expect(send.sent[0]!.reply).toMatchObject({ visibility: 'private' });
    expect(send.sent[0]!.reply.cards.length).toBeGreaterThan(0);
    // Same day again: nothing due.
    expect(await runDueDigests(app, 'cli', send, new Date(now.getTime() + 60_000))).toEqual([]);
    expect(send.sent).toHaveLength(1);
    const s = (await listSubscriptions(app, 'cli')).find((x) => x.id === 'UCAROL')!;
    expect(s.doneDate).toBe(localClock(now, 'UTC').date);
  });

  it('retries a failing destination on later ticks, then gives the day up', async () => {
    const now = new Date();
    const dave: Recipient = { kind: 'channel', platform: 'discord', id: 'CDAVE' };
    await subscribeNow(app, dave, now);
    const send = recordingSender(new Error('connection reset'));
    const outcomes: string[] = [];
    for (let i = 0; i < MAX_ATTEMPTS + 1; i++) {
      for (const r of await runDueDigests(app, 'discord', send, new Date(now.getTime() + i * 60_000))) outcomes.push(r.outcome);
    }
    expect(outcomes).toEqual([...Array(MAX_ATTEMPTS - 1).fill('failed'), 'gave-up']);
    expect(send.sent).toHaveLength(MAX_ATTEMPTS);
    // A channel digest is the channel's: composed for everyone to see.
    expect(send.sent[0]!.reply.visibility).toBe('channel');
  });

  it('turns the digest off when the destination is gone', async () => {
    const now = new Date();
    const erin: Recipient = { kind: 'channel', platform: 'slack', id: 'CERIN' };
    await subscribeNow(app, erin, now);
    expect(await runDueDigests(app, 'slack', recordingSender('dead'), now)).toEqual([{ recipient: erin, outcome: 'dead' }]);
    const s = (await listSubscriptions(app, 'slack')).find((x) => x.id === 'CERIN')!;
    expect(s.enabled).toBe(false);
    expect(s.disabledReason).toMatch(/could not post there/);
  });

  it('sends nothing on a day without papers, and marks the day done', async () => {
    const now = new Date();
    const fay: Recipient = { kind: 'user', platform: 'slack', id: 'UFAY' };
    await subscribeNow(empty, fay, now);
    const send = recordingSender('sent');
    const results = await runDueDigests(empty, 'slack', send, now);
    expect(results.find((r) => r.recipient.id === 'UFAY')?.outcome).toBe('empty');
    expect(send.sent.filter((x) => x.recipient.id === 'UFAY')).toEqual([]);
    expect((await listSubscriptions(empty, 'slack')).find((x) => x.id === 'UFAY')!.doneDate).toBe(localClock(now, 'UTC').date);
  });

  it('skips an unreadable subscription record and still delivers the others', async () => {
    const now = new Date();
    const gus: Recipient = { kind: 'user', platform: 'discord', id: 'UGUS' };
    await subscribeNow(app, gus, now);
    const kv = app.kv(DIGESTS_NAMESPACE);
    const index = (await kv.get('index')) as string[];
    await kv.set('index', [...index, 'sub:discord:user:UBROKEN']);
    await kv.set('sub:discord:user:UBROKEN', { v: 1, time: 'whenever' });
    const results = await runDueDigests(app, 'discord', recordingSender('sent'), now);
    expect(results.map((r) => r.recipient.id)).toContain('UGUS');
    expect(results.map((r) => r.recipient.id)).not.toContain('UBROKEN');
  });
});
