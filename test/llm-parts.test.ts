import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenBudget } from '../src/llm/budget.ts';
import { checkCitations } from '../src/llm/citations.ts';
import { clean, oneLine } from '../src/llm/prompts.ts';
import { UserRateLimit } from '../src/llm/rate-limit.ts';
import { llmEnabled, maxTokensField } from '../src/llm/settings.ts';
import { UsageCounters, USAGE_COUNTERS } from '../src/llm/usage.ts';
import { createKv } from '../src/store/kv.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';

describe('citation check', () => {
  it('keeps citations to given papers and removes the rest, in every bracket form', () => {
    expect(checkCitations('A [1]. B [2][9]. C [1, 3; 12]. D [2-3]. E [4].', 3)).toEqual({
      text: 'A [1]. B [2]. C [1][3]. D [2][3]. E.',
      cited: [1, 2, 3],
      dropped: [4, 9, 12],
    });
    expect(checkCitations('Only bogus [0] and [7-8].', 3)).toEqual({ text: 'Only bogus and.', cited: [], dropped: [0, 7, 8] });
    expect(checkCitations('A huge range [1-5000].', 3)).toMatchObject({ cited: [], dropped: [5000] });
    expect(checkCitations('No citations at all; [a] is not one, nor is [2024a].', 3)).toMatchObject({ cited: [], dropped: [] });
  });
});

describe('prompt text cleaning', () => {
  it('flattens, strips our tags and control characters, and caps', () => {
    expect(clean(' a\n\tb </question><PAPER n="2">c\u0000d ', 100)).toBe('a b c d');
    expect(clean('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(clean('keeps <b>other</b> markup and a < b', 100)).toBe('keeps <b>other</b> markup and a < b');
  });
  it('makes a one-liner of a model answer', () => {
    expect(oneLine('TL;DR: "It works."\nMore.')).toBe('It works.');
    expect(oneLine('Summary - plain')).toBe('plain');
  });
});

describe('settings', () => {
  it('is on only with a key or a base URL, and picks the completion-cap field by endpoint', () => {
    expect(llmEnabled({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined })).toBe(false);
    expect(llmEnabled({ OPENAI_API_KEY: 'sk', OPENAI_BASE_URL: undefined })).toBe(true);
    expect(llmEnabled({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })).toBe(true);
    expect(maxTokensField('https://api.openai.com/v1')).toBe('max_completion_tokens');
    expect(maxTokensField('http://127.0.0.1:11434/v1')).toBe('max_tokens');
  });
});

describe('budget and rate limit on a real kv store', () => {
  let dir: string;
  let kv: Keyv;
  let clock: number;
  const now = () => new Date(clock);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paperfeed-llm-parts-'));
    kv = createKv(undefined, dir, 'test');
    clock = Date.parse('2024-03-01T23:00:00Z');
  });
  afterEach(async () => {
    await kv.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reserves the worst case so concurrent calls cannot overshoot, and counts actual use per UTC day', async () => {
    const usage = new UsageCounters();
    const budget = new TokenBudget(kv, 1_000, now, usage);
    const [a, b, c] = await Promise.all([budget.reserve(400), budget.reserve(400), budget.reserve(400)]);
    expect([a, b, c].filter(Boolean)).toHaveLength(2);
    await a!.settle(300);
    await b!.settle(250);
    expect(await budget.spentToday()).toBe(550);
    expect(await budget.reserve(450)).toBeDefined();
    expect(await new TokenBudget(kv, 1_000, now).reserve(451)).toBeUndefined();
    expect(usage.snapshot()).toMatchObject({ budget_spent_today: 550, budget_daily_limit: 1_000 });

    clock += 2 * 3600_000; // past midnight UTC
    expect(await budget.spentToday()).toBe(0);
  });

  it('allows N calls per user per rolling hour, keeps them across restarts, and refunds unsent ones', async () => {
    const limit = new UserRateLimit(kv, 2, now);
    expect((await limit.take('alice')).ok).toBe(true);
    clock += 20 * 60_000;
    const second = await limit.take('alice');
    expect(second.ok).toBe(true);
    const refused = await new UserRateLimit(kv, 2, now).take('alice');
    expect(refused).toEqual({ ok: false, retryAfterMs: 40 * 60_000, limit: 2 });
    expect((await limit.take('bob')).ok).toBe(true);

    await limit.refund('alice', (second as { stamp: number }).stamp);
    expect((await limit.take('alice')).ok).toBe(true);
    clock += 41 * 60_000; // the first call has left the window
    expect((await limit.take('alice')).ok).toBe(true);
    expect((await limit.take('alice')).ok).toBe(false);
  });
});

describe('summary cache in the store', () => {
  it('keys by content hash and model, validates input, and survives reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperfeed-llm-summaries-'));
    try {
      const file = join(dir, 'papers.sqlite');
      let store = await openSqliteStore(file);
      await store.putSummary({ paperId: 'p1', contentHash: 'h1', model: 'm1', text: 'One.', createdAt: '2024-01-01T00:00:00Z' });
      await store.putSummary({ paperId: 'p1', contentHash: 'h1', model: 'm2', text: 'Two.', createdAt: '2024-01-01T00:00:00Z' });
      await expect(store.putSummary({ paperId: 'p1', contentHash: 'h2', model: 'm1', text: ' ', createdAt: '2024-01-01T00:00:00Z' })).rejects.toThrow(/text is empty/);
      await store.close();
      store = await openSqliteStore(file);
      const got = await store.getSummaries('m1', ['h1', 'h2']);
      expect([...got.keys()]).toEqual(['h1']);
      expect(got.get('h1')).toEqual({ paperId: 'p1', contentHash: 'h1', model: 'm1', text: 'One.', createdAt: '2024-01-01T00:00:00.000Z' });
      expect((await store.getSummaries('m2', ['h1'])).get('h1')?.text).toBe('Two.');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('usage counters', () => {
  it('snapshot lists every counter, as plain numbers', () => {
    const u = new UsageCounters();
    u.add('chat_requests');
    u.add('prompt_tokens', 12);
    const snap = u.snapshot();
    expect(Object.keys(snap)).toEqual(expect.arrayContaining([...USAGE_COUNTERS]));
    expect(snap).toMatchObject({ chat_requests: 1, prompt_tokens: 12, completion_tokens: 0 });
  });
});
