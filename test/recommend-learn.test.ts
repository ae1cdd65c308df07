// Issue 13: the learned per-recipient model, pool-relative thresholds, one thumbs-down, seeds,
// stemmed keywords, the mute cut-off and undated papers, on synthetic data (rank.ts is pure).
import { describe, expect, it } from 'vitest';
import type { SparseVector } from '../embeddings/provider.ts';
import type { Paper } from '../src/papers/paper.ts';
import { decision, trainLinearSvm } from '../src/recommend/learn.ts';
import { priorOf, rankCandidates } from '../src/recommend/rank.ts';
import { DEFAULT_TUNING, type Candidate, type RankParams } from '../src/recommend/rank-types.ts';
import { l2normalize } from '../embeddings/provider.ts';
import { emptyProfile, rankPaper } from './helpers/rank-profile.ts';
import { rng } from '../embeddings/rng.ts';

const DIM = 16;
const NOW = new Date('2025-03-04T08:00:00Z');
const rand = rng(7);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const randomUnit = () => l2normalize(Float32Array.from({ length: DIM }, gauss));
/** A unit vector near `center` (noise of the given size per dimension). */
const around = (center: Float32Array, noise: number) => l2normalize(center.map((x) => x + noise * gauss()));
/** Sparse "terms": a paper of theme t has terms t·100 + 0..9, plus a few of its own. */
function terms(theme: number, own: number): SparseVector {
  const m: SparseVector = new Map();
  for (let i = 0; i < 6; i++) m.set(theme * 100 + Math.floor(rand() * 10), 1);
  for (let i = 0; i < 3; i++) m.set(10_000 + own * 10 + i, 1);
  const n = Math.sqrt([...m.values()].reduce((s, x) => s + x * x, 0));
  for (const [k, v] of m) m.set(k, v / n);
  return m;
}

const paper = rankPaper;

const params = (over: Partial<RankParams> = {}): RankParams => ({
  n: 10,
  threshold: 0.15,
  muteSimilarity: 0.3,
  lambda: 1,
  popularityWeight: 0.02,
  recencyHalfLifeDays: 7,
  now: NOW,
  ...over,
});
const ids = (cands: { paper: Paper }[]) => cands.map((c) => c.paper.id);

/** A day of `perTheme` papers in each of `themes` themes, with dense vectors and sparse terms. */
function day(themes: number, perTheme: number) {
  const centers = Array.from({ length: themes }, randomUnit);
  const cands: Candidate[] = [];
  let own = 0;
  centers.forEach((c, t) => {
    for (let i = 0; i < perTheme; i++) cands.push({ paper: paper(`t${t}-${i}`), vector: around(c, 0.35), sparse: terms(t, own++) });
  });
  return { centers, cands };
}

describe('trainLinearSvm', () => {
  it('separates two classes, the same way on every run, and refuses one class only', () => {
    const a = randomUnit();
    const b = randomUnit();
    const examples = Array.from({ length: 40 }, (_, i) => ({ x: { dense: around(i % 2 ? a : b, 0.3) }, y: (i % 2 ? 1 : -1) as 1 | -1 }));
    const opts = { c: 1, denseScale: 1, epochs: 30 };
    const m = trainLinearSvm(examples, opts)!;
    const right = examples.filter((e) => Math.sign(decision(m, e.x)) === e.y).length;
    expect(right).toBeGreaterThanOrEqual(38);
    expect(decision(trainLinearSvm(examples, opts)!, examples[0]!.x)).toBe(decision(m, examples[0]!.x));
    expect(trainLinearSvm(examples.filter((e) => e.y > 0), opts)).toBeUndefined();
  });
});

