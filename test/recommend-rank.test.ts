import { describe, expect, it } from 'vitest';
import type { Paper } from '../src/papers/paper.ts';
import { meanPairwiseSimilarity, mmrSelect } from '../src/recommend/mmr.ts';
import { allowedPicks, centralities, prepareProfile, rankCandidates, scorePool } from '../src/recommend/rank.ts';
import { DEFAULT_TUNING, type Candidate, type RankParams } from '../src/recommend/rank-types.ts';
import { dot } from '../src/recommend/vectors.ts';
import { emptyProfile, rankPaper } from './helpers/rank-profile.ts';

const DIM = 32;
const NOW = new Date('2025-03-04T08:00:00Z');

function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);

function unit(v: Float32Array): Float32Array {
  const n = Math.sqrt(dot(v, v));
  return v.map((x) => x / n);
}
function randomUnit(): Float32Array {
  return unit(Float32Array.from({ length: DIM }, () => rand() * 2 - 1));
}
function basis(i: number): Float32Array {
  const v = new Float32Array(DIM);
  v[i] = 1;
  return v;
}
/** Σ weight · e_axis, normalized. */
function mix(...parts: [axis: number, weight: number][]): Float32Array {
  const v = new Float32Array(DIM);
  for (const [axis, w] of parts) v[axis]! += w;
  return unit(v);
}
/** A unit vector at roughly the given cosine from `center`. */
function near(center: Float32Array, cosine: number): Float32Array {
  const r = randomUnit();
  const along = dot(r, center);
  const ortho = unit(r.map((x, i) => x - along * center[i]!));
  const s = Math.sqrt(1 - cosine * cosine);
  return unit(center.map((x, i) => cosine * x + s * ortho[i]!));
}

const paper = rankPaper;

const params = (over: Partial<RankParams> = {}): RankParams => ({
  n: 5,
  threshold: 0.3,
  muteSimilarity: 0.3,
  lambda: 0.7,
  popularityWeight: 0.02,
  recencyHalfLifeDays: 7,
  now: NOW,
  ...over,
});

const ids = (cands: { paper: Paper }[]) => cands.map((c) => c.paper.id);
const rankOf = (ranking: { paper: Paper }[], id: string) => ranking.findIndex((c) => c.paper.id === id);

