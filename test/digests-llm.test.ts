// Digests with the optional language model (issue 8): TL;DRs and why-lines on the cards, cached
// across recipients, and a digest that still goes out when the model fails or the budget is spent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../src/commands/reply.ts';
import type { Config } from '../src/config/config.ts';
import { composeDigest } from '../src/digests/index.ts';
import { addTopic, type Recipient } from '../src/recommend/index.ts';
import type { App } from '../src/service/app.ts';
import { between, startFakeOpenAi, type ChatBehaviour, type ChatBody, type FakeOpenAi } from './fixtures/openai/fake-openai.ts';
import { runDigestTick, subscribeNow } from './helpers/digest-run.ts';
import { openSampleApp, type SampleApp, withLlmConfig } from './helpers/sample-app.ts';

const TOPIC = 'optimal transport';
const user = (id: string): Recipient => ({ kind: 'user', platform: 'slack', id });

let app: SampleApp;
let fake: FakeOpenAi;

beforeAll(async () => {
  [app, fake] = await Promise.all([openSampleApp(), startFakeOpenAi()]);
});
afterAll(async () => {
  await app?.dispose();
  await fake?.close();
});
beforeEach(() => {
  fake.chat.length = 0;
});

/** The sample App with a model at the fake server (a new App each time: its own cool-down). */
const withModel = (over: Partial<Config> = {}): App =>
  withLlmConfig(app, { ...app.config, OPENAI_BASE_URL: fake.baseURL, PAPERFEED_LLM_MODEL: 'fake-chat-digest', PAPERFEED_LLM_RETRIES: 0, ...over });

const isTldr = (body: ChatBody): boolean => body.messages[0]!.content.includes('TL;DR');
const model: ChatBehaviour = (body) => {
  const prompt = body.messages[1]!.content;
  const title = between(prompt, 'title') ?? '';
  return isTldr(body) ? { content: `One sentence on ${title}.` } : { content: `Matters to you: ${title.slice(0, 40)}.` };
};

describe('digest cards with the language model', () => {
  it('carry a TL;DR and a why-line; the next recipient with the same papers costs no new request', async () => {
    fake.onChat(model);
    const a = withModel();
    const now = new Date();
    for (const id of ['UDIG1', 'UDIG2']) await addTopic(app, user(id), TOPIC);

    const first = await composeDigest(a, user('UDIG1'), now);
    expect(first.reply.cards.length).toBeGreaterThan(0);
    for (const card of first.reply.cards) {
      expect(card.tldr).toBe(`One sentence on ${card.title}.`);
      expect(card.why[0]).toBe(`Matters to you: ${card.title.slice(0, 40)}.`);
      expect(card.why.length).toBeGreaterThan(1);
    }
    expect(fake.chat.filter(isTldr)).toHaveLength(first.reply.cards.length);
    const sent = fake.chat.length;

    const second = await composeDigest(a, user('UDIG2'), now);
    expect(second.paperIds).toEqual(first.paperIds);
    expect(second.reply.cards.map((c) => c.tldr)).toEqual(first.reply.cards.map((c) => c.tldr));
    // TL;DRs come from the store, why-lines (same topics) from the kv cache.
    expect(fake.chat.length).toBe(sent);

    // A recipient without topics (general picks) gets TL;DRs, new ones only for papers not summarized yet, and no why-line.
    const plain = await composeDigest(a, user('UDIG3'), now);
    expect(plain.reply.cards.length).toBeGreaterThan(0);
    for (const card of plain.reply.cards) {
      expect(card.tldr).toBe(`One sentence on ${card.title}.`);
      expect(card.why[0]).not.toMatch(/^Matters to you/);
    }
    const fresh = plain.paperIds.filter((id) => !first.paperIds.includes(id));
    expect(fake.chat.slice(sent).every(isTldr)).toBe(true);
    expect(fake.chat.length - sent).toBe(fresh.length);
  });

  it('goes out without TL;DRs, as without a model, when the API fails', async () => {
    fake.onChat(() => ({ status: 500 }));
    // A model name with nothing cached yet, so every TL;DR would need a request.
    const failing = withModel({ PAPERFEED_LLM_MODEL: 'fake-chat-failing' });
    await addTopic(app, user('UDIG4'), TOPIC);
    const now = new Date();
    const digest = await composeDigest(failing, user('UDIG4'), now);
    const without = await composeDigest(app, user('UDIG4'), now);
    expect(digest.reply.cards.length).toBeGreaterThan(0);
    expect(digest.reply).toEqual(without.reply);
    expect(fake.chat.length).toBeGreaterThan(0);

    // Through the schedule: it is sent, and recorded as sent.
    await subscribeNow(app, user('UDIG4'), now);
    const sentReplies: Reply[] = [];
    const results = await runDigestTick(failing, 'slack', async (_r, reply) => (sentReplies.push(reply), 'sent'), now);
    expect(results.find((r) => r.recipient.id === 'UDIG4')?.outcome).toBe('sent');
    expect(sentReplies.find((r) => r.cards.length)!.cards.every((c) => c.tldr === undefined)).toBe(true);
  });

  it('goes out without TL;DRs and without a request once the daily budget is spent', async () => {
    fake.onChat(model);
    const broke = withModel({ PAPERFEED_LLM_MODEL: 'fake-chat-broke', PAPERFEED_LLM_DAILY_TOKEN_BUDGET: 0 });
    await addTopic(app, user('UDIG5'), TOPIC);
    const digest = await composeDigest(broke, user('UDIG5'), new Date());
    expect(digest.reply.cards.length).toBeGreaterThan(0);
    expect(digest.reply.cards.every((c) => c.tldr === undefined && !c.why[0]!.startsWith('Matters to you'))).toBe(true);
    expect(fake.chat).toHaveLength(0);
  });
});
