// Scheduled digests through the real Slack bot, with the clock driven by fake timers through one
// day: two users in different time zones get one DM each at their local time, a channel gets one
// digest at its time, and no user's picks ever go to the channel.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSlackBot, type SlackBot } from '../bots/slack/index.ts';
import { executeCommand, isReply, parseCommand, type CommandContext } from '../src/commands/index.ts';
import { listSubscriptions } from '../src/digests/index.ts';
import { startFakeSlack, type ApiCall, type FakeSlack } from './fixtures/slack/fake-web-api.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const INGESTED_AT = new Date('2024-05-01T13:00:00Z');
const DAY_START = new Date('2024-05-01T14:00:00Z');
const MINUTES = 24 * 60;

let app: SampleApp;
let fake: FakeSlack;
let bot: SlackBot;

const ctx = (userId: string, channelId?: string): CommandContext => ({
  platform: 'slack',
  userId,
  ...(channelId ? { channelId } : {}),
  isChannelAdmin: async () => userId === 'UADMIN',
  now: new Date(),
});

async function say(c: CommandContext, text: string): Promise<string> {
  const parsed = parseCommand(text);
  if (isReply(parsed)) throw new Error(parsed.text);
  const reply = await executeCommand(app, c, parsed);
  expect(reply.kind, `${text}: ${reply.text}`).toBe('ok');
  return reply.text;
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16);
const posts = (): ApiCall[] => fake.callsOf('chat.postMessage');

beforeAll(async () => {
  // Papers are first seen at 13:00 UTC on May 1 (only Date is faked while the corpus is ingested).
  vi.useFakeTimers({ toFake: ['Date'], now: INGESTED_AT });
  app = await openSampleApp();
  fake = await startFakeSlack();

  vi.setSystemTime(DAY_START);
  await say(ctx('UNEWYORK'), 'digest timezone America/New_York');
  await say(ctx('UNEWYORK'), 'digest time 08:00');
  await say(ctx('UTOKYO'), 'digest timezone Asia/Tokyo');
  await say(ctx('UTOKYO'), 'digest time 09:00');
  await say(ctx('UTOKYO'), 'topics add language models');
  await say(ctx('UADMIN', 'CDIGEST'), 'channel digest time 15:00');
  // A user who turned the digest off gets nothing.
  await say(ctx('UOFF'), 'digest time 10:00');
  await say(ctx('UOFF'), 'digest off');

  // From here the scheduler's timers are fake too: time moves only when the test moves it.
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'], now: DAY_START });
  bot = await startSlackBot(app, {
    mode: 'http',
    botToken: 'xoxb-digest-test',
    signingSecret: 'digest-test-secret',
    host: '127.0.0.1',
    port: 0,
    apiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
  });
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  vi.useRealTimers();
  await fake?.close();
  await app?.dispose();
});

describe('scheduled Slack digests over one day', () => {
  it('delivers exactly one digest per recipient, each at its own local time', async () => {
    expect((await listSubscriptions(app, 'slack')).filter((s) => s.enabled)).toHaveLength(3);
    // Minute by minute through the day; each tick's Slack calls (real HTTP) finish before time moves on.
    for (let i = 0; i < MINUTES; i++) {
      await vi.advanceTimersByTimeAsync(60_000);
      await bot.scheduler!.idle();
    }
    expect(Date.now()).toBe(DAY_START.getTime() + MINUTES * 60_000);

    const byChannel: Record<string, ApiCall[]> = {};
    for (const c of posts()) (byChannel[String(c.args.channel)] ??= []).push(c);
    expect(Object.keys(byChannel).sort()).toEqual(['CDIGEST', 'DNEWYORK', 'DTOKYO']);
    expect(byChannel.DNEWYORK).toHaveLength(1);
    expect(byChannel.DTOKYO).toHaveLength(1);
    expect(byChannel.CDIGEST).toHaveLength(1);

    // 08:00 in New York (EDT, UTC-4), 09:00 in Tokyo (UTC+9), 15:00 UTC for the channel.
    expect(iso(byChannel.DNEWYORK![0]!.at)).toBe('2024-05-02T12:00');
    expect(iso(byChannel.DTOKYO![0]!.at)).toBe('2024-05-02T00:00');
    expect(iso(byChannel.CDIGEST![0]!.at)).toBe('2024-05-01T15:00');
  });

  it('sends users their picks by DM (conversations.open), never into a channel', () => {
    const opened = fake.callsOf('conversations.open').map((c) => String(c.args.users)).sort();
    expect(opened).toEqual(['UNEWYORK', 'UTOKYO']);
    for (const p of posts()) {
      const text = JSON.stringify(p.args.blocks);
      if (String(p.args.channel).startsWith('C')) {
        expect(text).toContain("Today's papers for this channel");
        expect(text).not.toContain('Your daily papers');
      } else {
        expect(text).toContain('Your daily papers');
      }
      // Every digest carries paper cards with their buttons.
      const actions = (p.args.blocks as Array<{ type: string }>).filter((b) => b.type === 'actions');
      expect(actions.length).toBeGreaterThan(0);
    }
  });

  it('marks each local day done, so the next digest is tomorrow', async () => {
    const subs = Object.fromEntries((await listSubscriptions(app, 'slack')).map((s) => [s.id, s]));
    expect(subs.UNEWYORK!.doneDate).toBe('2024-05-02');
    expect(subs.UTOKYO!.doneDate).toBe('2024-05-02');
    expect(subs.CDIGEST!.doneDate).toBe('2024-05-01');
    expect(subs.UOFF!.enabled).toBe(false);
  });
});
