// Starting the bot with a token Slack rejects fails cleanly: a clear error, no secret in it, nothing
// left running or rejecting later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot } from '../bots/slack/index.ts';
import { startFakeSlack, type FakeSlack } from './fixtures/slack/fake-web-api.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

let app: SampleApp;
let fake: FakeSlack;

beforeAll(async () => {
  app = await openSampleApp({ ingestSample: false });
  fake = await startFakeSlack();
});

afterAll(async () => {
  await fake?.close();
  await app?.dispose();
});

describe('Slack bot startup', () => {
  it('refuses to start with a revoked token, naming the variable but not the token', async () => {
    fake.script('auth.test', { error: 'token_revoked' });
    const start = startSlackBot(app, {
      mode: 'http',
      botToken: 'xoxb-revoked-secret',
      signingSecret: 's3cret',
      host: '127.0.0.1',
      port: 0,
      apiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(start).rejects.toThrow(/Slack rejected SLACK_BOT_TOKEN \(token_revoked\)/);
    await start.catch((err: Error) => expect(err.message).not.toContain('xoxb-revoked-secret'));
    expect(fake.callsOf('auth.test')).toHaveLength(1);
  });

  it('starts, checks the token once, and stops', async () => {
    const bot = await startSlackBot(app, {
      mode: 'http',
      botToken: 'xoxb-good',
      signingSecret: 's3cret',
      host: '127.0.0.1',
      port: 0,
      apiUrl: fake.apiUrl,
      digests: false,
    });
    expect(bot.port).toBeGreaterThan(0);
    expect(fake.callsOf('auth.test')).toHaveLength(2);
    await bot.stop();
    await expect(fetch(`http://127.0.0.1:${bot.port}/slack/events`, { method: 'POST' })).rejects.toThrow();
  });
});
