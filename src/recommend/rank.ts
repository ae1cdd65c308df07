/**
 * Ranking one day's candidates for one recipient. Pure: no I/O, no clock (the time comes in
 * params), so it is tested on synthetic vectors and benchmarked for the daily fan-out.
 *
 * Personal mode (the profile says what the recipient wants):
 *   sim(a, v)  = (1 − sparseWeight) · cos(dense) + sparseWeight · cos(sparse TF-IDF)   (dense only
 *                when either side has no sparse vector)
 *   anchor(v)  = max over anchors a of weight(a) · sim(a, v)      topics (their weight), seed papers
 *                (1), liked papers (likedWeight), the liked papers' centroid (likedCentroidWeight, from two)
 *   relevance  = max(0, anchor(v)) + learnedWeight · max(0, σ(2 · f(v)) − median over the pool of σ(2 · f))
 *              + authorBoost (a followed author) + keywordBoost per matched phrase (at most 2)
 *              + categoryBoost (a followed arXiv category)
 *              − dislikedPenalty · max over disliked papers d of weight(d) · sim(d, v)   (then ≥ 0)
 *   f          = the recipient's linear SVM (learned.ts) on [sparse TF-IDF ; dense]: positives are
 *                topics, seeds and liked papers, plus the day's feedbackDepth best anchor matches
 *                (pseudo-relevance feedback, at feedbackCost); negatives are thumbs-down papers (at
 *                dislikedCost, "not for me" half) and a fixed sample of the day's other papers.
 *   prior      = popularityWeight · ln(1 + upvotes) + recencyWeight · 2^(−age / half-life), age from
 *                the publication date; an undated paper gets no recency prior.
 *   score      = relevance + prior.
 *   cutoff     = max(floor, threshold · the best relevance among the day's eligible papers): MMR
 *   picks n among the papers at or above it. When fewer than n are, the best others with
 *   relevance ≥ floor fill the feed (by relevance): relative to the pool, so a short topic under
 *   any embedder still fills the feed and a profile with eligible candidates never gets an empty
 *   one; only a day with fewer than n papers above the floor yields fewer picks, and popularity
 *   alone never makes a paper below the floor a pick.
 *
 * Why a learned model: the nearest liked paper (a max) ignores what the liked papers share, and a
 * centroid (Rocchio, kept as one anchor) weighs every word of them alike. The SVM learns which
 * terms separate the wanted papers from the rest of the day; the anchor max keeps each explicit
 * wish visible on its own, so one thumbs-down demotes what is like it without wiping a topic.
 *
 * General mode (no positive signal, e.g. a channel with no profile): the day's most central papers
 * (mean similarity to the day's other candidates, in O(n·d) via the sum vector) plus a stronger
 * popularity prior, minus dislikedPenalty · cos(v, mean disliked); no threshold.
 *
 * Both modes apply the hard exclusions first (delivered, rated, seed papers; keywords; mutes, a
 * muted topic at muteSimilarity) and then MMR for diversity.
 */
import { sparseDot } from '../../embeddings/provider.ts';
import { decision, type FeatureRow, type LinearModel } from './learn.ts';
import { fitRecipientModel, type Labelled } from './learned.ts';
import { mmrSelect } from './mmr.ts';
import { reason, type Reason } from './reasons.ts';
import { containsPhrase, normalizedAuthors, phraseMatcher, searchableText, type PhraseMatcher } from './text-match.ts';
import {
  DEFAULT_TUNING,
  type AnchorPaper,
  type Candidate,
  type Exclusion,
  type ExclusionKind,
  type RankParams,
  type RankProfile,
  type Ranking,
  type ScoredCandidate,
  type Tuning,
} from './rank-types.ts';
import { centroid, dot, dotRows, pack, sparseCentroid, sum, type PackedRows } from './vectors.ts';
import { normalizePhrase } from './text-match.ts';