describe('rankCandidates, personal mode', () => {
  const topic = randomUnit();
  const other = randomUnit();
  const cands: Candidate[] = [
    { paper: paper('exact'), vector: topic },
    { paper: paper('close'), vector: near(topic, 0.8) },
    { paper: paper('related'), vector: near(topic, 0.5) },
    { paper: paper('far', { upvotes: 500 }), vector: near(other, 0.9) },
  ];

  it('puts the paper matching the topic first and says why, with the similarity', () => {
    const profile = { ...emptyProfile(), topics: [{ text: 'graph transformers', weight: 1, vector: topic }] };
    // Three papers clear the cut-off, so nothing has to fill the feed from below it.
    const r = rankCandidates(cands, profile, params({ n: 3 }));
    expect(r.mode).toBe('personal');
    expect(r.picks[0]!.paper.id).toBe('exact');
    expect(r.picks[0]!.reasons[0]!.text).toBe("matches your topic 'graph transformers' (1.00)");
    // Popularity alone never makes an unrelated paper a pick.
    expect(ids(r.picks)).not.toContain('far');
    expect(r.belowThreshold).toBeGreaterThanOrEqual(1);
  });

  it('sets the threshold relative to the day: weak papers beside a good one are left out, a quiet day still gets its best', () => {
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }] };
    const quiet = [0.1, 0.2, 0.15].map((c, i) => ({ paper: paper(`q${i}`), vector: near(topic, c) }));
    const oneGood = [...quiet, { paper: paper('good'), vector: near(topic, 0.6) }];
    const withGood = rankCandidates(oneGood, profile, params({ threshold: 0.6, n: 1 }));
    expect(ids(withGood.picks)).toEqual(['good']);
    expect(withGood.belowThreshold).toBe(3);
    // Asked for more, the weak ones above the floor fill the feed, after the good one.
    const filled = rankCandidates(oneGood, profile, params({ threshold: 0.6, n: 5 }));
    expect(ids(filled.picks)).toEqual(['good', 'q1', 'q2', 'q0']);
    expect(filled.belowThreshold).toBe(0);
    // Under a fixed floor of 0.3 this day had no pick at all; relative to the day it has its best.
    const onlyWeak = rankCandidates(quiet, profile, params({ threshold: 0.6, lambda: 1, n: 2 }));
    expect(ids(onlyWeak.picks)).toEqual(['q1', 'q2']);
  });

  it('never gives fewer picks than asked while candidates above the floor remain', () => {
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }] };
    const day = Array.from({ length: 40 }, (_, i) => ({ paper: paper(`d${i}`), vector: near(topic, 0.05 + (i % 10) * 0.03) }));
    const r = rankCandidates(day, profile, params({ n: 10 }));
    const above = day.length - r.belowThreshold;
    expect(above).toBeGreaterThanOrEqual(10);
    expect(r.picks).toHaveLength(10);
    // One strong paper raises the cut-off above all the others: the floor still fills the feed.
    const spiked = [{ paper: paper('best'), vector: topic }, ...day.slice(0, 12)];
    const strict = rankCandidates(spiked, profile, params({ n: 10, threshold: 0.9 }));
    expect(strict.cutoff).toBeGreaterThan(0.5);
    expect(strict.picks).toHaveLength(10);
    expect(strict.picks[0]!.paper.id).toBe('best');
    // `why` judges a paper by the same rule: a filler below the cut-off still passes.
    const pool = scorePool(spiked, prepareProfile(profile), params({ n: 10, threshold: 0.9 }));
    const allowed = allowedPicks(pool, 10, DEFAULT_TUNING.floor);
    expect(allowed.filter((s) => s.relevance < pool.cutoff).length).toBeGreaterThan(0);
    expect(ids(strict.picks).sort()).toEqual(ids(allowed).sort());
    // Papers below the floor share nothing with the profile and never fill it.
    const unrelated = [{ paper: paper('best'), vector: topic }, ...Array.from({ length: 5 }, (_, i) => ({ paper: paper(`u${i}`), vector: near(randomUnit(), 0) }))];
    const few = rankCandidates(unrelated, profile, params({ n: 10, threshold: 0.9, tuning: { floor: 0.2, learnedWeight: 0 } }));
    expect(few.belowFloor).toBeGreaterThan(0);
    expect(few.picks).toHaveLength(unrelated.length - few.belowFloor);
  });

  it('scales a topic by its weight', () => {
    const [a, b] = [basis(0), basis(1)];
    const two = [
      { paper: paper('a'), vector: mix([0, 0.6], [2, 0.8]) },
      { paper: paper('b'), vector: mix([1, 0.5], [3, Math.sqrt(0.75)]) },
    ];
    const equal = { ...emptyProfile(), topics: [{ text: 'a', weight: 1, vector: a }, { text: 'b', weight: 1, vector: b }] };
    expect(ids(rankCandidates(two, equal, params({ lambda: 1 })).picks)).toEqual(['a', 'b']);
    const heavierB = { ...equal, topics: [{ text: 'a', weight: 1, vector: a }, { text: 'b', weight: 2, vector: b }] };
    const r = rankCandidates(two, heavierB, params({ lambda: 1 }));
    expect(ids(r.picks)).toEqual(['b', 'a']);
    expect(r.picks[0]!.relevance).toBeCloseTo(1.0, 5);
    expect(r.picks[0]!.reasons[0]!.text).toBe("matches your topic 'b' (0.50)");
  });

  it('never picks papers with excluded keywords or by muted authors, and counts why', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      paper: paper(`p${i}`, {
        title: i % 3 === 0 ? `A Survey of thing ${i}` : `Method ${i}`,
        authors: i % 4 === 1 ? ['Ada Lovelace', 'X'] : ['Y'],
      }),
      vector: near(topic, 0.7),
    }));
    const profile = {
      ...emptyProfile(),
      topics: [{ text: 't', weight: 1, vector: topic }],
      keywords: [{ phrase: 'survey', mode: 'exclude' as const }],
      mutedAuthors: ['ada lovelace'],
    };
    const r = rankCandidates(many, profile, params({ n: 12 }));
    expect(r.picks.length).toBeGreaterThan(0);
    for (const p of r.picks) {
      expect(p.paper.title.toLowerCase()).not.toContain('survey');
      expect(p.paper.authors).not.toContain('Ada Lovelace');
    }
    // Surveys: p0 p3 p6 p9; by Ada: p1 p5 p9 (p9 counts once, as muted author: authors are checked first).
    expect(r.excluded['excluded-keyword']).toBe(3);
    expect(r.excluded['muted-author']).toBe(3);
  });

  it('requires one of the required keywords when any is set', () => {
    const two = [
      { paper: paper('with', { abstract: 'We use Diffusion models.' }), vector: near(topic, 0.7) },
      { paper: paper('without'), vector: near(topic, 0.9) },
    ];
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }], keywords: [{ phrase: 'diffusion models', mode: 'require' as const }] };
    const r = rankCandidates(two, profile, params());
    expect(ids(r.picks)).toEqual(['with']);
    expect(r.picks[0]!.reasons.map((x) => x.text)).toContain("mentions 'diffusion models'");
    expect(r.excluded['missing-required-keyword']).toBe(1);
  });

  it('excludes papers close to a muted topic and stops counting the muted topic', () => {
    const mutedDir = randomUnit();
    const list = [
      { paper: paper('muted'), vector: near(mutedDir, 0.9) },
      { paper: paper('fine'), vector: near(topic, 0.8) },
    ];
    const profile = {
      ...emptyProfile(),
      topics: [
        { text: 'Topic', weight: 1, vector: topic },
        { text: 'muted thing', weight: 1, vector: mutedDir },
      ],
      mutedTopics: [{ text: 'Muted thing', vector: mutedDir }],
    };
    const r = rankCandidates(list, profile, params());
    expect(ids(r.picks)).toEqual(['fine']);
    expect(r.excluded['muted-topic']).toBe(1);
  });

  it('boosts followed authors enough to pick their papers, saying so', () => {
    const list = [{ paper: paper('by-ada', { authors: ['Ada  Lovelace'] }), vector: near(topic, 0.1) }];
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }], followedAuthors: ['ada lovelace'] };
    const r = rankCandidates(list, profile, params());
    expect(ids(r.picks)).toEqual(['by-ada']);
    expect(r.picks[0]!.reasons.map((x) => x.text)).toContain('by ada lovelace, whom you follow');
  });

  it('thumbs-down pushes near neighbours down, thumbs-up pulls them up', () => {
    const a = near(topic, 0.6);
    const b = near(topic, 0.6);
    // Neighbours of the rated papers a and b, equally relevant to the topic.
    const list: Candidate[] = [];
    for (let i = 0; i < 4; i++) {
      list.push({ paper: paper(`na${i}`), vector: unit(a.map((x, d) => x * 0.9 + 0.1 * topic[d]! + 0.05 * (rand() - 0.5))) });
      list.push({ paper: paper(`nb${i}`), vector: unit(b.map((x, d) => x * 0.9 + 0.1 * topic[d]! + 0.05 * (rand() - 0.5))) });
    }
    const base = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }] };
    const p = params({ n: 8, lambda: 1, threshold: -1 });
    const before = rankCandidates(list, base, p).picks;
    const meanScore = (picks: typeof before, prefix: string) =>
      picks.filter((x) => x.paper.id.startsWith(prefix)).reduce((s, x) => s + x.score, 0) / 4;

    const disliked = rankCandidates(list, { ...base, disliked: [{ paperId: 'A', title: 'A', vector: a, weight: 1 }] }, p).picks;
    expect(meanScore(disliked, 'na')).toBeLessThan(meanScore(before, 'na') - 0.1);
    expect(meanScore(disliked, 'nb')).toBeGreaterThan(meanScore(disliked, 'na'));
    expect(Math.max(...['na0', 'na1', 'na2', 'na3'].map((id) => rankOf(disliked, id)))).toBe(7);

    const liked = rankCandidates(list, { ...base, liked: [{ paperId: 'B', title: 'Paper B', vector: b }] }, p).picks;
    expect(meanScore(liked, 'nb')).toBeGreaterThan(meanScore(before, 'nb') + 0.1);
    expect(ids(liked).slice(0, 4).sort()).toEqual(['nb0', 'nb1', 'nb2', 'nb3']);
    expect(liked[0]!.reasons.some((x) => x.kind === 'liked' && x.text.startsWith("similar to 'Paper B' that you liked"))).toBe(true);
  });

  it('skips papers already sent or rated', () => {
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }], sent: new Set(['exact']), rated: new Set(['close']) };
    const r = rankCandidates(cands, profile, params({ threshold: 0 }));
    expect(ids(r.picks)).not.toContain('exact');
    expect(ids(r.picks)).not.toContain('close');
    expect(r.excluded).toMatchObject({ sent: 1, rated: 1 });
  });

  it('mentions popularity only when notable', () => {
    const list = [
      { paper: paper('hot', { upvotes: 42 }), vector: near(topic, 0.7) },
      { paper: paper('cold', { upvotes: 2 }), vector: near(topic, 0.7) },
    ];
    const r = rankCandidates(list, { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }] }, params());
    const texts = (id: string) => r.picks.find((p) => p.paper.id === id)!.reasons.map((x) => x.text);
    expect(texts('hot')).toContain('popular on Hugging Face (42 upvotes)');
    expect(texts('cold').some((t) => t.startsWith('popular'))).toBe(false);
  });
});

