// The recommendation operations end to end over a real keyv (in-memory Map store) and a small
// in-memory stand-in for the store, embedder and search service (our own interfaces).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { beforeEach, describe, expect, it } from 'vitest';
import { l2normalize, type EmbeddingProvider } from '../embeddings/provider.ts';
import { loadConfig } from '../src/config/config.ts';
import { UserError } from '../src/errors.ts';
import { createLogger } from '../src/log.ts';
import type { Paper } from '../src/papers/paper.ts';
import { normalizeTitle } from '../src/papers/ids.ts';
import type { SearchService } from '../src/search/search-service.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import type { RecommendDeps } from '../src/recommend/deps.ts';
import { forgetRecipient } from '../src/service/forget.ts';
import { SqliteOutbox } from '../src/service/outbox-sqlite.ts';
import { openServiceDb } from '../src/service/service-db.ts';
import {
  addKeyword,
  addSeed,
  addTopic,
  explainPaper,
  exportProfile,
  followAuthor,
  formatPicks,
  getPicks,
  listTopics,
  mute,
  profileSummary,
  recordDelivered,
  recordPicks,
  recordFeedback,
  removeKeyword,
  removeTopic,
  resetProfile,
  unmute,
  weightTopic,
  savePaper,
  unsavePaper,
  listSaved,
  deliveryHistory,
  type Recipient,
} from '../src/recommend/index.ts';

const DIM = 256;

/** Bag of words hashed into DIM signed buckets: papers sharing words are similar. */
class FakeEmbedder implements EmbeddingProvider {
  readonly id = 'fake';
  readonly dimension = DIM;
  calls = 0;
  constructor(public model = 'words-v1') {}
  get key() {
    return `${this.id}:${this.model}:${this.dimension}`;
  }
  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls += texts.length;
    return texts.map((t) => {
      const v = new Float32Array(DIM);
      for (const w of normalizeTitle(t).split(' ')) {
        if (w.length < 3) continue;
        let h = this.model.length * 7919;
        for (const ch of w) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
        v[Math.abs(h) % DIM]! += h & 1 ? 1 : -1;
      }
      return l2normalize(v);
    });
  }
}

class FakeStore {
  papers = new Map<string, Paper>();
  aliases = new Map<string, string>();
  add(p: Paper) {
    this.papers.set(p.id, p);
  }
  /** What the real stores do when a paper gets its arXiv id: a new id, the old one kept as an alias. */
  rename(from: string, to: Paper) {
    this.papers.delete(from);
    this.papers.set(to.id, to);
    this.aliases.set(from, to.id);
  }
  async getPaper(id: string) {
    return this.papers.get(id) ?? this.papers.get(this.aliases.get(id) ?? '');
  }
  async getPapers(ids: string[]) {
    return ids.flatMap((id) => this.papers.get(id) ?? []);
  }
  async findByTitle(title: string) {
    return [...this.papers.values()].find((p) => normalizeTitle(p.title) === normalizeTitle(title));
  }
  async listPapers(q: { seenSince?: string; seenBefore?: string; published?: string } = {}) {
    return [...this.papers.values()].filter(
      (p) =>
        (q.seenSince === undefined || p.firstSeen >= q.seenSince) &&
        (q.seenBefore === undefined || p.firstSeen < q.seenBefore) &&
        (q.published === undefined || p.published === q.published),
    );
  }
}

interface Fake {
  app: RecommendDeps;
  store: FakeStore;
  embedder: FakeEmbedder;
  /** The one Map behind every keyv namespace: lets a test see everything stored. */
  kvData: Map<string, unknown>;
}

function fakeApp(env: Record<string, string> = {}): Fake {
  const store = new FakeStore();
  const embedder = new FakeEmbedder();
  const kvData = new Map<string, unknown>();
  const kvs = new Map<string, Keyv>();
  const text = (p: Paper) => `${p.title}\n\n${p.abstract}`;
  const search = {
    async vectorsFor(papers: Paper[]) {
      const vs = await embedder.embed(papers.map(text));
      return new Map(papers.map((p, i) => [p.id, vs[i]!]));
    },
    async embedText(t: string) {
      return (await embedder.embed([t]))[0]!;
    },
  } as unknown as SearchService;
  const app: RecommendDeps = {
    config: loadConfig(env),
    log: createLogger('silent'),
    store: store as unknown as PaperStore,
    embedder,
    search,
    kv(namespace: string) {
      let kv = kvs.get(namespace);
      if (!kv) kvs.set(namespace, (kv = new Keyv({ store: kvData, namespace })));
      return kv;
    },
  };
  return { app, store, embedder, kvData };
}