const DAY_MS = 86_400_000;

/** A profile turned into what scoring needs: phrase matchers, anchors, active topics. */
export interface PreparedProfile {
  personal: boolean;
  topics: RankProfile['topics'];
  seeds: RankProfile['seeds'];
  liked: RankProfile['liked'];
  disliked: RankProfile['disliked'];
  /** Normalized mean of disliked papers (general mode only). */
  negative?: Float32Array;
  followed: Map<string, string>;
  requiredKeywords: PhraseMatcher[];
  excludedKeywords: PhraseMatcher[];
  /** Required, then boosting keywords: both boost a paper that mentions them. */
  positiveKeywords: PhraseMatcher[];
  categories: Map<string, string>;
  mutedAuthors: Map<string, string>;
  mutedKeywords: PhraseMatcher[];
  mutedTopics: RankProfile['mutedTopics'];
  sent: ReadonlySet<string>;
  rated: ReadonlySet<string>;
  seedIds: ReadonlySet<string>;
  tuning: Tuning;
}

const byNorm = (names: readonly string[]): Map<string, string> =>
  new Map(names.map((n) => [normalizePhrase(n), n] as const).filter(([k]) => k !== ''));
const matchers = (list: readonly string[]): PhraseMatcher[] => list.flatMap((phrase) => phraseMatcher(phrase) ?? []);

export function prepareProfile(p: RankProfile, tuning: Partial<Tuning> = {}): PreparedProfile {
  const t = { ...DEFAULT_TUNING, ...tuning };
  // A muted topic that is also one of the recipient's topics stops counting while muted.
  const muted = new Set(p.mutedTopics.map((m) => normalizePhrase(m.text)));
  const topics = p.topics.filter((x) => !muted.has(normalizePhrase(x.text)));
  const liked = p.liked.slice(-t.likedAnchors);
  const keywords = (mode: string) => p.keywords.filter((k) => k.mode === mode).map((k) => k.phrase);
  const prepared: PreparedProfile = {
    personal: false,
    topics,
    seeds: p.seeds,
    liked,
    disliked: p.disliked,
    followed: byNorm(p.followedAuthors),
    requiredKeywords: matchers(keywords('require')),
    excludedKeywords: matchers(keywords('exclude')),
    positiveKeywords: matchers([...keywords('require'), ...keywords('boost')]),
    categories: new Map(p.categories.map((c) => [c.toLowerCase(), c])),
    mutedAuthors: byNorm(p.mutedAuthors),
    mutedKeywords: matchers(p.mutedKeywords),
    mutedTopics: p.mutedTopics,
    sent: p.sent,
    rated: p.rated,
    seedIds: new Set(p.seeds.map((s) => s.paperId)),
    tuning: t,
  };
  const negative = centroid(
    p.disliked.map((d) => d.vector),
    p.disliked.map((d) => d.weight),
  );
  if (negative) prepared.negative = negative;
  prepared.personal =
    topics.length > 0 ||
    p.seeds.length > 0 ||
    liked.length > 0 ||
    prepared.followed.size > 0 ||
    prepared.positiveKeywords.length > 0 ||
    prepared.categories.size > 0;
  return prepared;
}

