// Ranking cost: one profile over 1,000 and 10,000 candidates, and the daily fan-out (1,000
// profiles over one day's candidates). Synthetic unit vectors at the default model's dimension.
import { l2normalize } from '../embeddings/provider.ts';
import type { Paper } from '../src/papers/paper.ts';
import { trainLinearSvm, type Example } from '../src/recommend/learn.ts';
import { prepareProfile, rankCandidates } from '../src/recommend/rank.ts';
import { DEFAULT_TUNING, type Candidate, type RankParams, type RankProfile } from '../src/recommend/rank-types.ts';
import { median, timeMs, type Bench, type Figure } from './figures.ts';

const DIM = 384;
const THEMES = 40;

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A vocabulary where the keywords are rare, as in real abstracts.
const WORDS = [
  ...'model learning language graph reasoning vision robot policy reward benchmark data training attention'.split(' '),
  ...Array.from({ length: 400 }, (_, i) => `w${i}`),
  'diffusion',
  'survey',
];

function world(seed: number) {
  const rand = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const themes = Array.from({ length: THEMES }, () => l2normalize(Float32Array.from({ length: DIM }, gauss)));
  /** A vector near a random theme (cosine about 0.6), like papers of one field. */
  const nearTheme = (spread = 1.2) => {
    const t = themes[Math.floor(rand() * THEMES)]!;
    return l2normalize(Float32Array.from({ length: DIM }, (_, d) => t[d]! + (spread / Math.sqrt(DIM)) * gauss()));
  };
  const text = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const candidates = (n: number): Candidate[] =>
    Array.from({ length: n }, (_, i) => {
      const paper: Paper = {
        id: `2503.${String(i).padStart(5, '0')}`,
        title: text(8),
        abstract: text(150),
        authors: [`Author ${Math.floor(rand() * 5000)}`, `Author ${Math.floor(rand() * 5000)}`],
        sources: ['hf-page'],
        upvotes: Math.floor(rand() * 50),
        published: '2025-03-03',
        firstSeen: '2025-03-04T06:00:00.000Z',
        updatedAt: '2025-03-04T06:00:00.000Z',
      };
      return { paper, vector: nearTheme() };
    });
  const anchor = (i: number) => ({ paperId: `old-${i}`, title: `Old paper ${i}`, vector: nearTheme() });
  /** A fairly busy profile: 5 topics, 3 seeds, 20 likes, 10 dislikes, authors and keywords. */
  const profile = (): RankProfile => ({
    topics: Array.from({ length: 5 }, (_, i) => ({ text: `topic ${i}`, weight: 1, vector: nearTheme(0.8) })),
    seeds: Array.from({ length: 3 }, (_, i) => anchor(i)),
    liked: Array.from({ length: 20 }, (_, i) => anchor(100 + i)),
    disliked: Array.from({ length: 10 }, (_, i) => ({ ...anchor(200 + i), weight: 1 })),
    followedAuthors: ['Author 1', 'Author 2', 'Author 3'],
    keywords: [
      { phrase: 'diffusion', mode: 'boost' },
      { phrase: 'graph reasoning', mode: 'boost' },
      { phrase: 'survey', mode: 'exclude' },
    ],
    categories: ['cs.LG'],
    mutedAuthors: ['Author 4'],
    mutedKeywords: [],
    mutedTopics: [],
    sent: new Set(['2503.00001', '2503.00002']),
    rated: new Set(),
  });
  return { candidates, profile };
}

const params: RankParams = {
  n: 5,
  threshold: 0.3,
  muteSimilarity: 0.3,
  lambda: 0.7,
  popularityWeight: 0.02,
  recencyHalfLifeDays: 7,
  now: new Date('2025-03-04T08:00:00Z'),
};

const bench: Bench = async ({ quick }) => {
  const figures: Figure[] = [];
  const w = world(7);
  const reps = quick ? 5 : 15;

  for (const n of quick ? [1_000] : [1_000, 10_000]) {
    const cands = w.candidates(n);
    const profile = w.profile();
    // Warm-up: the JIT needs a few whole runs before the loops settle (first runs are 3-5× slower).
    for (let i = 0; i < 10; i++) rankCandidates(cands, profile, params);
    const times: number[] = [];
    let picks = 0;
    for (let i = 0; i < reps; i++) times.push(await timeMs(() => (picks = rankCandidates(cands, profile, params).picks.length)));
    figures.push({
      bench: 'recommend',
      metric: `rank one profile, ${n.toLocaleString('en')} candidates`,
      value: median(times),
      unit: 'ms',
      note: `median of ${reps}; ${picks} picks, d=${DIM}, 5 topics + 3 seeds + 20 likes`,
    });
  }

  // Training alone: the per-recipient SVM on 250 examples with sparse rows of 120 terms.
  {
    const rand = rng(3);
    const examples: Example[] = Array.from({ length: 250 }, (_, i) => {
      const sparse = new Map<number, number>();
      for (let k = 0; k < 120; k++) sparse.set(Math.floor(rand() * 50_000), 1 / Math.sqrt(120));
      return { x: { sparse, dense: w.candidates(1)[0]!.vector }, y: i < 40 ? 1 : -1 };
    });
    const opts = { c: DEFAULT_TUNING.svmC, denseScale: DEFAULT_TUNING.svmDenseScale, epochs: DEFAULT_TUNING.svmEpochs };
    for (let i = 0; i < 5; i++) trainLinearSvm(examples, opts);
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push(await timeMs(() => trainLinearSvm(examples, opts)));
    figures.push({ bench: 'recommend', metric: 'train one recipient model, 250 examples', value: median(times), unit: 'ms', note: `median of ${reps}; sparse 120 terms + d=${DIM}` });
  }

  // The daily fan-out: every profile ranks the same day's candidates.
  const dayN = 1_000;
  const profiles = quick ? 100 : 1_000;
  const day = w.candidates(dayN);
  const all = Array.from({ length: profiles }, () => prepareProfile(w.profile()));
  for (let i = 0; i < 10; i++) rankCandidates(day, all[i % all.length]!, params);
  const per: number[] = [];
  const total = await timeMs(async () => {
    for (const p of all) per.push(await timeMs(() => rankCandidates(day, p, params)));
  });
  figures.push(
    { bench: 'recommend', metric: `fan-out: ${profiles} profiles × ${dayN} candidates, total`, value: total / 1000, unit: 's' },
    { bench: 'recommend', metric: 'fan-out: per profile', value: median(per), unit: 'ms', note: 'median' },
  );
  return figures;
};

export default bench;