describe('learned picks', () => {
  it('learns what three liked papers share and says so ("like the 3 papers you liked")', () => {
    const { cands } = day(6, 12);
    const liked = cands.filter((c) => c.paper.id.startsWith('t2-')).slice(0, 3);
    const profile = {
      ...emptyProfile(),
      liked: liked.map((c) => ({ paperId: c.paper.id, title: c.paper.title, vector: c.vector, sparse: c.sparse })),
      rated: new Set(liked.map((c) => c.paper.id)),
    };
    const r = rankCandidates(cands, profile, params());
    expect(r.picks).toHaveLength(10);
    expect(ids(r.picks).filter((id) => id.startsWith('t2-')).length).toBeGreaterThanOrEqual(8);
    expect(ids(r.picks)).not.toContain(liked[0]!.paper.id);
    expect(r.picks.some((p) => p.reasons.some((x) => x.text.startsWith('like the 3 papers you liked')))).toBe(true);
  });

  it('fills the feed with a short topic phrase, and one thumbs-down demotes what is like it without wiping the topic', () => {
    const { centers, cands } = day(5, 14);
    const topic = { text: 'theme one', weight: 1, vector: around(centers[1]!, 0.15), sparse: terms(1, 999) };
    const base = { ...emptyProfile(), topics: [topic] };
    const before = rankCandidates(cands, base, params());
    expect(before.picks).toHaveLength(10);
    expect(ids(before.picks).filter((id) => id.startsWith('t1-')).length).toBeGreaterThanOrEqual(8);

    const down = before.picks[0]!;
    const twin: Candidate = { paper: paper('twin'), vector: around(down.vector, 0.02), sparse: down.sparse };
    const pool = [...cands, twin];
    const withTwin = rankCandidates(pool, base, params());
    const after = rankCandidates(pool, { ...base, disliked: [{ paperId: down.paper.id, title: 'x', vector: down.vector, sparse: down.sparse, weight: 1 }], rated: new Set([down.paper.id]) }, params());
    const scoreOf = (r: typeof after, id: string) => r.picks.find((p) => p.paper.id === id)?.score ?? -Infinity;
    expect(scoreOf(withTwin, 'twin')).toBeGreaterThan(-Infinity);
    expect(scoreOf(after, 'twin')).toBeLessThan(scoreOf(withTwin, 'twin'));
    // The topic's feed stays full and on topic.
    expect(after.picks).toHaveLength(10);
    expect(ids(after.picks).filter((id) => id.startsWith('t1-')).length).toBeGreaterThanOrEqual(8);
  });

  it('never picks a seed paper back to its owner', () => {
    const { cands } = day(3, 10);
    const seed = cands[4]!;
    const r = rankCandidates(cands, { ...emptyProfile(), seeds: [{ paperId: seed.paper.id, title: seed.paper.title, vector: seed.vector, sparse: seed.sparse }] }, params());
    expect(ids(r.picks)).not.toContain(seed.paper.id);
    expect(r.excluded.seed).toBe(1);
    expect(r.picks.length).toBeGreaterThan(0);
  });
});

describe('keywords, mutes and dates', () => {
  const text = (id: string, title: string, abstract: string): Candidate => ({ paper: paper(id, { title, abstract }), vector: randomUnit() });
  const papers = [
    text('llms', 'Scaling LLMs', 'We train LLMs.'),
    text('lm-hyphen', 'Small Language-Models at scale', 'Compact models.'),
    text('diffusion', 'Diffusion models for audio', 'Denoising diffusion.'),
    text('plain', 'Graph learning', 'Message passing.'),
  ];
  const topicOn = (c: Candidate) => ({ text: 't', weight: 1, vector: c.vector });

  it('matches keywords across plurals, case, hyphens and simple inflections, on both sides', () => {
    const profile = {
      ...emptyProfile(),
      topics: papers.map(topicOn),
      keywords: [
        { phrase: 'LLM', mode: 'exclude' as const },
        { phrase: 'language model', mode: 'exclude' as const },
        { phrase: 'Diffusion-Model', mode: 'boost' as const },
      ],
    };
    const r = rankCandidates(papers, profile, params({ threshold: 0 }));
    expect(ids(r.picks).sort()).toEqual(['diffusion', 'plain']);
    expect(r.excluded['excluded-keyword']).toBe(2);
    expect(r.picks.find((p) => p.paper.id === 'diffusion')!.reasons.map((x) => x.text)).toContain("mentions 'Diffusion-Model'");
  });

  it('cuts muted topics at their own similarity, whatever the pick threshold', () => {
    const muted = randomUnit();
    const pool = [
      { paper: paper('m1'), vector: around(muted, 0.05) },
      { paper: paper('m2'), vector: around(muted, 0.1) },
      ...Array.from({ length: 8 }, (_, i) => ({ paper: paper(`o${i}`), vector: randomUnit() })),
    ];
    const profile = { ...emptyProfile(), topics: pool.map((c) => ({ text: c.paper.id, weight: 1, vector: c.vector })), mutedTopics: [{ text: 'muted', vector: muted }] };
    const hidden = (threshold: number) => rankCandidates(pool, profile, params({ threshold })).excluded['muted-topic'];
    expect(hidden(0)).toBe(hidden(0.9));
    expect(hidden(0)).toBeGreaterThanOrEqual(2);
    expect(hidden(0)).toBeLessThan(5);
  });

  it('gives an undated paper no recency prior (it is not new because it was ingested today)', () => {
    const dated = { paper: paper('dated', { published: '2025-03-04' }), vector: randomUnit() };
    const undated = { paper: paper('undated', { published: undefined }), vector: randomUnit() };
    const p = params();
    expect(priorOf(undated, p, DEFAULT_TUNING)).toBe(0);
    expect(priorOf(dated, p, DEFAULT_TUNING)).toBeGreaterThan(0.04);
  });
});