/** The hard exclusion that removes this candidate, if any. */
export function exclusionOf(c: Candidate, p: PreparedProfile, muteSimilarity: number): Exclusion | undefined {
  const id = c.paper.id;
  if (p.sent.has(id)) return { kind: 'sent' };
  if (p.rated.has(id)) return { kind: 'rated' };
  if (p.seedIds.has(id)) return { kind: 'seed' };
  if (p.mutedAuthors.size > 0) {
    for (const a of normalizedAuthors(c.paper)) {
      const muted = p.mutedAuthors.get(a);
      if (muted) return { kind: 'muted-author', detail: muted };
    }
  }
  if (p.excludedKeywords.length + p.mutedKeywords.length + p.requiredKeywords.length > 0) {
    const text = searchableText(c.paper);
    const excluded = p.excludedKeywords.find((k) => containsPhrase(text, k));
    if (excluded) return { kind: 'excluded-keyword', detail: excluded.phrase };
    const muted = p.mutedKeywords.find((k) => containsPhrase(text, k));
    if (muted) return { kind: 'muted-keyword', detail: muted.phrase };
    if (p.requiredKeywords.length > 0 && !p.requiredKeywords.some((k) => containsPhrase(text, k))) {
      return { kind: 'missing-required-keyword', detail: p.requiredKeywords.map((k) => k.phrase).join(', ') };
    }
  }
  for (const m of p.mutedTopics) {
    if (similarity(m, c, p.tuning) >= muteSimilarity) return { kind: 'muted-topic', detail: m.text };
  }
  return undefined;
}

/**
 * Popularity and recency. Age counts from the publication date: an undated paper is not "new"
 * because it was ingested today, so it gets no recency prior.
 */
export function priorOf(c: Candidate, params: RankParams, t: Tuning): number {
  const upvotes = c.paper.upvotes ?? 0;
  const when = c.paper.published ? Date.parse(c.paper.published) : NaN;
  const recency = Number.isNaN(when) ? 0 : 0.5 ** (Math.max(0, (params.now.getTime() - when) / DAY_MS) / params.recencyHalfLifeDays);
  return params.popularityWeight * Math.log1p(upvotes) + t.recencyWeight * recency;
}

interface Features {
  vector: Float32Array;
  sparse?: Candidate['sparse'];
}

/** Anchor-to-paper similarity: dense cosine, mixed with the sparse TF-IDF cosine when both sides have one. */
export function similarity(a: Features, c: Features, t: Tuning): number {
  const dense = dot(a.vector, c.vector);
  if (!a.sparse || !c.sparse || t.sparseWeight === 0) return dense;
  return (1 - t.sparseWeight) * dense + t.sparseWeight * sparseDot(a.sparse, c.sparse);
}

/** One thing a paper can resemble: a topic, a seed paper or a liked paper. */
interface Anchor extends Features {
  weight: number;
  reason: (similarity: number) => Reason;
}

const anchorCache = new WeakMap<PreparedProfile, Anchor[]>();

function anchorsOf(p: PreparedProfile): Anchor[] {
  let list = anchorCache.get(p);
  if (!list) {
    const paper = (x: AnchorPaper, weight: number, r: (s: number) => Reason): Anchor => ({ vector: x.vector, sparse: x.sparse, weight, reason: r });
    list = [
      ...p.topics.map((t) => ({ vector: t.vector, sparse: t.sparse, weight: t.weight, reason: (s: number) => reason.topic(t.text, s) })),
      ...p.seeds.map((x) => paper(x, 1, (s) => reason.seed(x.paperId, x.title, s))),
      ...p.liked.map((x) => paper(x, p.tuning.likedWeight, (s) => reason.liked(x.paperId, x.title, s))),
    ];
    // What the liked papers share (their centroid) is a better guide than any one of them.
    const shared = p.liked.length >= 2 ? centroid(p.liked.map((x) => x.vector)) : undefined;
    if (shared && p.tuning.likedCentroidWeight > 0) {
      const titles = p.liked.map((x) => x.title).reverse();
      list.push({
        vector: shared,
        sparse: sparseCentroid(p.liked.map((x) => x.sparse)),
        weight: p.tuning.likedCentroidWeight,
        reason: (s) => reason.learned(p.liked.length, titles, s),
      });
    }
    anchorCache.set(p, list);
  }
  return list;
}

const packedCache = new WeakMap<PreparedProfile, { list: Anchor[]; packed: PackedRows }>();