const T0 = new Date('2025-03-04T08:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

let seq = 0;
function paper(title: string, abstract: string, extra: Partial<Paper> = {}): Paper {
  const id = `2503.${String(10000 + seq++)}`;
  return {
    id,
    arxivId: id,
    title,
    abstract,
    authors: ['Someone Else'],
    sources: ['jsonl'],
    absUrl: `https://arxiv.org/abs/${id}`,
    firstSeen: hours(-2).toISOString(),
    updatedAt: hours(-2).toISOString(),
    published: '2025-03-03',
    ...extra,
  };
}

const alice: Recipient = { kind: 'user', platform: 'cli', id: 'alice' };
const bob: Recipient = { kind: 'user', platform: 'cli', id: 'bob' };

/** A day of papers in three themes. */
function seedDay(store: FakeStore, firstSeen = hours(-2)) {
  const at = { firstSeen: firstSeen.toISOString(), updatedAt: firstSeen.toISOString() };
  const day = {
    diffusion1: paper('Diffusion models for image inverse problems', 'We solve inverse problems such as deblurring with diffusion models and posterior sampling.', at),
    diffusion2: paper('Posterior sampling with diffusion models', 'Diffusion models give priors for inverse problems; posterior sampling improves deblurring.', at),
    diffusion3: paper('Fast diffusion sampling for deblurring', 'A faster sampler for diffusion models applied to deblurring inverse problems.', at),
    rl1: paper('Reinforcement learning for language model reasoning', 'Policy optimization improves reasoning of large language models with verifiable rewards.', at),
    rl2: paper('Reward models for reasoning in language models', 'Process reward models guide policy optimization of large language models for reasoning.', at),
    survey: paper('A survey of diffusion models', 'This survey reviews diffusion models for inverse problems and posterior sampling.', at),
    graph: paper('Graph neural networks for molecules', 'Message passing graph networks predict molecular properties.', {
      ...at,
      authors: ['Ada Lovelace', 'Someone Else'],
      upvotes: 40,
    }),
  };
  for (const p of Object.values(day)) store.add(p);
  return day;
}

let f: Fake;
let day: ReturnType<typeof seedDay>;
beforeEach(() => {
  f = fakeApp();
  day = seedDay(f.store);
});

const pickIds = (r: { picks: { paper: Paper }[] }) => r.picks.map((p) => p.paper.id);

describe('topics and keywords', () => {
  it('adds, lists, weights and removes topics, by position or text', async () => {
    const a = await addTopic(f.app, alice, '  diffusion models   for inverse problems ', { now: T0 });
    expect(a).toEqual({ added: true, topic: { position: 1, text: 'diffusion models for inverse problems', weight: 1, addedAt: T0.toISOString() } });
    await addTopic(f.app, alice, 'language model reasoning', { now: T0 });
    expect((await addTopic(f.app, alice, 'Language Model Reasoning!', { weight: 2 })).added).toBe(false);
    expect((await listTopics(f.app, alice)).map((t) => [t.position, t.text, t.weight])).toEqual([
      [1, 'diffusion models for inverse problems', 1],
      [2, 'language model reasoning', 2],
    ]);
    expect((await weightTopic(f.app, alice, '1', 0.5)).weight).toBe(0.5);
    await expect(weightTopic(f.app, alice, '1', 9)).rejects.toThrow(UserError);
    expect((await removeTopic(f.app, alice, 'LANGUAGE model reasoning')).text).toBe('language model reasoning');
    await expect(removeTopic(f.app, alice, '#5')).rejects.toThrow(/no topic '#5'; yours: 1\. diffusion/);
    expect(await listTopics(f.app, bob)).toEqual([]);
  });

  it('stores one versioned profile per recipient in the profiles namespace', async () => {
    await addTopic(f.app, alice, 'diffusion models', { now: T0 });
    const stored = (await f.app.kv('profiles').get('user:alice')) as { v: number; topics: { embedding: { key: string } }[] };
    expect(stored.v).toBe(1);
    expect(stored.topics[0]!.embedding.key).toBe('fake:words-v1:256');
  });

  it("parses '-' as excluded and '+' as required keywords", async () => {
    expect(await addKeyword(f.app, alice, '-survey')).toEqual({ phrase: 'survey', mode: 'exclude', label: '-survey' });
    expect(await addKeyword(f.app, alice, '+diffusion models')).toMatchObject({ mode: 'require' });
    expect(await removeKeyword(f.app, alice, '-Survey')).toMatchObject({ phrase: 'survey' });
    await expect(removeKeyword(f.app, alice, 'nothing')).rejects.toThrow(UserError);
    await expect(addKeyword(f.app, alice, '-  ')).rejects.toThrow(/keyword is empty/);
  });

  it('re-embeds topics lazily when the embedder changes, once', async () => {
    await addTopic(f.app, alice, 'diffusion models for inverse problems', { now: T0 });
    f.embedder.model = 'words-v2';
    const before = f.embedder.calls;
    const r = await getPicks(f.app, alice, { now: T0 });
    expect(r.picks[0]!.paper.title).toMatch(/diffusion/i);
    const stored = (await f.app.kv('profiles').get('user:alice')) as { topics: { embedding: { key: string } }[] };
    expect(stored.topics[0]!.embedding.key).toBe('fake:words-v2:256');
    const afterFirst = f.embedder.calls;
    await getPicks(f.app, alice, { now: T0 });
    // Second run: only candidate papers are embedded again (by the search service), no topic.
    expect(f.embedder.calls - afterFirst).toBe(afterFirst - before - 1);
  });
});

describe('corrupt and foreign records', () => {
  it('reports a corrupt profile, treats it as empty, and keeps it aside when overwritten', async () => {
    const garbage = { v: 1, topics: 'not a list' };
    await f.app.kv('profiles').set('user:alice', garbage);
    const s = await profileSummary(f.app, alice);
    expect(s.mode).toBe('general');
    expect(s.warnings[0]).toMatch(/^profile: the stored record is invalid \(.*topics: .*\); showing an empty profile$/);
    const picks = await getPicks(f.app, alice, { now: T0 });
    expect(picks.warnings).toHaveLength(1);
    expect(picks.mode).toBe('general');

    await addTopic(f.app, alice, 'diffusion models');
    expect(await f.app.kv('profiles').get('corrupt:user:alice')).toEqual(garbage);
    expect((await profileSummary(f.app, alice)).warnings).toEqual([]);
  });

  it('does not read a profile written by a newer version', async () => {
    await f.app.kv('profiles').set('user:alice', { v: 99 });
    expect((await profileSummary(f.app, alice)).warnings[0]).toMatch(/version 99, newer/);
  });

  it('rejects invalid recipients as user errors', async () => {
    await expect(getPicks(f.app, { kind: 'user', platform: 'cli', id: ' ' })).rejects.toThrow(UserError);
    await expect(getPicks(f.app, { kind: 'user', platform: 'cli', id: 'a\u0007b' })).rejects.toThrow(/control characters/);
    await expect(getPicks(f.app, alice, { date: '2025-02-30' })).rejects.toThrow(/expected a real date as YYYY-MM-DD/);
  });
});

describe('picks', () => {
  it('ranks by topic, says why, excludes keywords, and records what was delivered', async () => {
    await addTopic(f.app, alice, 'diffusion models for inverse problems');
    await addKeyword(f.app, alice, '-survey');
    const r = await getPicks(f.app, alice, { now: T0, record: true });
    expect(r.mode).toBe('personal');
    expect(r.window.kind).toBe('first-digest');
    expect(r.candidates).toBe(7);
    expect(pickIds(r)).toContain(day.diffusion1.id);
    expect(pickIds(r)).not.toContain(day.survey.id);
    expect(pickIds(r)).not.toContain(day.graph.id);
    expect(r.excluded['excluded-keyword']).toBe(1);
    expect(r.picks[0]!.reasons[0]!.text).toMatch(/^matches your topic 'diffusion models for inverse problems' \(0\.\d\d\)$/);
    const sent = (await f.app.kv('sentlog').get('user:alice')) as { lastDigest: string; papers: Record<string, string> };
    expect(sent.lastDigest).toBe(T0.toISOString());
    expect(Object.keys(sent.papers).sort()).toEqual(pickIds(r).sort());
  });

  it('says plainly when there is nothing new since the last digest', async () => {
    await getPicks(f.app, alice, { now: T0, record: true });
    const next = await getPicks(f.app, alice, { now: hours(24), record: true });
    expect(next.status).toBe('no-candidates');
    expect(next.picks).toEqual([]);
    expect(next.notice).toBe('No new papers since your last digest (weekends and arXiv holidays have none).');
    expect(formatPicks(next)).toBe(next.notice);
    const channel = await getPicks(f.app, { kind: 'channel', platform: 'slack', id: 'C1' }, { date: '2024-12-25' });
    expect(channel.notice).toBe('No papers were published or first seen on 2024-12-25 (weekends and arXiv holidays have none).');
  });

  it('takes only papers first seen since the last digest', async () => {
    await getPicks(f.app, alice, { now: T0, record: true });
    const later = paper('Diffusion models strike back', 'More diffusion models.', { firstSeen: hours(5).toISOString() });
    f.store.add(later);
    const r = await getPicks(f.app, alice, { now: hours(24) });
    expect(r.window).toMatchObject({ kind: 'since-last-digest', since: T0.toISOString() });
    expect(r.candidates).toBe(1);
    expect(pickIds(r)).toEqual([later.id]);
  });

  it('never delivers the same paper twice, across platforms, and --dry-run records nothing', async () => {
    const onSlack: Recipient = { kind: 'user', platform: 'slack', id: 'alice' };
    const dry = await getPicks(f.app, alice, { date: '2025-03-03', n: 3 });
    expect(await f.app.kv('sentlog').get('user:alice')).toBeUndefined();
    const seen = new Set<string>();
    const first = await getPicks(f.app, alice, { date: '2025-03-03', n: 3, record: true });
    expect(pickIds(first)).toEqual(pickIds(dry));
    for (const who of [onSlack, alice, onSlack]) {
      const r = await getPicks(f.app, who, { date: '2025-03-03', n: 3, record: true });
      for (const id of pickIds(r)) {
        expect(seen.has(id) || pickIds(first).includes(id)).toBe(false);
        seen.add(id);
      }
    }
    const last = await getPicks(f.app, alice, { date: '2025-03-03', record: true });
    expect(last.status).toBe('all-seen');
    expect(last.notice).toBe('Every paper on 2025-03-03 has already been delivered to you.');
    // A dated digest does not move the daily mark.
    expect(((await f.app.kv('sentlog').get('user:alice')) as { lastDigest?: string }).lastDigest).toBeUndefined();
    // Another recipient is unaffected.
    expect((await getPicks(f.app, bob, { date: '2025-03-03', n: 3 })).picks).toHaveLength(3);
  });

  it('records deliveries made by a caller that sends later', async () => {
    await recordDelivered(f.app, alice, [day.rl1.id], { now: T0 });
    const r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(r)).not.toContain(day.rl1.id);
    expect(r.excluded.sent).toBe(1);
  });

  it('records a result delivered later without skipping papers that arrived meanwhile', async () => {
    const result = await getPicks(f.app, alice, { now: T0, n: 2 });
    const meanwhile = paper('Arrived while sending', 'Diffusion models again.', { firstSeen: hours(1).toISOString() });
    f.store.add(meanwhile);
    expect(await recordPicks(f.app, result, { now: hours(2) })).toEqual({ recorded: 2 });
    const next = await getPicks(f.app, alice, { now: hours(24) });
    expect(next.window).toMatchObject({ kind: 'since-last-digest', since: T0.toISOString() });
    expect(pickIds(next)).toEqual([meanwhile.id]);
  });

  it("gives a channel with no profile the day's central and popular papers, with that reason", async () => {
    const channel: Recipient = { kind: 'channel', platform: 'discord', id: '1234' };
    const r = await getPicks(f.app, channel, { now: T0, n: 3 });
    expect(r.mode).toBe('general');
    expect(r.picks).toHaveLength(3);
    expect(r.hint).toBe("This channel has no profile, so these are the day's most central and popular papers.");
    expect(r.picks[0]!.reasons[0]!.kind).toBe('central');
    const all = await getPicks(f.app, channel, { now: T0, n: 10 });
    expect(all.picks.find((p) => p.paper.id === day.graph.id)!.reasons.map((x) => x.text)).toContain('popular on Hugging Face (40 upvotes)');
    // The off-theme paper is less central than an on-theme one.
    const centrality = (id: string) => (all.picks.find((p) => p.paper.id === id)!.reasons[0] as { centrality: number }).centrality;
    expect(centrality(day.graph.id)).toBeLessThan(centrality(day.diffusion2.id));
  });

  it('boosts followed authors and hides muted ones until the mute ends', async () => {
    await addTopic(f.app, alice, 'language model reasoning');
    await followAuthor(f.app, alice, 'Ada Lovelace');
    let r = await getPicks(f.app, alice, { now: T0, n: 10 });
    const graph = r.picks.find((p) => p.paper.id === day.graph.id);
    expect(graph?.reasons.map((x) => x.text)).toContain('by Ada Lovelace, whom you follow');

    await mute(f.app, alice, { author: 'ada lovelace' }, 3, { now: T0 });
    r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(r)).not.toContain(day.graph.id);
    expect(r.excluded['muted-author']).toBe(1);
    const why = await explainPaper(f.app, alice, day.graph.id, { now: T0 });
    expect(why.excluded?.text).toBe('by ada lovelace, whom you muted');
    // Four days later the mute has expired.
    r = await getPicks(f.app, alice, { date: '2025-03-03', now: hours(96), n: 10 });
    expect(pickIds(r)).toContain(day.graph.id);
    await unmute(f.app, alice, { author: 'Ada Lovelace' });
    await expect(unmute(f.app, alice, { author: 'Ada Lovelace' })).rejects.toThrow(UserError);
    await expect(mute(f.app, alice, { author: 'x', keyword: 'y' } as never, 3)).rejects.toThrow(/exactly one/);
  });

  it('mutes a topic: papers close to it are not picked', async () => {
    await addTopic(f.app, alice, 'diffusion models for inverse problems');
    await addTopic(f.app, alice, 'language model reasoning');
    await mute(f.app, alice, { topic: 'diffusion models inverse problems deblurring posterior sampling' }, 7, { now: T0 });
    const r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(r.picks.length).toBeGreaterThan(0);
    for (const p of r.picks) expect(p.paper.title).not.toMatch(/diffusion/i);
    expect(r.excluded['muted-topic']).toBeGreaterThanOrEqual(2);
  });
});

