// `library import` through the real Slack bot (HTTP mode, signed requests): a file shared in a DM is
// downloaded from url_private on the local fake Slack with the bot token, size-bounded, and imported.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSlackBot, type SlackBot } from '../bots/slack/index.ts';
import { profileSummary } from '../src/recommend/index.ts';
import { startFakeSlack, type ApiCall, type FakeSlack } from './fixtures/slack/fake-web-api.ts';
import { directMessage, fileShareMessage } from './fixtures/slack/payloads.ts';
import { sendEvent } from './fixtures/slack/signed-request.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const SECRET = 'test-signing-secret-lib';
const TOKEN = 'xoxb-test-library-token';
const BIB = readFileSync(new URL('./fixtures/library/zotero.bib', import.meta.url));

let app: SampleApp;
let fake: FakeSlack;
let bot: SlackBot;
let url: string;

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeSlack();
  bot = await startSlackBot(app, {
    mode: 'http',
    botToken: TOKEN,
    signingSecret: SECRET,
    host: '127.0.0.1',
    port: 0,
    apiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    digests: false,
    log: pino({ level: 'silent' }),
  });
  url = `http://127.0.0.1:${bot.port}/slack/events`;
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await app?.dispose();
});

async function dmReply(channel: string, before: number): Promise<ApiCall> {
  return vi.waitFor(
    () => {
      const got = fake.callsOf('chat.postMessage').slice(before).find((c) => c.args.channel === channel);
      if (!got) throw new Error('no reply yet');
      return got;
    },
    { timeout: 15_000, interval: 10 },
  );
}

const textOf = (c: ApiCall): string => JSON.stringify(c.args.blocks ?? c.args.text);

describe('Slack: library import from a shared file', () => {
  it('downloads a .bib shared in a DM with the bot token and imports it', async () => {
    const fileUrl = fake.addFile('zotero.bib', BIB);
    const before = fake.callsOf('chat.postMessage').length;
    const res = await sendEvent(url, fileShareMessage({ text: '', userId: 'ULIB1', channelId: 'DLIB1', file: { name: 'zotero.bib', size: BIB.length, urlPrivate: fileUrl } }), { secret: SECRET });
    expect(res.status).toBe(200);
    const reply = await dmReply('DLIB1', before);
    expect(textOf(reply)).toMatch(/Library import\*? from zotero\.bib \(BibTeX\): 2 matched papers, 6 kept as text, 3 skipped/);
    expect(textOf(reply)).toContain('entry broken2020 (line 56): unbalanced braces');
    const download = fake.requests.find((r) => r.url.pathname === new URL(fileUrl).pathname)!;
    expect(download.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(download.url.searchParams.get('download')).toBe('1');
    const profile = (await profileSummary(app, { kind: 'user', platform: 'slack', id: 'ULIB1' })).profile;
    expect(profile.seeds.map((s) => s.title)).toEqual(['Physics-Informed Diffusion Models', 'On the Convergence of Adam and Beyond']);
    expect(profile.textLikes).toHaveLength(6);
  });

  it('refuses a file whose declared size is over the limit without downloading it', async () => {
    const fileUrl = fake.addFile('huge.bib', 'x');
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, fileShareMessage({ text: 'library import', userId: 'ULIB2', channelId: 'DLIB2', file: { name: 'huge.bib', size: 7 * 1024 * 1024, urlPrivate: fileUrl } }), { secret: SECRET });
    expect(textOf(await dmReply('DLIB2', before))).toMatch(/huge\.bib is 7\.0 MB; a library file may be at most 5\.0 MB/);
    expect(fake.requests.some((r) => r.url.pathname === new URL(fileUrl).pathname)).toBe(false);
  });

  it('stops a download that grows past the limit while it arrives (declared small, sent without a length)', async () => {
    const fileUrl = fake.addFile('liar.bib', Buffer.alloc(6 * 1024 * 1024, 0x20), { chunked: true });
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, fileShareMessage({ text: '', userId: 'ULIB3', channelId: 'DLIB3', file: { name: 'liar.bib', size: 1_000, urlPrivate: fileUrl } }), { secret: SECRET });
    expect(textOf(await dmReply('DLIB3', before))).toMatch(/liar\.bib is larger than declared, over 5\.0 MB \(the download was stopped there\)/);
    expect((await profileSummary(app, { kind: 'user', platform: 'slack', id: 'ULIB3' })).profile.seeds).toEqual([]);
  });

  it('imports a list pasted into a DM, line by line', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, directMessage({ text: 'library import\nhttps://arxiv.org/abs/2401.00001\nnot-an-id', userId: 'ULIB4', channelId: 'DLIB4' }), { secret: SECRET });
    const text = textOf(await dmReply('DLIB4', before));
    expect(text).toMatch(/from the pasted list \(a list of ids\): 0 matched papers, 0 kept as text, 2 skipped/);
    expect(text).toContain('line 2 (not-an-id): not an arXiv id, DOI or link');
  });
});