/** Anchors, then disliked papers, as packed dense rows. */
function packedOf(p: PreparedProfile): { list: Anchor[]; packed: PackedRows } {
  let set = packedCache.get(p);
  if (!set) {
    const list = anchorsOf(p);
    set = { list, packed: pack([...list.map((a) => a.vector), ...p.disliked.map((d) => d.vector)]) };
    packedCache.set(p, set);
  }
  return set;
}

interface Evaluation {
  /** Best weighted anchor similarity. */
  anchor: number;
  /** The learned model's margin (0 without a model). */
  learned: number;
  /** Highest weighted similarity to a disliked paper. */
  disliked: number;
  boost: number;
  author?: string;
  keywords: string[];
  category?: string;
}

const row = (c: Features): FeatureRow => ({ sparse: c.sparse, dense: c.vector });

/** Anchor similarity and boosts of one candidate (the learned part is added by scorePool). */
function evaluate(c: Candidate, p: PreparedProfile, sims: Float64Array): Evaluation {
  const t = p.tuning;
  const { list, packed } = packedOf(p);
  // Dense cosines against every anchor and disliked paper in one tight loop; sparse ones added per row.
  dotRows(c.vector, packed, sims);
  const mixSparse = t.sparseWeight !== 0 && c.sparse !== undefined;
  const sim = (i: number, sparse: Candidate['sparse']) =>
    mixSparse && sparse ? (1 - t.sparseWeight) * sims[i]! + t.sparseWeight * sparseDot(sparse, c.sparse!) : sims[i]!;
  let anchor = 0;
  for (let i = 0; i < list.length; i++) anchor = Math.max(anchor, sim(i, list[i]!.sparse) * list[i]!.weight);
  let disliked = 0;
  for (let j = 0; j < p.disliked.length; j++) {
    const d = p.disliked[j]!;
    disliked = Math.max(disliked, sim(list.length + j, d.sparse) * d.weight);
  }
  const e: Evaluation = { anchor, learned: 0, disliked, boost: 0, keywords: [] };
  if (p.followed.size > 0) {
    const name = normalizedAuthors(c.paper).find((a) => p.followed.has(a));
    if (name !== undefined) {
      e.author = p.followed.get(name)!;
      e.boost += t.authorBoost;
    }
  }
  if (p.positiveKeywords.length > 0) {
    const text = searchableText(c.paper);
    for (const k of p.positiveKeywords) {
      if (e.keywords.length < t.maxKeywordBoosts && containsPhrase(text, k)) e.keywords.push(k.phrase);
    }
    e.boost += e.keywords.length * t.keywordBoost;
  }
  if (p.categories.size > 0) {
    const category = (c.paper.categories ?? []).map((x) => p.categories.get(x.toLowerCase())).find(Boolean);
    if (category) {
      e.category = category;
      e.boost += t.categoryBoost;
    }
  }
  return e;
}

/** The margin as a probability-like 0..1 (Platt-style, fixed slope). */
const squash = (margin: number): number => 1 / (1 + Math.exp(-2 * margin));

/**
 * The learned part counts only above the pool's median: it lifts what the model prefers over a
 * typical paper of the day, and relevance stays non-negative, so the threshold can be a fraction
 * of the best.
 */
const relevanceOf = (e: Evaluation, t: Tuning, median: number): number =>
  Math.max(0, e.anchor + t.learnedWeight * Math.max(0, squash(e.learned) - median) + e.boost - t.dislikedPenalty * e.disliked);