describe('feedback', () => {
  it('moves neighbours of a rated paper, and changes only that user', async () => {
    for (const who of [alice, bob]) {
      await addTopic(f.app, who, 'diffusion models inverse problems');
      await addTopic(f.app, who, 'reasoning large language models');
    }
    const bobBefore = structuredClone(await f.app.kv('profiles').get('user:bob'));
    const score = (r: Awaited<ReturnType<typeof getPicks>>, id: string) => r.picks.find((p) => p.paper.id === id)?.score ?? -Infinity;
    const opts = { now: T0, n: 10 };
    const before = await getPicks(f.app, alice, opts);

    await recordFeedback(f.app, alice, day.diffusion1.id, 'down', { now: T0 });
    await recordFeedback(f.app, alice, day.rl1.arxivId!, 'up', { now: T0 });
    const after = await getPicks(f.app, alice, opts);
    expect(score(after, day.diffusion2.id)).toBeLessThan(score(before, day.diffusion2.id));
    expect(score(after, day.rl2.id)).toBeGreaterThan(score(before, day.rl2.id));
    expect(pickIds(after)).not.toContain(day.diffusion1.id);
    expect(pickIds(after)).not.toContain(day.rl1.id);
    expect(after.picks[0]!.paper.id).toBe(day.rl2.id);
    expect(after.picks[0]!.reasons.map((x) => x.text)).toContain(
      `similar to '${day.rl1.title}' that you liked (${after.picks[0]!.reasons.find((x) => x.kind === 'liked')!.text.match(/\((.*)\)$/)![1]})`,
    );

    expect(await f.app.kv('profiles').get('user:bob')).toEqual(bobBefore);
    const bobPicks = await getPicks(f.app, bob, opts);
    expect(pickIds(bobPicks)).toEqual(pickIds(before));
  });

  it('replaces an earlier reaction to the same paper and rejects unknown papers', async () => {
    await recordFeedback(f.app, alice, day.rl1.id, 'up');
    const r = await recordFeedback(f.app, alice, `https://arxiv.org/abs/${day.rl1.id}v2`, 'down');
    expect(r).toMatchObject({ paperId: day.rl1.id, kind: 'down', previous: 'up' });
    expect((await profileSummary(f.app, alice)).reactions).toEqual({ up: 0, down: 1, notInterested: 0 });
    await expect(recordFeedback(f.app, alice, '9999.99999', 'up')).rejects.toThrow(/no stored paper matches '9999\.99999'/);
    await expect(recordFeedback(f.app, alice, day.rl1.id, 'meh' as never)).rejects.toThrow(UserError);
  });

  it('never shows a not-interested paper again', async () => {
    await recordFeedback(f.app, alice, day.graph.title, 'not-interested');
    const r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(r)).not.toContain(day.graph.id);
    expect(r.excluded.rated).toBe(1);
  });
});

