// The same bot in Socket Mode: it opens the connection with the app token (apps.connections.open),
// acknowledges envelopes over the WebSocket, and answers through the Web API / response_url.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSlackBot, type SlackBot } from '../bots/slack/index.ts';
import { startFakeSocketMode, type FakeSocketMode } from './fixtures/slack/fake-socket-mode.ts';
import { startFakeSlack, type FakeSlack } from './fixtures/slack/fake-web-api.ts';
import { APP_ID, appMention, slashCommand } from './fixtures/slack/payloads.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

let app: SampleApp;
let fake: FakeSlack;
let socket: FakeSocketMode;
let bot: SlackBot;
const wait = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 15_000, interval: 10 });

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeSlack();
  socket = await startFakeSocketMode(APP_ID);
  fake.socketUrl = socket.url;
  bot = await startSlackBot(app, { mode: 'socket', botToken: 'xoxb-socket-test', appToken: 'xapp-1-socket-test', apiUrl: fake.apiUrl, digests: false });
  await socket.connected;
});

afterAll(async () => {
  await bot?.stop();
  await socket?.close();
  await fake?.close();
  await app?.dispose();
});

describe('Socket Mode', () => {
  it('connects with the app token, not the bot token', () => {
    const open = fake.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.authorization).toBe('Bearer xapp-1-socket-test');
  });

  it('acks a slash command envelope and answers through response_url', async () => {
    socket.send({
      envelope_id: 'env-cmd-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: slashCommand({ text: 'search diffusion', userId: 'USOCK', channelId: 'CSOCK', responseUrl: fake.responseUrl('sock-1') }),
    });
    await wait(() => expect(socket.acks.map((a) => a.envelope_id)).toContain('env-cmd-1'));
    const [reply] = await wait(() => {
      const got = fake.responses.filter((r) => r.path === '/respond/sock-1');
      if (!got.length) throw new Error('no reply yet');
      return got;
    });
    expect(reply!.body.response_type).toBe('in_channel');
    expect((reply!.body.blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(true);
  });

  it('handles an events_api envelope (app_mention) with chat.postMessage', async () => {
    const m = appMention({ text: '<@UBOT> help', userId: 'USOCK', channelId: 'CSOCK' });
    socket.send({ envelope_id: 'env-ev-1', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload: m.body });
    await wait(() => expect(socket.acks.map((a) => a.envelope_id)).toContain('env-ev-1'));
    // help is personal: an ephemeral answer to the user who asked.
    const [post] = await wait(() => {
      const got = fake.callsOf('chat.postEphemeral').filter((c) => c.args.channel === 'CSOCK');
      if (!got.length) throw new Error('no answer yet');
      return got;
    });
    expect(post!.args.user).toBe('USOCK');
    expect(post!.authorization).toBe('Bearer xoxb-socket-test');
  });
});