function medianOf(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * The recipient's model, trained on their profile and this pool of eligible candidates.
 * Pseudo-positives are ranked by anchor similarity less similarity to a disliked paper, so a
 * neighbour of a thumbs-down does not come back as one.
 */
function trainOn(p: PreparedProfile, pool: readonly Candidate[], evals: readonly Evaluation[]): LinearModel | undefined {
  const positives: Labelled[] = anchorsOf(p).map((a) => ({ x: row(a), weight: a.weight }));
  const negatives: Labelled[] = p.disliked.map((d) => ({ x: row(d), weight: d.weight }));
  return fitRecipientModel(
    positives,
    negatives,
    pool.map((c, i) => ({ id: c.paper.id, x: row(c), anchor: evals[i]!.anchor - evals[i]!.disliked })),
    p.tuning,
  );
}

/**
 * Reasons, in words: the anchors that carry real weight (at most two), the boosts, what the
 * model learned from liked papers when no liked anchor already says it, and popularity when
 * notable. Never none.
 */
function reasonsFor(c: Candidate, e: Evaluation, p: PreparedProfile, median: number): Reason[] {
  const t = p.tuning;
  const ranked = anchorsOf(p)
    .map((a) => {
      const s = similarity(a, c, t);
      return { a, s, weighted: s * a.weight };
    })
    .sort((x, y) => y.weighted - x.weighted);
  const best = ranked[0];
  const notable = Math.max(0.05, (best?.weighted ?? 0) * 0.5);
  const reasons: Reason[] = ranked
    .filter((x) => x.weighted >= notable)
    .slice(0, 2)
    .map((x) => x.a.reason(x.s));
  if (e.author) reasons.push(reason.author(e.author));
  for (const k of e.keywords) reasons.push(reason.keyword(k));
  if (e.category) reasons.push(reason.category(e.category));
  if (p.liked.length > 0 && squash(e.learned) > median && !reasons.some((r) => r.kind === 'liked')) {
    const titles = [...p.liked]
      .map((l) => ({ l, s: similarity(l, c, t) }))
      .sort((x, y) => y.s - x.s)
      .map((x) => x.l.title);
    reasons.push(reason.learned(p.liked.length, titles, e.learned));
  }
  const upvotes = c.paper.upvotes ?? 0;
  if (upvotes >= t.popularReasonMin) reasons.push(reason.popular(upvotes));
  if (reasons.length === 0 && best) reasons.push(best.a.reason(best.s));
  return reasons;
}

export interface ScoredPool {
  /** Every eligible candidate, scored (reasons not yet worded), best first. */
  scored: ScoredCandidate[];
  /** Least relevance of a pick for this pool: max(floor, threshold · best relevance). */
  cutoff: number;
  evaluations: Map<Candidate['paper'], Evaluation>;
  /** Median of the squashed learned margin over the pool (1 without a model). */
  median: number;
}

/** Personal scores of a pool of eligible candidates: anchors, the learned model, boosts, priors. */
export function scorePool(eligible: readonly Candidate[], p: PreparedProfile, params: RankParams): ScoredPool {
  const t = p.tuning;
  const evaluations = new Map<Candidate['paper'], Evaluation>();
  const sims = new Float64Array(packedOf(p).packed.rows);
  const evals = eligible.map((c) => evaluate(c, p, sims));
  const model = t.learnedWeight !== 0 ? trainOn(p, eligible, evals) : undefined;
  if (model) evals.forEach((e, i) => (e.learned = decision(model, row(eligible[i]!))));
  // Without a model nothing is above the median: σ(0) − 1 < 0.
  const median = model ? medianOf(evals.map((e) => squash(e.learned))) : 1;
  let best = -Infinity;
  const scored = eligible.map((c, i) => {
    const e = evals[i]!;
    evaluations.set(c.paper, e);
    const relevance = relevanceOf(e, t, median);
    best = Math.max(best, relevance);
    const prior = priorOf(c, params, t);
    return { ...c, relevance, prior, score: relevance + prior, reasons: [] as Reason[] };
  });
  scored.sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));
  return { scored, cutoff: Math.max(t.floor, params.threshold * best), evaluations, median };
}

/** Words the reasons of a scored pick (done only for picks: the fan-out scores many more papers). */
export function explain(s: ScoredCandidate, pool: ScoredPool, p: PreparedProfile): Reason[] {
  return reasonsFor(s, pool.evaluations.get(s.paper)!, p, pool.median);
}

