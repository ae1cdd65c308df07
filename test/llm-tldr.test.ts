import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type EnvOverrides } from '../src/config/config.ts';
import { TokenBudget, BUDGET_NAMESPACE } from '../src/llm/budget.ts';
import { createLlm, type Llm } from '../src/llm/llm.ts';
import { UsageCounters } from '../src/llm/usage.ts';
import { createLogger } from '../src/log.ts';
import { contentHash, toPaper } from '../src/papers/normalize.ts';
import type { Paper } from '../src/papers/paper.ts';
import { createKv } from '../src/store/kv.ts';
import { openSqliteStore, type SqlitePaperStore } from '../src/store/sqlite-store.ts';
import { between, type FakeOpenAi, startFakeOpenAi } from './fixtures/openai/fake-openai.ts';

const log = createLogger('silent');
const DAY = 24 * 3600_000;

const paper = (i: number, abstract?: string): Paper =>
  toPaper(
    {
      rawId: `2401.0${1000 + i}`,
      title: `Paper number ${i} on sparse optimal transport`,
      abstract:
        abstract ??
        `We study problem ${i}. Regularized optimal transport is used as a matching layer; we add cardinality ` +
          'constraints to keep plans sparse and show the dual is tractable with first-order methods.',
      source: 'jsonl',
    },
    new Date('2024-01-10T00:00:00Z'),
  );