describe('MMR diversity', () => {
  it('is measurably less redundant than plain top-k', () => {
    const topic = basis(0);
    // Three clusters of near-duplicates (centres 0.56 apart), the first one slightly more relevant.
    const centers = [0.8, 0.75, 0.7].map((c, k) => mix([0, c], [k + 1, Math.sqrt(1 - c * c)]));
    const list: Candidate[] = [];
    centers.forEach((c, k) => {
      for (let i = 0; i < 6; i++) list.push({ paper: paper(`c${k}-${i}`), vector: near(c, 0.97) });
    });
    const profile = { ...emptyProfile(), topics: [{ text: 't', weight: 1, vector: topic }] };
    const plain = rankCandidates(list, profile, params({ lambda: 1, n: 5 })).picks;
    const diverse = rankCandidates(list, profile, params({ lambda: 0.7, n: 5 })).picks;
    expect(plain).toHaveLength(5);
    expect(diverse).toHaveLength(5);
    const redundancy = (xs: Candidate[]) => meanPairwiseSimilarity(xs.map((x) => x.vector));
    expect(redundancy(diverse)).toBeLessThan(redundancy(plain) - 0.1);
    expect(new Set(diverse.map((p) => p.paper.id.split('-')[0])).size).toBe(3);
    // The best paper stays first either way.
    expect(diverse[0]!.paper.id).toBe(plain[0]!.paper.id);
  });

  it('with λ = 1 is top-k by score', () => {
    const items = [0.9, 0.5, 0.7, 0.1].map((score) => ({ score, vector: randomUnit() }));
    const sorted = [...items].sort((a, b) => b.score - a.score);
    expect(mmrSelect(sorted, 3, 1).map((x) => x.score)).toEqual([0.9, 0.7, 0.5]);
  });
});

