/**
 * The bot's gateway life: log in with the Guilds intent only, receive INTERACTION_CREATE over the
 * gateway, survive a dropped connection (resume), stop cleanly. discord.js talks to a fake gateway
 * and the fake REST API, both on 127.0.0.1.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDiscordBot, type DiscordBot } from '../bots/discord/index.ts';
import { APP_ID, FAKE_TOKEN, startFakeDiscord, type FakeDiscord } from './fixtures/discord/fake-discord.ts';
import { startFakeGateway, type FakeGateway } from './fixtures/discord/fake-gateway.ts';
import { captureLogger } from './fixtures/discord/harness.ts';
import { chatInput, MEMBER_PERMISSIONS } from './fixtures/discord/payloads.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

let app: SampleApp;
let fake: FakeDiscord;
let gateway: FakeGateway;
let bot: DiscordBot | undefined;
const { log, lines } = captureLogger();

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeDiscord();
  gateway = await startFakeGateway();
  fake.gatewayUrl = gateway.url;
});

afterAll(async () => {
  await bot?.stop();
  await gateway?.close();
  await fake?.close();
  await app?.dispose();
});

const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

it('identifies with the Guilds intent, answers an interaction from the gateway, resumes after a drop, and stops', async () => {
  const identify = gateway.next(2);
  bot = await startDiscordBot(app, { token: FAKE_TOKEN, applicationId: APP_ID, apiUrl: fake.api, digests: false, log });
  const id = (await identify).d;
  expect(id.token).toBe(FAKE_TOKEN);
  expect(id.intents).toBe(1);
  expect(lines.some((l) => l.msg === 'Discord bot connected')).toBe(true);

  const payload = chatInput({ userId: '900000000000000301', permissions: MEMBER_PERMISSIONS }, ['help']);
  gateway.dispatch('INTERACTION_CREATE', payload);
  await until('the callback', () => fake.find('POST', /^\/interactions\//).some((c) => c.path.includes(String(payload.id))));
  await bot.idle();
  const cb = fake.find('POST', /^\/interactions\//).find((c) => c.path.includes(String(payload.id)))!;
  expect(cb.body).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringMatching(/paperfeed commands/) } });

  // 4000 (unknown error) is resumable: discord.js reconnects and resumes the session.
  const resume = gateway.next(6);
  gateway.drop(4000);
  expect((await resume).d).toMatchObject({ token: FAKE_TOKEN, session_id: 'fake-session-1' });
  await until('the resume log', () => lines.some((l) => l.msg === 'Discord gateway resumed'));
  expect(lines.some((l) => l.level === 40 && l.msg === 'Discord gateway connection closed; reconnecting')).toBe(true);

  const after = chatInput({ userId: '900000000000000301' }, ['help']);
  gateway.dispatch('INTERACTION_CREATE', after);
  await until('the second callback', () => fake.find('POST', /^\/interactions\//).some((c) => c.path.includes(String(after.id))));

  await bot.stop();
  bot = undefined;
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
});

it('fails to start with a clear error when Discord rejects the token (4004), without crashing', async () => {
  const refusing = await startFakeGateway({ closeOnIdentify: 4004 });
  const rest = await startFakeDiscord();
  rest.gatewayUrl = refusing.url;
  const quiet = captureLogger();
  try {
    await expect(startDiscordBot(app, { token: FAKE_TOKEN, applicationId: APP_ID, apiUrl: rest.api, digests: false, log: quiet.log })).rejects.toThrow(/Discord login failed: .*check DISCORD_TOKEN/);
    expect(quiet.lines.some((l) => l.msg === 'Discord login failed')).toBe(true);
  } finally {
    await refusing.close();
    await rest.close();
  }
});
