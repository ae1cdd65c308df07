/**
 * The service with a bot: when the Slack token is configured, `serve` starts the real Slack bot
 * (against a local fake of the Web API) and delivers digest subscriptions through its outbox,
 * once per recipient and local day, however often the digest job runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredBots } from '../src/cli/commands/serve.ts';
import { changeDigest, listSubscriptions } from '../src/digests/index.ts';
import type { Recipient } from '../src/recommend/index.ts';
import { startService } from '../src/service/serve.ts';
import { startFakeSlack, type FakeSlack } from './fixtures/slack/fake-web-api.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;

describe('serve with the Slack token set', () => {
  let app: SampleApp;
  let fake: FakeSlack;

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = await openSampleApp({
      ingestSample: false,
      env: {
        PAPERFEED_SAMPLE_DIR: SAMPLE_FILE,
        SLACK_BOT_TOKEN: 'xoxb-service-test',
        PAPERFEED_SLACK_MODE: 'http',
        SLACK_SIGNING_SECRET: 'service-test-secret',
        PAPERFEED_SLACK_HOST: '127.0.0.1',
        PAPERFEED_SLACK_PORT: '0',
        PAPERFEED_SLACK_API_URL: fake.apiUrl,
        PAPERFEED_SLACK_RETRIES: '0',
      },
    });
  });
  afterAll(async () => {
    await app?.dispose();
    await fake?.close();
  });

  it('starts the bot, prints no console digest, and sends each subscription its digest once a day', async () => {
    const user: Recipient = { kind: 'user', platform: 'slack', id: 'UDIGEST' };
    const today = new Date();
    await changeDigest(app, user, { op: 'time', time: '07:30' }, { now: today });
    // Tomorrow at 07:45 UTC the subscription is due (its time zone defaults to the configured one).
    const tomorrow = new Date(today.getTime() + 24 * 3_600_000);
    tomorrow.setUTCHours(7, 45, 0, 0);
    const bots = configuredBots(app);
    expect(bots).toHaveLength(1);
    const printed: string[] = [];
    const svc = await startService(app, { http: false, bots, print: (t) => printed.push(t), now: () => tomorrow });
    try {
      const startup = await svc.startup;
      expect(startup.ingest?.status).toBe('ran');
      expect(startup['console-digest']).toBeUndefined();
      expect(startup.digests).toMatchObject({ status: 'ran', result: { enqueued: 1, sent: 1 } });
      // The job runs every minute; the outbox keeps the day's digest from going out again.
      for (let i = 0; i < 3; i++) expect(await svc.scheduler.enqueue('digests', 'manual')).toMatchObject({ status: 'ran', result: { sent: 0 } });
    } finally {
      await svc.stop();
    }
    expect(printed).toEqual([]);
    const dms = fake.callsOf('conversations.open');
    expect(dms.map((c) => c.args.users)).toEqual(['UDIGEST']);
    const posts = fake.callsOf('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]!.args.text ?? JSON.stringify(posts[0]!.args.blocks))).toMatch(/Your daily papers/);
    // The subscription's day is done: it is not listed as due again.
    const [sub] = await listSubscriptions(app, 'slack');
    expect(sub?.doneDate).toBe(tomorrow.toISOString().slice(0, 10));
  });
});