describe('profile: summary, export, reset, forget', () => {
  async function busyAlice() {
    await addTopic(f.app, alice, 'diffusion models for inverse problems', { now: T0 });
    await addKeyword(f.app, alice, '-survey', { now: T0 });
    await followAuthor(f.app, alice, 'Ada Lovelace', { now: T0 });
    await addSeed(f.app, alice, day.rl2.id, { now: T0 });
    await recordFeedback(f.app, alice, day.rl1.id, 'up', { now: T0 });
    await mute(f.app, alice, { keyword: 'molecules' }, 2, { now: T0 });
    await getPicks(f.app, alice, { now: T0, record: true });
  }

  it('says in words what drives the feed', async () => {
    expect((await profileSummary(f.app, alice)).drivers[0]).toMatch(/^Nothing says what you like yet/);
    await busyAlice();
    const s = await profileSummary(f.app, alice, { now: T0 });
    expect(s.mode).toBe('personal');
    expect(s.drivers).toEqual(
      expect.arrayContaining([
        "Topics: 'diffusion models for inverse problems'. Each paper is scored by its closest topic.",
        "Papers by 'Ada Lovelace' get a boost.",
        "Papers mentioning 'survey' are never picked.",
        "Muted until 2025-03-06: keyword 'molecules'.",
      ]),
    );
    expect(s.drivers.some((d) => d.startsWith('1 thumbs-up and 0 thumbs-down teach the feed'))).toBe(true);
    expect(s.delivered).toBeGreaterThan(0);
  });

  it('exports everything stored, without vectors', async () => {
    await busyAlice();
    const e = await exportProfile(f.app, alice, { now: T0 });
    const json = JSON.parse(JSON.stringify(e));
    expect(json).toMatchObject({ format: 'paperfeed-profile', version: 1, recipient: { key: 'user:alice' } });
    expect(json.profile.topics[0].text).toBe('diffusion models for inverse problems');
    expect(json.profile.feedback).toEqual([{ paperId: day.rl1.id, title: day.rl1.title, kind: 'up', at: T0.toISOString() }]);
    expect(json.profile.seeds[0].paperId).toBe(day.rl2.id);
    expect(json.sentLog.papers.length).toBeGreaterThan(0);
    expect(JSON.stringify(json)).not.toContain('embedding');
  });

  it('resets the profile but keeps the sent-log, so nothing is re-sent', async () => {
    await busyAlice();
    const delivered = Object.keys(((await f.app.kv('sentlog').get('user:alice')) as { papers: object }).papers);
    expect(await resetProfile(f.app, alice)).toEqual({ reset: true });
    expect((await profileSummary(f.app, alice)).mode).toBe('general');
    const r = await getPicks(f.app, alice, { date: '2025-03-03', n: 10 });
    for (const id of delivered) expect(pickIds(r)).not.toContain(id);
  });

  it('forgets everything about a recipient and nothing about others', async () => {
    await busyAlice();
    await addTopic(f.app, bob, 'graph networks');
    await getPicks(f.app, bob, { now: T0, record: true });
    await f.app.kv('profiles').set('corrupt:user:alice', { junk: true });
    const keysAbout = (who: string) => [...f.kvData.keys()].filter((k) => k.includes(`user:${who}`));
    expect(keysAbout('alice').length).toBeGreaterThanOrEqual(3);

    const dir = mkdtempSync(join(tmpdir(), 'paperfeed-forget-'));
    const outbox = new SqliteOutbox(openServiceDb(dir));
    try {
      const out = await forgetRecipient(f.app, alice, outbox);
      expect(out.deleted.sort()).toEqual(['profiles/corrupt:user:alice', 'profiles/user:alice', 'sentlog/user:alice']);
      expect(keysAbout('alice')).toEqual([]);
      expect(keysAbout('bob').length).toBe(2);
      expect(await forgetRecipient(f.app, alice, outbox)).toEqual({ deleted: [], outboxEntries: 0 });
    } finally {
      await outbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issue 13: a first day that works, and nothing picked twice', () => {
  it('after a profile change, the next digest gives personal picks for the window a general digest already took', async () => {
    const general = await getPicks(f.app, alice, { now: T0, n: 2, record: true });
    expect(general.mode).toBe('general');
    await addTopic(f.app, alice, 'reasoning large language models', { now: hours(0.2) });
    const personal = await getPicks(f.app, alice, { now: hours(0.5), n: 3, record: true });
    expect(personal.mode).toBe('personal');
    expect(personal.status).toBe('ok');
    const rl = [day.rl1.id, day.rl2.id].filter((id) => !pickIds(general).includes(id));
    expect(rl.length).toBeGreaterThan(0);
    expect(pickIds(personal)).toContain(rl[0]);
    expect(pickIds(personal).filter((id) => pickIds(general).includes(id))).toEqual([]);
    // From then on the window moves as usual.
    expect((await getPicks(f.app, alice, { now: hours(1) })).status).toBe('no-candidates');
  });

  it('never picks a delivered paper again after it is renamed to its arXiv id', async () => {
    const hashed = { ...day.graph, id: 'title-hash-graph', arxivId: undefined };
    f.store.rename(day.graph.id, hashed);
    await addTopic(f.app, alice, 'graph neural networks molecules', { now: T0 });
    const first = await getPicks(f.app, alice, { now: T0, n: 10, record: true });
    expect(pickIds(first)).toContain('title-hash-graph');
    f.store.rename('title-hash-graph', { ...hashed, id: '2503.99999', arxivId: '2503.99999' });
    const again = await getPicks(f.app, alice, { now: hours(1), date: '2025-03-03', n: 10 });
    expect(pickIds(again)).not.toContain('2503.99999');
    expect(again.excluded.sent).toBe(first.picks.length);
  });

  it('never picks a seed paper back to its owner', async () => {
    await addSeed(f.app, alice, day.rl1.id, { now: T0 });
    const r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(r)).not.toContain(day.rl1.id);
    expect(r.picks[0]!.paper.id).toBe(day.rl2.id);
  });

  it('says when a followed author has no stored paper', async () => {
    expect(await followAuthor(f.app, alice, 'ada lovelace', { now: T0 })).toMatchObject({ added: true, stored: true });
    expect(await followAuthor(f.app, alice, 'Nobody Atall', { now: T0 })).toMatchObject({ added: true, stored: false });
    expect(await mute(f.app, alice, { author: 'Nobody Atall' }, 7, { now: T0 })).toMatchObject({ stored: false });
  });
});

describe('reading list and history', () => {
  it('saves by any reference once, lists newest first, and unsaves by id, title or position', async () => {
    expect(await savePaper(f.app, alice, `https://arxiv.org/abs/${day.rl1.id}v2`, { now: T0 })).toMatchObject({ paperId: day.rl1.id, added: true });
    expect(await savePaper(f.app, alice, day.rl1.title, { now: hours(1) })).toMatchObject({ added: false });
    await savePaper(f.app, alice, day.graph.id, { now: hours(2) });
    await savePaper(f.app, alice, day.survey.id, { now: hours(3) });
    expect((await listSaved(f.app, alice)).map((s) => s.paperId)).toEqual([day.survey.id, day.graph.id, day.rl1.id]);
    expect(await unsavePaper(f.app, alice, '2', { now: hours(4) })).toMatchObject({ paperId: day.graph.id });
    expect(await unsavePaper(f.app, alice, day.survey.title.toUpperCase())).toMatchObject({ paperId: day.survey.id });
    expect(await unsavePaper(f.app, alice, `arXiv:${day.rl1.id}`)).toMatchObject({ paperId: day.rl1.id });
    expect(await listSaved(f.app, alice)).toEqual([]);
    await expect(unsavePaper(f.app, alice, day.rl1.id)).rejects.toThrow(/no saved paper/);
    await expect(savePaper(f.app, alice, '9999.99999')).rejects.toThrow(UserError);
    expect(await listSaved(f.app, bob)).toEqual([]);
  });

  it('reads a profile stored before the reading list as an empty list', async () => {
    await addTopic(f.app, alice, 'graph neural networks', { now: T0 });
    const stored = (await f.app.kv('profiles').get('user:alice')) as Record<string, unknown>;
    delete stored.saved;
    await f.app.kv('profiles').set('user:alice', stored);
    expect(await listSaved(f.app, alice)).toEqual([]);
    expect((await listTopics(f.app, alice)).map((t) => t.text)).toEqual(['graph neural networks']);
  });

  it('counts a saved paper as a strong like: its neighbours rise, it is never picked again', async () => {
    await addTopic(f.app, alice, 'diffusion models inverse problems', { now: T0 });
    await addTopic(f.app, alice, 'reasoning large language models', { now: T0 });
    const score = (r: Awaited<ReturnType<typeof getPicks>>, id: string) => r.picks.find((p) => p.paper.id === id)?.score ?? -Infinity;
    const before = await getPicks(f.app, alice, { now: T0, n: 10 });
    await savePaper(f.app, alice, day.rl1.id, { now: T0 });
    const after = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(after)).not.toContain(day.rl1.id);
    expect(after.excluded.rated).toBe(1);
    expect(score(after, day.rl2.id)).toBeGreaterThan(score(before, day.rl2.id));
    expect(after.picks[0]!.paper.id).toBe(day.rl2.id);
    expect(after.picks[0]!.reasons.some((x) => x.kind === 'liked' && x.text.includes(day.rl1.title))).toBe(true);

    // A saved paper alone makes the feed personal.
    await savePaper(f.app, bob, day.graph.id, { now: T0 });
    expect((await getPicks(f.app, bob, { now: T0, n: 10 })).mode).toBe('personal');
  });

  it('keeps a saved paper out of picks after it is renamed to its arXiv id, and finds it by the new id', async () => {
    const hashed = { ...day.graph, id: 't-0123456789abcdef', arxivId: undefined };
    f.store.rename(day.graph.id, hashed);
    await addTopic(f.app, alice, 'graph neural networks molecules', { now: T0 });
    await savePaper(f.app, alice, 't-0123456789abcdef', { now: T0 });
    f.store.rename('t-0123456789abcdef', { ...hashed, id: '2503.99999', arxivId: '2503.99999' });
    const r = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(r)).not.toContain('2503.99999');
    expect(await savePaper(f.app, alice, '2503.99999', { now: T0 })).toMatchObject({ added: false });
    expect((await listSaved(f.app, alice))[0]).toMatchObject({ paperId: 't-0123456789abcdef', paper: expect.objectContaining({ id: '2503.99999' }) });
    expect(await unsavePaper(f.app, alice, '2503.99999')).toMatchObject({ paperId: 't-0123456789abcdef' });
  });

  it('lists what was delivered per day with the reactions and saves, newest day first, within the days asked', async () => {
    await recordDelivered(f.app, alice, [day.rl1.id, day.graph.id], { now: hours(-50) });
    await recordDelivered(f.app, alice, [day.rl2.id], { now: hours(-1) });
    await recordDelivered(f.app, alice, [day.survey.id], { now: hours(-24 * 10) });
    await recordFeedback(f.app, alice, day.rl1.id, 'up', { now: T0 });
    await recordFeedback(f.app, alice, day.graph.id, 'not-interested', { now: T0 });
    await savePaper(f.app, alice, day.rl2.id, { now: T0 });
    const h = await deliveryHistory(f.app, alice, alice, 7, { now: T0 });
    expect(h.map((d) => d.date)).toEqual(['2025-03-04', '2025-03-02']);
    expect(h[0]!.papers).toEqual([{ paperId: day.rl2.id, title: day.rl2.title, at: hours(-1).toISOString(), saved: true }]);
    expect(h[1]!.papers.map((p) => [p.paperId, p.reaction, p.saved])).toEqual(
      [[day.rl1.id, 'up', false], [day.graph.id, 'not-interested', false]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect((await deliveryHistory(f.app, alice, alice, 30, { now: T0 })).map((d) => d.date)).toContain('2025-02-22');
    // A channel's history with a member's reactions.
    const channel: Recipient = { kind: 'channel', platform: 'cli', id: 'general' };
    await recordDelivered(f.app, channel, [day.rl1.id], { now: hours(-3) });
    expect((await deliveryHistory(f.app, channel, alice, 7, { now: T0 }))[0]!.papers[0]).toMatchObject({ paperId: day.rl1.id, reaction: 'up' });
    expect((await deliveryHistory(f.app, channel, bob, 7, { now: T0 }))[0]!.papers[0]!.reaction).toBeUndefined();
  });

  it('a weekly window takes the papers of the last 7 days, whatever the last digest', async () => {
    await addTopic(f.app, alice, 'reasoning large language models', { now: T0 });
    const older = paper('Verifiable rewards for language model reasoning', 'Reasoning of large language models improves with verifiable rewards and policy optimization.', {
      firstSeen: hours(-24 * 5).toISOString(),
      updatedAt: hours(-24 * 5).toISOString(),
    });
    const tooOld = paper('Chain of thought reasoning in language models', 'Reasoning large language models chain of thought.', {
      firstSeen: hours(-24 * 8).toISOString(),
      updatedAt: hours(-24 * 8).toISOString(),
    });
    f.store.add(older);
    f.store.add(tooOld);
    await recordDelivered(f.app, alice, [], { now: hours(-3), digestAt: hours(-3) });
    const daily = await getPicks(f.app, alice, { now: T0, n: 10 });
    expect(pickIds(daily)).not.toContain(older.id);
    const weekly = await getPicks(f.app, alice, { now: T0, n: 10, lastDays: 7, record: true });
    expect(weekly.window).toMatchObject({ kind: 'last-days', days: 7 });
    expect(pickIds(weekly)).toContain(older.id);
    expect(pickIds(weekly)).not.toContain(tooOld.id);
    expect(formatPicks(weekly)).toMatch(/first seen in the last 7 days/);
    const again = await getPicks(f.app, alice, { now: hours(1), n: 10, lastDays: 7 });
    expect(pickIds(again).filter((id) => pickIds(weekly).includes(id))).toEqual([]);
  });
});
