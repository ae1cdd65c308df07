/**
 * Digests on Discord: a user's by DM (POST /users/@me/channels, then a message there), a channel's
 * into the channel, on the shared schedule (src/digests), through discord.js's REST client to the
 * fake Discord API; dead destinations and rate limits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localClock } from '../src/digests/clock.ts';
import { digestStatus } from '../src/digests/index.ts';
import { addTopic, type Recipient } from '../src/recommend/index.ts';
import type { Reply } from '../src/commands/index.ts';
import { MISSING_ACCESS, rateLimited, startFakeDiscord, UNKNOWN_CHANNEL, type FakeDiscord } from './fixtures/discord/fake-discord.ts';
import { botHarness, type Harness } from './fixtures/discord/harness.ts';
import { chatInput, MANAGER_PERMISSIONS, str } from './fixtures/discord/payloads.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

let app: SampleApp;
let fake: FakeDiscord;
let h: Harness;

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeDiscord();
  h = botHarness(app, fake);
});

afterAll(async () => {
  await h?.bot.stop();
  await fake?.close();
  await app?.dispose();
});

const digestReply: Reply = {
  kind: 'ok',
  text: '**Your daily papers**: 1 paper',
  visibility: 'private',
  cards: [{ paperId: '2401.00001', title: 'A paper', url: 'https://arxiv.org/abs/2401.00001', authors: 'A. Author', date: '2024-01-19', why: ['matches your topic'], actions: ['more-like-this', 'up', 'down', 'not-interested'] }],
};
const userR = (id: string): Recipient => ({ kind: 'user', platform: 'discord', id });
const channelR = (id: string): Recipient => ({ kind: 'channel', platform: 'discord', id });

describe('the digest sender', () => {
  it("sends a user's digest by DM, opening the DM channel once", async () => {
    const before = fake.calls().length;
    expect(await h.bot.sender(userR('900000000000000101'), digestReply)).toBe('sent');
    expect(await h.bot.sender(userR('900000000000000101'), digestReply)).toBe('sent');
    const calls = fake.calls().slice(before);
    expect(calls.map((c) => `${c.method} ${c.path.replace(/\d{19}/g, 'ID')}`)).toEqual(['POST /users/@me/channels', 'POST /channels/ID/messages', 'POST /channels/ID/messages']);
    expect(calls[0]!.body).toEqual({ recipient_id: '900000000000000101' });
    expect(calls[0]!.auth).toMatch(/^Bot /);
    const message = calls[1]!.body;
    expect(message.content).toBe('**Your daily papers**: 1 paper');
    expect(message.embeds[0]).toMatchObject({ title: 'A paper', url: 'https://arxiv.org/abs/2401.00001' });
    expect(message.components[0].components).toHaveLength(4);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('answers dead for Missing Access (50001) and Unknown Channel (10003), logged', async () => {
    fake.fail('POST', /^\/channels\/1100000000000000777\/messages$/, MISSING_ACCESS);
    expect(await h.bot.sender(channelR('1100000000000000777'), digestReply)).toBe('dead');
    fake.fail('POST', /^\/channels\/1100000000000000778\/messages$/, UNKNOWN_CHANNEL);
    expect(await h.bot.sender(channelR('1100000000000000778'), digestReply)).toBe('dead');
    const logged = h.lines.filter((l) => l.what === 'message create' && (l.code === 50001 || l.code === 10003));
    expect(logged.map((l) => [l.code, l.level, l.target])).toEqual([
      [50001, 40, 'channel 1100000000000000777'],
      [10003, 40, 'channel 1100000000000000778'],
    ]);
  });

  it('waits out a 429 and sends; throws (so the scheduler retries later) on other failures', async () => {
    fake.fail('POST', /^\/channels\/1100000000000000779\/messages$/, rateLimited(0.05));
    expect(await h.bot.sender(channelR('1100000000000000779'), digestReply)).toBe('sent');
    expect(fake.find('POST', /^\/channels\/1100000000000000779\/messages$/)).toHaveLength(2);

    fake.fail('POST', /^\/channels\/1100000000000000780\/messages$/, { status: 400, body: { code: 50035, message: 'Invalid Form Body' } });
    await expect(h.bot.sender(channelR('1100000000000000780'), digestReply)).rejects.toMatchObject({ name: 'DiscordDeliveryError', failure: { kind: 'other', code: 50035 } });
  });
});

describe('the daily schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a user's DM digest and a channel digest once each, at their own local times", async () => {
    const dmUser = '900000000000000201';
    const chan = '1100000000000000201';
    const manager = { userId: '900000000000000202', permissions: MANAGER_PERMISSIONS };
    await addTopic(app, userR(dmUser), 'diffusion models');
    const start = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    const hhmm = (at: Date, tz: string) => {
      const m = localClock(at, tz).minutes;
      return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    };
    const userAt = new Date(start.getTime() + 2 * 60_000);
    const channelAt = new Date(start.getTime() + 4 * 60_000);
    // Set up through the bot, as people would: the user in UTC, the channel in Kolkata (UTC+5:30).
    await h.send(chatInput({ userId: dmUser }, ['digest', 'time'], [str('time', hhmm(userAt, 'UTC'))]));
    const chanPayload = (path: string[], opts: ReturnType<typeof str>[]) => ({ ...chatInput(manager, path, opts), channel_id: chan, channel: { id: chan, type: 0, guild_id: '1100000000000000001', name: 'digests', position: 0, flags: 0, permissions: MANAGER_PERMISSIONS } });
    await h.send(chanPayload(['channel', 'topics-add'], [str('text', 'diffusion models')]));
    await h.send(chanPayload(['channel', 'digest-timezone'], [str('zone', 'Asia/Kolkata')]));
    await h.send(chanPayload(['channel', 'digest-time'], [str('time', hhmm(channelAt, 'Asia/Kolkata'))]));
    expect((await digestStatus(app, channelR(chan), new Date())).enabled).toBe(true);

    const dmChannelCreates = () => fake.find('POST', /^\/users\/@me\/channels$/).filter((c) => c.body.recipient_id === dmUser);
    // Earlier tests sent digests too: count only what this schedule sends.
    const earlier = fake.calls().length;
    const dmMessages = () => fake.calls().slice(earlier).filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path) && c.body.content?.startsWith('**Your daily papers**'));
    const channelMessages = () => fake.find('POST', new RegExp(`^/channels/${chan}/messages$`));

    vi.useFakeTimers({ now: start, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const scheduler = await h.bot.startDigests();
    const seen: [number, number, number][] = [];
    try {
      for (let minute = 1; minute <= 7; minute++) {
        await vi.advanceTimersByTimeAsync(60_000);
        await scheduler.idle();
        seen.push([dmChannelCreates().length, dmMessages().length, channelMessages().length]);
      }
    } finally {
      await scheduler.stop();
    }
    // Nothing before its time, one each at its time, nothing again later that day.
    expect(seen).toEqual([
      [0, 0, 0],
      [1, 1, 0],
      [1, 1, 0],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(channelMessages()[0]!.body.content).toMatch(/Today's papers for this channel/);
    expect(channelMessages()[0]!.body.embeds.length).toBeGreaterThan(0);
  });
});