describe('TL;DRs through a local OpenAI-compatible server', () => {
  let fake: FakeOpenAi;
  let dir: string;
  let store: SqlitePaperStore;
  let kvs: Map<string, Keyv>;
  let clock: number;
  const now = () => new Date(clock);
  const kv = (ns: string) => {
    let k = kvs.get(ns);
    if (!k) kvs.set(ns, (k = createKv(undefined, dir, ns)));
    return k;
  };
  const llm = (env: EnvOverrides = {}, extra: { usage?: UsageCounters; concurrency?: number } = {}): Llm => {
    const config = loadConfig({}, {
      OPENAI_BASE_URL: fake.baseURL,
      PAPERFEED_LLM_MODEL: 'fake-chat-1',
      PAPERFEED_LLM_TIMEOUT_MS: '5000',
      PAPERFEED_LLM_RETRIES: '0',
      ...env,
    });
    const made = createLlm(config, { log, store, kv, now, usage: extra.usage ?? new UsageCounters(), concurrency: extra.concurrency ?? 4 });
    expect(made).toBeDefined();
    return made!;
  };

  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-llm-tldr-'));
    store = await openSqliteStore(join(dir, 'papers.sqlite'));
    kvs = new Map();
    clock = Date.parse('2024-01-10T12:00:00Z');
    fake.chat.length = 0;
    fake.onChat((body) => ({ content: `TL;DR: ${between(body.messages[1]!.content, 'title')} does one thing well.` }));
  });
  afterEach(async () => {
    await Promise.all([...kvs.values()].map((k) => k.disconnect()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks once per paper in the Chat Completions format, then serves the second digest from the cache', async () => {
    const papers = [1, 2, 3, 4].map((i) => paper(i));
    const usage = new UsageCounters();
    const first = await llm({}, { usage }).tldrs(papers);
    expect([...first.keys()].sort()).toEqual(papers.map((p) => p.id).sort());
    expect(fake.chat).toHaveLength(4);
    for (const body of fake.chat) {
      expect(body.model).toBe('fake-chat-1');
      expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
      // Outside text is only in the user message, between tags; a compatible server gets max_tokens.
      expect(body.messages[0]!.content).not.toMatch(/optimal transport/);
      expect(body.messages[1]!.content).toMatch(/<paper>[\s\S]*<title>Paper number \d on sparse optimal transport<\/title>/);
      expect(body.max_tokens).toBeGreaterThan(0);
    }
    // The model's "TL;DR:" label is cut off.
    expect(first.get(papers[0]!.id)).toBe('Paper number 1 on sparse optimal transport does one thing well.');

    const second = await llm({}, { usage }).tldrs(papers);
    expect(second).toEqual(first);
    expect(fake.chat).toHaveLength(4);
    expect(usage.snapshot()).toMatchObject({ tldr_generated: 4, tldr_cache_hits: 4, chat_requests: 4 });
  });

  it('keeps the cache across a restart, keyed by content and model', async () => {
    const papers = [1, 2].map((i) => paper(i));
    await llm().tldrs(papers);
    expect(fake.chat).toHaveLength(2);

    await store.close();
    store = await openSqliteStore(join(dir, 'papers.sqlite'));
    const again = await llm().tldrs(papers);
    expect(again.size).toBe(2);
    expect(fake.chat).toHaveLength(2);

    // New text (an updated abstract) is a new summary; so is another model.
    const changed = paper(1, 'A completely rewritten abstract about something else entirely.');
    await llm().tldrs([changed, papers[1]!]);
    expect(fake.chat).toHaveLength(3);
    await llm({ PAPERFEED_LLM_MODEL: 'fake-chat-2' }).tldrs(papers);
    expect(fake.chat).toHaveLength(5);
    expect(fake.chat.slice(3).every((b) => b.model === 'fake-chat-2')).toBe(true);
  });

  it('sends one request for a paper that two digests want at the same time', async () => {
    const papers = [5, 6, 7].map((i) => paper(i));
    const one = llm();
    const [a, b] = await Promise.all([one.tldrs(papers), one.tldrs(papers)]);
    expect(a).toEqual(b);
    expect(a.size).toBe(3);
    expect(fake.chat).toHaveLength(3);
  });

  it('HTTP 500: the SDK retries as configured, then the digest goes without TL;DRs and calls pause', async () => {
    fake.onChat(() => ({ status: 500 }));
    const usage = new UsageCounters();
    const papers = [1, 2, 3].map((i) => paper(i));
    const failing = llm({ PAPERFEED_LLM_RETRIES: '1' }, { usage, concurrency: 1 });
    const out = await failing.tldrs(papers);
    expect(out.size).toBe(0);
    // One call and its one retry; the other papers are skipped during the cool-down, unsent.
    expect(fake.chat).toHaveLength(2);
    expect(usage.snapshot()).toMatchObject({ chat_errors: 1, cooldown_skips: 2, tldr_skipped: 3, tldr_generated: 0 });
    expect((await store.getSummaries('fake-chat-1', papers.map((p) => contentHash(p)))).size).toBe(0);

    // Healthy again, but still cooling down: no request. After the cool-down they are generated.
    fake.onChat(() => ({ content: 'Now it works.' }));
    expect((await failing.tldrs(papers)).size).toBe(0);
    expect(fake.chat).toHaveLength(2);
    clock += 61_000;
    expect((await failing.tldrs(papers)).size).toBe(3);
    expect(fake.chat).toHaveLength(5);
  });

  it('HTTP 429 with the API error body degrades the same way', async () => {
    fake.onChat(() => ({ status: 429 }));
    const usage = new UsageCounters();
    const out = await llm({}, { usage, concurrency: 1 }).tldrs([paper(1), paper(2)]);
    expect(out.size).toBe(0);
    expect(fake.chat).toHaveLength(1);
    expect(usage.snapshot()).toMatchObject({ chat_throttled: 1, tldr_skipped: 2 });
  });

  it('a server that never answers times out: no TL;DRs, and the call returns', async () => {
    fake.onChat(() => ({ hang: true }));
    const usage = new UsageCounters();
    const out = await llm({ PAPERFEED_LLM_TIMEOUT_MS: '200' }, { usage, concurrency: 1 }).tldrs([paper(1), paper(2)]);
    expect(out.size).toBe(0);
    expect(fake.chat).toHaveLength(1);
    expect(usage.snapshot()).toMatchObject({ chat_timeouts: 1, tldr_skipped: 2 });
  });

  it('an answer that is not in the Chat Completions format gives no TL;DR and is not cached', async () => {
    fake.onChat(() => ({ raw: { id: 'x', object: 'chat.completion', choices: [] } }));
    const out = await llm().tldrs([paper(1)]);
    expect(out.size).toBe(0);
    fake.onChat(() => ({ content: 'Fine now.' }));
    expect((await llm().tldrs([paper(1)])).get(paper(1).id)).toBe('Fine now.');
    expect(fake.chat).toHaveLength(2);
  });

  it('stops at the daily token budget, persisted per UTC day, and resumes the next day', async () => {
    const budgetLimit = 1_000;
    const papers = Array.from({ length: 8 }, (_, i) => paper(10 + i));
    const usage = new UsageCounters();
    const capped = llm({ PAPERFEED_LLM_DAILY_TOKEN_BUDGET: String(budgetLimit) }, { usage, concurrency: 1 });
    const out = await capped.tldrs(papers);
    // Some fit, the rest are skipped without a request; the digest still has what was made.
    expect(out.size).toBeGreaterThan(0);
    expect(out.size).toBeLessThan(papers.length);
    expect(fake.chat).toHaveLength(out.size);
    const snap = usage.snapshot();
    expect(snap.budget_refusals).toBe(papers.length - out.size);
    const spent = await new TokenBudget(kv(BUDGET_NAMESPACE), budgetLimit, now).spentToday();
    expect(spent).toBe(snap.prompt_tokens + snap.completion_tokens);
    expect(spent).toBeLessThanOrEqual(budgetLimit);
    expect(snap.budget_spent_today).toBe(spent);

    // A restart does not reset the day's spend.
    const restarted = llm({ PAPERFEED_LLM_DAILY_TOKEN_BUDGET: String(budgetLimit) }, { concurrency: 1 });
    const rest = papers.filter((p) => !out.has(p.id));
    expect((await restarted.tldrs(rest)).size).toBe(0);
    expect(fake.chat).toHaveLength(out.size);

    // A new UTC day, a new budget.
    clock += DAY;
    expect((await restarted.tldrs(rest)).size).toBeGreaterThan(0);
  });

  it('a budget of 0 spends nothing', async () => {
    const out = await llm({ PAPERFEED_LLM_DAILY_TOKEN_BUDGET: '0' }).tldrs([paper(1), paper(2)]);
    expect(out.size).toBe(0);
    expect(fake.chat).toHaveLength(0);
  });
});
