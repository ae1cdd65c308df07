// The real Bolt app in HTTP mode on 127.0.0.1, driven by requests signed like Slack's, in Slack's
// payload shapes; its WebClient and response_urls point at a local fake of the Slack Web API.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSlackBot, type SlackBot } from '../bots/slack/index.ts';
import { deadMark } from '../bots/slack/slack-errors.ts';
import type { Config } from '../src/config/config.ts';
import { profileSummary, type Recipient } from '../src/recommend/index.ts';
import { between, startFakeOpenAi, type FakeOpenAi } from './fixtures/openai/fake-openai.ts';
import { startFakeSlack, type ApiCall, type FakeSlack, type ResponseUrlPost } from './fixtures/slack/fake-web-api.ts';
import { appMention, blockActions, directMessage, slashCommand, urlVerification } from './fixtures/slack/payloads.ts';
import { sendEvent, sendForm, sendInteractive, slackSignature } from './fixtures/slack/signed-request.ts';
import { openSampleApp, type SampleApp, withLlmConfig } from './helpers/sample-app.ts';

const SECRET = 'test-signing-secret-8f2c';
const TOKEN = 'xoxb-test-0000-secret-token';

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Array<Record<string, unknown>> };

let app: SampleApp;
let fake: FakeSlack;
let bot: SlackBot;
let url: string;
const logs: string[] = [];
let seq = 0;

const slackUser = (id: string): Recipient => ({ kind: 'user', platform: 'slack', id });
const wait = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 15_000, interval: 10 });

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeSlack();
  fake.users.set('UADMIN', { id: 'UADMIN', is_admin: true, tz: 'Europe/Berlin' });
  fake.users.set('UOWNER', { id: 'UOWNER', is_owner: true });
  fake.users.set('UALICE', { id: 'UALICE', tz: 'America/New_York' });
  fake.users.set('UCAROL', { id: 'UCAROL', tz: 'America/New_York' });
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  bot = await startSlackBot(app, {
    mode: 'http',
    botToken: TOKEN,
    signingSecret: SECRET,
    host: '127.0.0.1',
    port: 0,
    apiUrl: fake.apiUrl,
    admins: ['ULISTED'],
    // The WebClient's own retry policy, made quick: a 429 is waited out (Retry-After) and retried.
    retryConfig: { retries: 2, factor: 1, minTimeout: 5, maxTimeout: 10 },
    digests: false,
    log,
  });
  url = `http://127.0.0.1:${bot.port}/slack/events`;
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await app?.dispose();
});

/** Sends /papers <text>; checks the immediate empty ack; returns the response_url posts once there. */
async function slash(text: string, userId = 'UALICE', channelId = 'CPAPERS', endpoint = url): Promise<ResponseUrlPost[]> {
  const id = `cmd-${++seq}`;
  const res = await sendForm(endpoint, slashCommand({ text, userId, channelId, responseUrl: fake.responseUrl(id) }), { secret: SECRET });
  expect(res.status).toBe(200);
  expect(res.body).toBe('');
  return wait(() => {
    const got = fake.responses.filter((r) => r.path === `/respond/${id}`);
    if (got.length === 0) throw new Error(`no reply to '${text}' yet`);
    return got;
  });
}

const textOf = (posts: Array<{ body?: Record<string, unknown>; args?: Record<string, unknown> }>): string =>
  posts
    .flatMap((p) => ((p.body ?? p.args)!.blocks as Block[] | undefined) ?? [])
    .flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => String((e as { text?: unknown }).text ?? ''))])
    .join('\n')
    // What the reader sees: Slack shows its escapes as the characters.
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const blocksOf = (p: { body?: Record<string, unknown>; args?: Record<string, unknown> }): Block[] => ((p.body ?? p.args)!.blocks as Block[]) ?? [];