describe('rankCandidates, general mode (no profile)', () => {
  it('picks the day\'s most central and popular papers, saying so', () => {
    const theme = randomUnit();
    const list: Candidate[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ paper: paper(`main${i}`), vector: near(theme, 0.75) })),
      { paper: paper('outlier'), vector: randomUnit() },
      { paper: paper('outlier-popular', { upvotes: 300 }), vector: randomUnit() },
    ];
    const r = rankCandidates(list, emptyProfile(), params({ n: 8, lambda: 1 }));
    expect(r.mode).toBe('general');
    expect(r.picks).toHaveLength(8);
    expect(rankOf(r.picks, 'outlier')).toBe(7);
    expect(rankOf(r.picks, 'outlier-popular')).toBeLessThan(7);
    const popular = r.picks.find((p) => p.paper.id === 'outlier-popular')!;
    expect(popular.reasons.map((x) => x.text)).toContain('popular on Hugging Face (300 upvotes)');
    expect(r.picks[0]!.reasons[0]!.text).toMatch(/^one of the day's most central papers \(mean similarity 0\.\d\d to the others\)$/);
  });

  it('computes centrality as the mean similarity to the other papers', () => {
    const list = Array.from({ length: 5 }, (_, i) => ({ paper: paper(`x${i}`), vector: randomUnit() }));
    const fast = centralities(list);
    list.forEach((c, i) => {
      const slow = list.filter((_, j) => j !== i).reduce((s, o) => s + dot(c.vector, o.vector), 0) / 4;
      expect(fast[i]).toBeCloseTo(slow, 5);
    });
  });

  it('still applies hard exclusions', () => {
    const list = [
      { paper: paper('a', { title: 'A survey' }), vector: randomUnit() },
      { paper: paper('b'), vector: randomUnit() },
    ];
    const r = rankCandidates(list, { ...emptyProfile(), keywords: [{ phrase: 'survey', mode: 'exclude' }] }, params());
    expect(r.mode).toBe('general');
    expect(ids(r.picks)).toEqual(['b']);
  });
});