/** Mean similarity of each candidate to the others, via the sum vector (O(n·d)). */
export function centralities(cands: readonly Candidate[]): number[] {
  const n = cands.length;
  if (n < 2) return cands.map(() => 0);
  const total = sum(
    cands.map((c) => c.vector),
    cands[0]!.vector.length,
  );
  return cands.map((c) => (dot(c.vector, total) - dot(c.vector, c.vector)) / (n - 1));
}

export function scoreGeneral(c: Candidate, centrality: number, p: PreparedProfile, params: RankParams): ScoredCandidate {
  const t = p.tuning;
  const learned = p.negative ? -t.dislikedPenalty * dot(c.vector, p.negative) : 0;
  const upvotes = c.paper.upvotes ?? 0;
  const prior = t.generalPopularityFactor * params.popularityWeight * Math.log1p(upvotes) + priorOf(c, { ...params, popularityWeight: 0 }, t);
  const relevance = centrality + learned;
  const reasons: Reason[] = [reason.central(centrality)];
  if (upvotes > 0) reasons.push(reason.popular(upvotes));
  return { ...c, relevance, prior, score: relevance + prior, reasons };
}

/**
 * The papers MMR may pick from: those at or above the pool's cut-off, and when they are fewer
 * than n, the most relevant others at or above the floor (never fewer picks than asked while
 * such papers exist). Best score first.
 */
export function allowedPicks(pool: ScoredPool, n: number, floor: number): ScoredCandidate[] {
  const above = pool.scored.filter((s) => s.relevance >= pool.cutoff);
  if (above.length >= n) return above;
  const fill = pool.scored
    .filter((s) => s.relevance < pool.cutoff && s.relevance >= floor)
    .sort((a, b) => b.relevance - a.relevance || a.paper.id.localeCompare(b.paper.id))
    .slice(0, n - above.length);
  return [...above, ...fill].sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));
}

/** Ranks one recipient's candidates: exclusions, scores, the pool-relative threshold, then MMR down to n picks. */
export function rankCandidates(cands: readonly Candidate[], profile: RankProfile | PreparedProfile, params: RankParams): Ranking {
  const p = 'tuning' in profile ? profile : prepareProfile(profile, params.tuning);
  const excluded: Partial<Record<ExclusionKind, number>> = {};
  const eligible: Candidate[] = [];
  for (const c of cands) {
    const ex = exclusionOf(c, p, params.muteSimilarity);
    if (ex) excluded[ex.kind] = (excluded[ex.kind] ?? 0) + 1;
    else eligible.push(c);
  }

  let scored: ScoredCandidate[];
  let belowThreshold = 0;
  let belowFloor = 0;
  let pool: ScoredPool | undefined;
  if (p.personal) {
    pool = scorePool(eligible, p, params);
    scored = allowedPicks(pool, params.n, p.tuning.floor);
    belowThreshold = pool.scored.length - scored.length;
    belowFloor = pool.scored.filter((s) => s.relevance < p.tuning.floor).length;
  } else {
    // Centrality is measured against the whole day, excluded papers included: it describes the day.
    const central = centralities(cands);
    const index = new Map(cands.map((c, i) => [c, i] as const));
    scored = eligible.map((c) => scoreGeneral(c, central[index.get(c)!]!, p, params));
    scored.sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));
  }
  // MMR chooses which papers; they are shown in the order of the score they carry.
  const picks = mmrSelect(scored.slice(0, Math.max(p.tuning.mmrPool, params.n)), params.n, params.lambda).sort(
    (a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id),
  );
  if (pool) for (const pick of picks) pick.reasons = explain(pick, pool, p);
  return { mode: p.personal ? 'personal' : 'general', picks, considered: cands.length, excluded, belowThreshold, belowFloor, ...(pool ? { cutoff: pool.cutoff } : {}) };
}