function cardButtons(blocks: Block[]): Array<{ paperId: string; actionIds: string[]; blockId: string }> {
  return blocks
    .filter((b) => b.type === 'actions')
    .map((b) => ({
      paperId: String(b.elements![0]!.value),
      actionIds: b.elements!.map((e) => String(e.action_id)),
      blockId: String(b.block_id),
    }));
}

async function newCalls(method: string, before: number, predicate: (c: ApiCall) => boolean = () => true): Promise<ApiCall[]> {
  return wait(() => {
    const got = fake.callsOf(method).slice(before).filter(predicate);
    if (got.length === 0) throw new Error(`no ${method} yet`);
    return got;
  });
}

describe('Slack request verification', () => {
  it('answers url_verification with the challenge', async () => {
    const res = await sendEvent(url, urlVerification('chal-123'), { secret: SECRET });
    expect(res.status).toBe(200);
    expect(res.body).toContain('chal-123');
  });

  it('rejects a bad signature, a wrong secret and a stale timestamp with 401, and runs nothing', async () => {
    const before = fake.responses.length;
    const fields = slashCommand({ text: 'help', userId: 'UALICE', channelId: 'CPAPERS', responseUrl: fake.responseUrl('forged') });
    const bad = await sendForm(url, fields, { secret: SECRET, signature: 'v0=' + '0'.repeat(64) });
    const wrongSecret = await sendForm(url, fields, { secret: 'not-the-secret' });
    const stale = await sendForm(url, fields, { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect([bad.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    // A correctly signed copy of the same request goes through, so the 401s were the signatures.
    const ok = await sendForm(url, fields, { secret: SECRET });
    expect(ok.status).toBe(200);
    await wait(() => expect(fake.responses.filter((r) => r.path === '/respond/forged')).toHaveLength(1));
    expect(fake.responses.length).toBe(before + 1);
  });

  it('rejects a correctly signed request timestamped more than 5 minutes ahead, and runs nothing', async () => {
    const before = fake.responses.length;
    const fields = slashCommand({ text: 'help', userId: 'UALICE', channelId: 'CPAPERS', responseUrl: fake.responseUrl('future') });
    const now = Math.floor(Date.now() / 1000);
    const ahead = await sendForm(url, fields, { secret: SECRET, timestamp: now + 10 * 60 });
    const justOver = await sendForm(url, fields, { secret: SECRET, timestamp: now + 6 * 60 });
    expect([ahead.status, justOver.status]).toEqual([401, 401]);
    // Within the window on either side, the same signed request goes through.
    const slightlyAhead = await sendForm(url, fields, { secret: SECRET, timestamp: now + 60 });
    expect(slightlyAhead.status).toBe(200);
    await wait(() => expect(fake.responses.filter((r) => r.path === '/respond/future')).toHaveLength(1));
    expect(fake.responses.length).toBe(before + 1);
  });

  it('signs exactly like Slack documents (v0:timestamp:body, HMAC-SHA256, hex)', () => {
    // Slack's documented example request.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

describe('/papers slash command', () => {
  it('acknowledges before doing the work, then answers through response_url', async () => {
    // users.info (the admin check) is held: the command cannot finish, yet the ack must arrive.
    const release = fake.hold('users.info');
    const id = `cmd-${++seq}`;
    const res = await sendForm(url, slashCommand({ text: 'channel topics add graph neural networks', userId: 'UADMIN', channelId: 'CADMINS', responseUrl: fake.responseUrl(id) }), { secret: SECRET });
    expect(res.status).toBe(200);
    expect(fake.responses.filter((r) => r.path === `/respond/${id}`)).toHaveLength(0);
    release();
    const [reply] = await wait(() => {
      const got = fake.responses.filter((r) => r.path === `/respond/${id}`);
      if (!got.length) throw new Error('no reply yet');
      return got;
    });
    expect(textOf([reply!])).toMatch(/Added topic 1, 'graph neural networks' \(channel\)/);
  });

  it('today: paper cards with linked title, authors, date, why, and five buttons carrying action and paper id', async () => {
    const [reply, ...more] = await slash('today', 'UBOB');
    expect(more).toHaveLength(0);
    expect(reply!.body.response_type).toBe('ephemeral');
    const blocks = blocksOf(reply!);
    expect(blocks.length).toBeLessThanOrEqual(50);
    const cards = cardButtons(blocks);
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) {
      expect(c.actionIds).toEqual(['pf:more-like-this', 'pf:up', 'pf:down', 'pf:not-interested', 'pf:save']);
      const paper = await app.store.getPaper(c.paperId);
      expect(paper).toBeDefined();
      // The card's section links the title and shows the date; a context block says why.
      const i = blocks.findIndex((b) => b.block_id === c.blockId);
      const section = blocks.slice(0, i).reverse().find((b) => b.type === 'section')!;
      expect(section.text!.text).toContain(`|${paper!.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}>*`);
      // An undated paper shows no date, never the day it was ingested (issue 13).
      if (paper!.published) expect(section.text!.text).toContain(paper!.published);
      else expect(section.text!.text).not.toContain(paper!.firstSeen.slice(0, 10));
      const context = blocks.slice(0, i).reverse().find((b) => b.type === 'context')!;
      expect(String(context.elements![0]!.text)).toMatch(/^\*Why:\* /);
    }
    for (const b of blocks) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
  });

  it('similar and search are shown in the channel; a mention of a URL is only read for its id, never fetched', async () => {
    const [similar] = await slash('similar diffusion models for image generation');
    expect(similar!.body.response_type).toBe('in_channel');
    expect(cardButtons(blocksOf(similar!)).length).toBeGreaterThan(0);
    expect(textOf([similar!])).toMatch(/Papers like 'diffusion models for image generation'/);

    const [search] = await slash('search transformer');
    expect(search!.body.response_type).toBe('in_channel');
    expect(cardButtons(blocksOf(search!)).length).toBeGreaterThan(0);

    // Slack sends links as <url>; a link at our own fake server would be recorded if fetched.
    const trap = `${fake.apiUrl.replace('/api/', '')}/trap/2401.00001`;
    const [viaLink] = await slash(`similar <https://arxiv.org/abs/2401.00001> and <${trap}>`);
    expect(viaLink).toBeDefined();
    const [arxiv] = await slash('similar <https://arxiv.org/abs/2401.00001>');
    expect(textOf([arxiv!])).toMatch(/2401\.00001 is not in the store yet/);
    expect(fake.requests.some((r) => r.path.includes('trap'))).toBe(false);
  });

  it('runs every personal command', async () => {
    const paper = (await app.store.listPapers({ limit: 1 }))[0]!;
    const steps: Array<[string, RegExp]> = [
      ['help', /paperfeed commands/],
      ['help mute', /mute author <name> \[days\]/],
      ['topics add diffusion models for inverse problems', /Added topic 1, 'diffusion models for inverse problems'/],
      ['topics list', /1\. diffusion models for inverse problems/],
      ['topics remove 1', /Removed topic 'diffusion models for inverse problems'/],
      ['keywords add -survey', /'survey' are now never picked/],
      ['keywords add +diffusion', /'diffusion' are now required/],
      ['keywords list', /-survey/],
      ['keywords remove survey', /Removed keyword '-survey'/],
      ['follow Geoffrey Hinton', /Following 'Geoffrey Hinton'/],
      ['unfollow Geoffrey Hinton', /No longer following 'Geoffrey Hinton'/],
      ['mute author Jane Doe 7', /Muted author 'Jane Doe' for 7 days/],
      ['unmute author Jane Doe', /Unmuted author 'Jane Doe'/],
      ['mute topic reinforcement learning', /Muted topic 'reinforcement learning' for 30 days/],
      [`seed ${paper.id}`, /Seed paper added/],
      [`why ${paper.id}`, new RegExp(paper.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
      [`seed remove ${paper.id}`, /Removed seed paper/],
      ['digest on', /on: every day at 08:00 \(America\/New_York\) by direct message/],
      ['digest time 07:15', /every day at 07:15 \(America\/New_York\)/],
      ['digest timezone Asia/Tokyo', /07:15 \(Asia\/Tokyo\)/],
      ['digest', /Your daily digest is on/],
      ['digest off', /Your daily digest is off/],
      ['profile', /What drives your feed/],
      // This App has no language model configured.
      ['ask how can diffusion models sample faster?', /`ask` needs a language model.*`search <words>`/s],
      ['forget-me', /everything paperfeed stored about you is deleted/],
      ['profile', /Nothing says what you like yet/],
    ];
    for (const [text, expected] of steps) {
      const posts = await slash(text, 'UCAROL');
      expect(textOf(posts), text).toMatch(expected);
      expect(posts[0]!.body.response_type, text).toBe('ephemeral');
    }
  });

  it('lets only channel admins change channel settings (workspace admins/owners or PAPERFEED_SLACK_ADMINS)', async () => {
    const denied = await slash('channel topics add large language models', 'UALICE', 'CTEAM');
    expect(textOf(denied)).toMatch(/Only channel admins can change the topics of this channel/);
    expect(fake.callsOf('users.info').some((c) => c.args.user === 'UALICE')).toBe(true);

    expect(textOf(await slash('channel topics add large language models', 'UADMIN', 'CTEAM'))).toMatch(/Added topic 1, 'large language models' \(channel\)/);
    expect(textOf(await slash('channel keywords add -survey', 'UOWNER', 'CTEAM'))).toMatch(/never picked/);
    expect(textOf(await slash('channel digest time 09:30', 'ULISTED', 'CTEAM'))).toMatch(/This channel's daily digest is on: every day at 09:30 \(UTC\) in this channel/);
    expect(textOf(await slash('channel digest timezone Europe/Paris', 'UADMIN', 'CTEAM'))).toMatch(/09:30 \(Europe\/Paris\)/);
    expect(textOf(await slash('channel digest off', 'UALICE', 'CTEAM'))).toMatch(/Only channel admins can change the digest/);
    // Anyone may read the channel's settings.
    expect(textOf(await slash('channel topics list', 'UALICE', 'CTEAM'))).toMatch(/1\. large language models/);
    expect(textOf(await slash('channel digest', 'UALICE', 'CTEAM'))).toMatch(/09:30 \(Europe\/Paris\)/);
    expect(textOf(await slash('channel topics remove 1', 'UADMIN', 'CTEAM'))).toMatch(/Removed topic 'large language models' \(channel\)/);
    // In a DM there is no channel to configure.
    expect(textOf(await slash('channel topics list', 'UADMIN', 'DADMIN'))).toMatch(/work in a channel, not in a direct message/);
  });

  it('answers malformed and unknown commands with a short usage naming the right form', async () => {
    expect(textOf(await slash('topics frobnicate'))).toMatch(/`topics frobnicate` is not a topics command\. Usage: `topics add <text>`/);
    expect(textOf(await slash('digest time 25:00'))).toMatch(/HH:MM, 24-hour.*Usage: `digest`/s);
    expect(textOf(await slash('digest timezone Mars/Olympus_Mons'))).toMatch(/not a time zone; use an IANA name/);
    expect(textOf(await slash('mute 7'))).toMatch(/Usage: `mute author <name> \[days\]`/);
    expect(textOf(await slash('launch the missiles'))).toMatch(/Unknown command `launch`.*Try `help`/s);
    expect(textOf(await slash(`search ${'word '.repeat(300)}`))).toMatch(/commands are at most 1000/);
  });
});

describe('with a language model (OPENAI_BASE_URL at a fake OpenAI-compatible server)', () => {
  const QUESTION = 'How does optimal transport handle sparsity constraints?';
  let openai: FakeOpenAi;
  let modelBot: SlackBot;
  let modelUrl: string;

  beforeAll(async () => {
    openai = await startFakeOpenAi();
    openai.onChat((body) => {
      const system = body.messages[0]!.content;
      const title = between(body.messages[1]!.content, 'title') ?? '';
      if (system.includes('TL;DR')) return { content: `One sentence on ${title}.` };
      if (system.includes('why a research paper matters')) return { content: 'It is about your topic.' };
      return { content: 'Sparsity comes from cardinality constraints [1] and <!channel> regularizers [2][7].' };
    });
    // The same stores, another App object: its config switches the model on.
    const config: Config = { ...app.config, OPENAI_BASE_URL: openai.baseURL, PAPERFEED_LLM_MODEL: 'fake-chat-slack', PAPERFEED_LLM_RETRIES: 0 };
    const withModel = withLlmConfig(app, config);
    modelBot = await startSlackBot(withModel, { mode: 'http', botToken: TOKEN, signingSecret: SECRET, host: '127.0.0.1', port: 0, apiUrl: fake.apiUrl, digests: false });
    modelUrl = `http://127.0.0.1:${modelBot.port}/slack/events`;
  });
  afterAll(async () => {
    await modelBot?.stop();
    await openai?.close();
  });

  it('/papers ask answers privately with the answer and the cited papers as cards', async () => {
    const posts = await slash(`ask ${QUESTION}`, 'UASK', 'CPAPERS', modelUrl);
    expect(posts[0]!.body.response_type).toBe('ephemeral');
    const blocks = posts.flatMap(blocksOf);
    const shown = textOf(posts);
    expect(shown).toContain(`*Answer* to '${QUESTION}':`);
    // The made-up [7] is gone; the model's <!channel> is shown as text, never as a mention.
    expect(shown).toContain('Sparsity comes from cardinality constraints [1] and <!channel> regularizers [2].');
    expect(blocks[0]!.text!.text).toContain('&lt;!channel&gt;');

    const retrieved = await app.search.searchText(QUESTION, { k: 5, mode: 'hybrid' });
    const relevant = retrieved.filter((r) => (r.cosine ?? -1) >= app.config.PAPERFEED_ASK_MIN_SIMILARITY);
    expect(cardButtons(blocks).map((c) => c.paperId)).toEqual(relevant.slice(0, 2).map((r) => r.paper.id));
    expect(shown).toMatch(/\*Why:\* cited as \[1\] \(similarity \d\.\d\d\)/);
    expect(shown).toMatch(/\*Why:\* cited as \[2\] /);
    expect(openai.chat.filter((c) => c.messages[0]!.content.includes('You answer a question'))).toHaveLength(1);
  });

  it('/papers today shows the tl;dr of each card, then why', async () => {
    await slash('topics add optimal transport', 'UTLDR', 'CPAPERS', modelUrl);
    const posts = await slash('today', 'UTLDR', 'CPAPERS', modelUrl);
    const blocks = posts.flatMap(blocksOf);
    const cards = cardButtons(blocks);
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) {
      const paper = (await app.store.getPaper(c.paperId))!;
      const i = blocks.findIndex((b) => b.block_id === c.blockId);
      const context = blocks[i - 1]!;
      expect(context.type).toBe('context');
      const [tldr, why] = context.elements!.map((e) => String(e.text));
      expect(tldr).toBe(`_tl;dr:_ One sentence on ${paper.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}.`);
      expect(why).toMatch(/^\*Why:\* It is about your topic\. · /);
    }
  });
});

describe('mentions and direct messages', () => {
  it('answers a public command in a thread and a personal one ephemerally', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    const m = appMention({ text: '<@UBOT> similar masked diffusion language models', userId: 'UDAVE', channelId: 'CPAPERS' });
    expect((await sendEvent(url, m.body, { secret: SECRET })).status).toBe(200);
    const [post] = await newCalls('chat.postMessage', before, (c) => c.args.channel === 'CPAPERS');
    expect(post!.args.thread_ts).toBe(m.ts);
    expect(post!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(cardButtons(blocksOf(post!)).length).toBeGreaterThan(0);

    const beforeEph = fake.callsOf('chat.postEphemeral').length;
    const today = appMention({ text: '<@UBOT> today', userId: 'UDAVE', channelId: 'CPAPERS' });
    await sendEvent(url, today.body, { secret: SECRET });
    const [eph] = await newCalls('chat.postEphemeral', beforeEph);
    expect(eph!.args).toMatchObject({ channel: 'CPAPERS', user: 'UDAVE' });
    expect(cardButtons(blocksOf(eph!)).length).toBeGreaterThan(0);
    // Personal picks were never posted to the channel for everyone.
    expect(fake.callsOf('chat.postMessage').slice(before).filter((c) => c.args.channel === 'CPAPERS')).toHaveLength(1);
  });

  it('treats a direct message as a command and answers in the DM', async () => {
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, directMessage({ text: 'topics add protein structure prediction', userId: 'UERIN', channelId: 'DERIN' }), { secret: SECRET });
    const [post] = await newCalls('chat.postMessage', before, (c) => c.args.channel === 'DERIN');
    expect(textOf([post!])).toMatch(/Added topic 1, 'protein structure prediction'/);
  });
});

describe('card buttons', () => {
  async function dmWithCards(user: string, dm: string): Promise<ApiCall> {
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, directMessage({ text: 'similar attention mechanisms in transformers', userId: user, channelId: dm }), { secret: SECRET });
    const [post] = await newCalls('chat.postMessage', before, (c) => c.args.channel === dm);
    return post!;
  }

  it('thumbs up records feedback and updates the DM message in place (chat.update)', async () => {
    const post = await dmWithCards('UFRAN', 'DFRAN');
    const card = cardButtons(blocksOf(post))[1]!;
    const message = { ts: '1700000500.000100', text: String(post.args.text), blocks: blocksOf(post) };
    const before = fake.callsOf('chat.update').length;
    const res = await sendInteractive(
      url,
      blockActions({ userId: 'UFRAN', channelId: 'DFRAN', message, actionId: 'pf:up', blockId: card.blockId, value: card.paperId, responseUrl: fake.responseUrl('click-up') }),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
    const [update] = await newCalls('chat.update', before);
    expect(update!.args).toMatchObject({ channel: 'DFRAN', ts: message.ts });
    const blocks = blocksOf(update!);
    const i = blocks.findIndex((b) => b.type === 'actions' && b.elements!.some((e) => e.value === card.paperId));
    const up = blocks[i]!.elements!.find((e) => e.action_id === 'pf:up')!;
    expect(up.style).toBe('primary');
    expect(blocks[i]!.block_id).not.toBe(card.blockId);
    expect(String(blocks[i + 1]!.elements![0]!.text)).toMatch(/more papers like this one/);
    expect(blocks).toHaveLength(message.blocks.length + 1);
    const summary = await profileSummary(app, slackUser('UFRAN'));
    expect(summary.profile.feedback).toEqual([expect.objectContaining({ paperId: card.paperId, kind: 'up' })]);
  });

  it('🔖 Save puts the paper on the reading list and marks the DM card; /papers saved, export and history answer', async () => {
    const post = await dmWithCards('USAVE', 'DSAVE');
    const card = cardButtons(blocksOf(post))[0]!;
    const message = { ts: '1700000600.000100', text: String(post.args.text), blocks: blocksOf(post) };
    const before = fake.callsOf('chat.update').length;
    const res = await sendInteractive(
      url,
      blockActions({ userId: 'USAVE', channelId: 'DSAVE', message, actionId: 'pf:save', blockId: card.blockId, value: card.paperId, responseUrl: fake.responseUrl('click-save') }),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
    const [update] = await newCalls('chat.update', before);
    const blocks = blocksOf(update!);
    const i = blocks.findIndex((b) => b.type === 'actions' && b.elements!.some((e) => e.value === card.paperId));
    expect(blocks[i]!.elements!.find((e) => e.action_id === 'pf:save')!.style).toBe('primary');
    expect(String(blocks[i + 1]!.elements![0]!.text)).toMatch(/Saved to your reading list/);
    expect((await profileSummary(app, slackUser('USAVE'))).profile.feedback).toEqual([]);

    const [list] = await slash('saved', 'USAVE');
    expect(list!.body.response_type).toBe('ephemeral');
    expect(cardButtons(blocksOf(list!)).map((c) => c.paperId)).toEqual([card.paperId]);
    expect(textOf([list!])).toMatch(/Your reading list\*: 1 paper\./);
    const [bib] = await slash('saved --export bibtex', 'USAVE');
    const bibText = textOf([bib!]);
    expect(bibText).toMatch(/as bibtex: 1 paper/);
    expect(bibText).toMatch(/@misc\{\w+,/);
    const [today] = await slash('today', 'USAVE', 'DSAVE');
    const sent = cardButtons(blocksOf(today!));
    expect(sent.length).toBeGreaterThan(0);
    await sendInteractive(url, blockActions({ userId: 'USAVE', channelId: 'DSAVE', message: { ts: '1700000700.000100', text: 'x', blocks: blocksOf(today!) }, actionId: 'pf:save', blockId: sent[0]!.blockId, value: sent[0]!.paperId, responseUrl: fake.responseUrl('click-save-2') }), { secret: SECRET });
    await wait(async () => expect((await profileSummary(app, slackUser('USAVE'))).profile.saved).toHaveLength(2));
    const [hist] = await slash('history', 'USAVE', 'DSAVE');
    expect(textOf([hist!])).toMatch(new RegExp(`Papers you were sent in the last 7 days\\*: ${sent.length}`));
    expect(textOf([hist!])).toMatch(/🔖 saved/);
  });

  it('"more like this" answers ephemerally with similar papers', async () => {
    const post = await dmWithCards('UGUS', 'DGUS');
    const card = cardButtons(blocksOf(post))[0]!;
    await sendInteractive(
      url,
      blockActions({ userId: 'UGUS', channelId: 'DGUS', message: { ts: '1700000600.0001', text: 'x', blocks: blocksOf(post) }, actionId: 'pf:more-like-this', blockId: card.blockId, value: card.paperId, responseUrl: fake.responseUrl('more') }),
      { secret: SECRET },
    );
    const [reply] = await wait(() => {
      const got = fake.responses.filter((r) => r.path === '/respond/more');
      if (!got.length) throw new Error('no reply');
      return got;
    });
    expect(reply!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const similar = cardButtons(blocksOf(reply!));
    expect(similar.length).toBeGreaterThan(0);
    expect(similar.map((c) => c.paperId)).not.toContain(card.paperId);
  });

  it('on a message the whole channel sees, feedback is confirmed privately and the shared message is left alone', async () => {
    const beforeUpdates = fake.callsOf('chat.update').length;
    const paper = (await app.store.listPapers({ limit: 3 }))[2]!;
    await sendInteractive(
      url,
      blockActions({ userId: 'UHAL', channelId: 'CPAPERS', message: { ts: '1700000700.0001', text: 'x', blocks: [] }, actionId: 'pf:down', blockId: `pf:${paper.id}`, value: paper.id, responseUrl: fake.responseUrl('down') }),
      { secret: SECRET },
    );
    const [reply] = await wait(() => {
      const got = fake.responses.filter((r) => r.path === '/respond/down');
      if (!got.length) throw new Error('no reply');
      return got;
    });
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(textOf([reply!])).toMatch(/Recorded thumbs down/);
    expect(fake.callsOf('chat.update').length).toBe(beforeUpdates);
    expect((await profileSummary(app, slackUser('UHAL'))).reactions.down).toBe(1);

    // An ephemeral message (no message body in the payload) gets the same private confirmation.
    await sendInteractive(
      url,
      blockActions({ userId: 'UHAL', channelId: 'CPAPERS', ephemeral: true, actionId: 'pf:not-interested', blockId: `pf:${paper.id}`, value: paper.id, responseUrl: fake.responseUrl('ni') }),
      { secret: SECRET },
    );
    await wait(() => expect(textOf(fake.responses.filter((r) => r.path === '/respond/ni'))).toMatch(/Recorded not interested/));
  });

  it('a button with an unknown paper id answers with an error, not a crash', async () => {
    await sendInteractive(
      url,
      blockActions({ userId: 'UHAL', channelId: 'DHAL', actionId: 'pf:up', blockId: 'pf:nope', value: 't-0000000000000000', responseUrl: fake.responseUrl('nope') }),
      { secret: SECRET },
    );
    await wait(() => expect(textOf(fake.responses.filter((r) => r.path === '/respond/nope'))).toMatch(/no stored paper matches/));
  });
});

describe('Slack API errors', () => {
  it('not_in_channel marks the channel dead and logs it; the bot keeps working', async () => {
    fake.channelErrors.set('CGONE', 'not_in_channel');
    const m = appMention({ text: '<@UBOT> search diffusion', userId: 'UIVY', channelId: 'CGONE' });
    await sendEvent(url, m.body, { secret: SECRET });
    await wait(async () => expect(await deadMark(app, 'CGONE')).toMatchObject({ code: 'not_in_channel' }));
    expect(logs.some((l) => l.includes('CGONE') && l.includes('not_in_channel') && l.includes('marked dead'))).toBe(true);
    expect(textOf(await slash('help'))).toMatch(/paperfeed commands/);
  });

  it('channel_not_found for a digest answers dead (the scheduler then turns that digest off)', async () => {
    fake.channelErrors.set('CDELETED', 'channel_not_found');
    const outcome = await bot.sendDigest({ kind: 'channel', platform: 'slack', id: 'CDELETED' }, { kind: 'ok', text: 'x', cards: [], visibility: 'channel' });
    expect(outcome).toBe('dead');
    expect(await deadMark(app, 'CDELETED')).toMatchObject({ code: 'channel_not_found' });
  });

  it('a 429 with Retry-After is retried by the WebClient and the message still goes out', async () => {
    fake.script('chat.postMessage', { status: 429, retryAfter: 0 });
    const before = fake.callsOf('chat.postMessage').length;
    await sendEvent(url, directMessage({ text: 'help', userId: 'UJAY', channelId: 'DJAY' }), { secret: SECRET });
    const calls = await wait(() => {
      const got = fake.callsOf('chat.postMessage').slice(before).filter((c) => c.args.channel === 'DJAY');
      if (got.length < 2) throw new Error('not retried yet');
      return got;
    });
    expect(calls).toHaveLength(2);
    expect(textOf([calls[1]!])).toMatch(/paperfeed commands/);
  });

  it('a revoked token is logged loudly; nothing crashes and later requests are served', async () => {
    fake.script('chat.postEphemeral', { error: 'token_revoked' });
    const m = appMention({ text: '<@UBOT> profile', userId: 'UKIM', channelId: 'CPAPERS' });
    await sendEvent(url, m.body, { secret: SECRET });
    await wait(() => expect(logs.some((l) => l.includes('token_revoked') && l.includes('replace SLACK_BOT_TOKEN'))).toBe(true));
    expect(textOf(await slash('help'))).toMatch(/paperfeed commands/);
  });

  it('never logs the bot token or the signing secret', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes(TOKEN) || l.includes(SECRET))).toBe(false);
  });
});
