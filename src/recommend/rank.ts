/**
 * Ranking one day's candidates for one recipient. Pure: no I/O, no clock (the time comes in
 * params), so it is tested on synthetic vectors and benchmarked for the daily fan-out.
 *
 * Personal mode (the profile says what the recipient wants):
 *   relevance = max(0, best anchor)                      topics (similarity × weight), seed papers,
 *                                                        recently liked papers (× likedWeight)
 *             + rocchioWeight · (cos(v, c⁺) − cos(v, c⁻))  c⁺/c⁻: normalized means of liked / disliked
 *             + authorBoost (a followed author) + keywordBoost per matched phrase (at most 2)
 *             + categoryBoost (a followed arXiv category)
 *   prior     = popularityWeight · ln(1 + upvotes) + recencyWeight · 2^(−age / half-life)
 *   score     = relevance + prior; a pick needs relevance ≥ threshold (so a quiet day yields fewer
 *               picks, and popularity alone never makes an irrelevant paper a pick).
 *
 * Why Rocchio rather than a per-user classifier: a recipient gives a handful of labels a week; a
 * linear model over 384 dimensions fitted on 5–30 labels is unstable from one reaction to the next,
 * while two centroids move smoothly, need no training step in the fan-out, and explain themselves
 * ("similar to X that you liked"). Thumbs-down pulls a paper's near neighbours down through c⁻;
 * thumbs-up pulls them up through c⁺ and the liked anchors.
 *
 * General mode (no positive signal, e.g. a channel with no profile): the day's most central papers
 * (mean similarity to the day's other candidates, in O(n·d) via the sum vector) plus a stronger
 * popularity prior; no threshold.
 *
 * Both modes apply the hard exclusions first and then MMR for diversity.
 */
import { mmrSelect } from './mmr.ts';
import { reason, type Reason } from './reasons.ts';
import { containsPhrase, normalizedAuthors, normalizePhrase, searchableText } from './text-match.ts';
import {
  DEFAULT_TUNING,
  type Candidate,
  type Exclusion,
  type ExclusionKind,
  type RankParams,
  type RankProfile,
  type Ranking,
  type ScoredCandidate,
  type Tuning,
} from './rank-types.ts';
import { centroid, dot, dotRows, pack, sum, type PackedRows } from './vectors.ts';

const DAY_MS = 86_400_000;

/** A profile turned into what scoring needs: normalized phrases, centroids, active topics. */
export interface PreparedProfile {
  personal: boolean;
  topics: RankProfile['topics'];
  seeds: RankProfile['seeds'];
  liked: RankProfile['liked'];
  positive?: Float32Array;
  negative?: Float32Array;
  followed: Map<string, string>;
  boostKeywords: { norm: string; phrase: string }[];
  requiredKeywords: { norm: string; phrase: string }[];
  excludedKeywords: { norm: string; phrase: string }[];
  /** Required, then boosting keywords: both boost a paper that mentions them. */
  positiveKeywords: { norm: string; phrase: string }[];
  categories: Map<string, string>;
  mutedAuthors: Map<string, string>;
  mutedKeywords: { norm: string; phrase: string }[];
  mutedTopics: RankProfile['mutedTopics'];
  sent: ReadonlySet<string>;
  rated: ReadonlySet<string>;
  tuning: Tuning;
}

const byNorm = (names: readonly string[]): Map<string, string> =>
  new Map(names.map((n) => [normalizePhrase(n), n] as const).filter(([k]) => k !== ''));
const phrases = (list: readonly string[]) =>
  list.map((phrase) => ({ phrase, norm: normalizePhrase(phrase) })).filter((k) => k.norm !== '');

export function prepareProfile(p: RankProfile, tuning: Partial<Tuning> = {}): PreparedProfile {
  const t = { ...DEFAULT_TUNING, ...tuning };
  // A muted topic that is also one of the recipient's topics stops counting while muted.
  const muted = new Set(p.mutedTopics.map((m) => normalizePhrase(m.text)));
  const topics = p.topics.filter((x) => !muted.has(normalizePhrase(x.text)));
  const liked = p.liked.slice(-t.likedAnchors);
  const prepared: PreparedProfile = {
    personal: false,
    topics,
    seeds: p.seeds,
    liked,
    followed: byNorm(p.followedAuthors),
    boostKeywords: phrases(p.keywords.filter((k) => k.mode === 'boost').map((k) => k.phrase)),
    requiredKeywords: phrases(p.keywords.filter((k) => k.mode === 'require').map((k) => k.phrase)),
    excludedKeywords: phrases(p.keywords.filter((k) => k.mode === 'exclude').map((k) => k.phrase)),
    positiveKeywords: phrases(p.keywords.filter((k) => k.mode !== 'exclude').map((k) => k.phrase)),
    categories: new Map(p.categories.map((c) => [c.toLowerCase(), c])),
    mutedAuthors: byNorm(p.mutedAuthors),
    mutedKeywords: phrases(p.mutedKeywords),
    mutedTopics: p.mutedTopics,
    sent: p.sent,
    rated: p.rated,
    tuning: t,
  };
  const positive = centroid(p.liked.map((l) => l.vector));
  const negative = centroid(
    p.disliked.map((d) => d.vector),
    p.disliked.map((d) => d.weight),
  );
  if (positive) prepared.positive = positive;
  if (negative) prepared.negative = negative;
  prepared.personal =
    topics.length > 0 ||
    p.seeds.length > 0 ||
    liked.length > 0 ||
    prepared.followed.size > 0 ||
    prepared.boostKeywords.length > 0 ||
    prepared.requiredKeywords.length > 0 ||
    prepared.categories.size > 0;
  return prepared;
}

/** The hard exclusion that removes this candidate, if any. */
export function exclusionOf(c: Candidate, p: PreparedProfile, threshold: number): Exclusion | undefined {
  const id = c.paper.id;
  if (p.sent.has(id)) return { kind: 'sent' };
  if (p.rated.has(id)) return { kind: 'rated' };
  if (p.mutedAuthors.size > 0) {
    for (const a of normalizedAuthors(c.paper)) {
      const muted = p.mutedAuthors.get(a);
      if (muted) return { kind: 'muted-author', detail: muted };
    }
  }
  if (p.excludedKeywords.length + p.mutedKeywords.length + p.requiredKeywords.length > 0) {
    const text = searchableText(c.paper);
    const excluded = p.excludedKeywords.find((k) => containsPhrase(text, k.norm));
    if (excluded) return { kind: 'excluded-keyword', detail: excluded.phrase };
    const muted = p.mutedKeywords.find((k) => containsPhrase(text, k.norm));
    if (muted) return { kind: 'muted-keyword', detail: muted.phrase };
    if (p.requiredKeywords.length > 0 && !p.requiredKeywords.some((k) => containsPhrase(text, k.norm))) {
      return { kind: 'missing-required-keyword', detail: p.requiredKeywords.map((k) => k.phrase).join(', ') };
    }
  }
  for (const m of p.mutedTopics) {
    if (dot(c.vector, m.vector) >= threshold) return { kind: 'muted-topic', detail: m.text };
  }
  return undefined;
}

export function priorOf(c: Candidate, params: RankParams, t: Tuning): number {
  const upvotes = c.paper.upvotes ?? 0;
  const when = Date.parse(c.paper.published ?? c.paper.firstSeen);
  const ageDays = Number.isNaN(when) ? Infinity : Math.max(0, (params.now.getTime() - when) / DAY_MS);
  return params.popularityWeight * Math.log1p(upvotes) + t.recencyWeight * 0.5 ** (ageDays / params.recencyHalfLifeDays);
}

/** One thing a paper can resemble: a topic, a seed paper or a liked paper. */
interface Anchor {
  vector: Float32Array;
  weight: number;
  reason: (similarity: number) => Reason;
}

interface AnchorSet {
  list: Anchor[];
  /** The anchors' vectors, then c⁺ and c⁻ when present. */
  packed: PackedRows;
  positiveRow: number;
  negativeRow: number;
}

const anchorCache = new WeakMap<PreparedProfile, AnchorSet>();

function anchorsOf(p: PreparedProfile): AnchorSet {
  let set = anchorCache.get(p);
  if (!set) {
    const list: Anchor[] = [
      ...p.topics.map((t) => ({ vector: t.vector, weight: t.weight, reason: (s: number) => reason.topic(t.text, s) })),
      ...p.seeds.map((x) => ({ vector: x.vector, weight: 1, reason: (s: number) => reason.seed(x.paperId, x.title, s) })),
      ...p.liked.map((x) => ({ vector: x.vector, weight: p.tuning.likedWeight, reason: (s: number) => reason.liked(x.paperId, x.title, s) })),
    ];
    const rows = list.map((a) => a.vector);
    const positiveRow = p.positive ? rows.push(p.positive) - 1 : -1;
    const negativeRow = p.negative ? rows.push(p.negative) - 1 : -1;
    set = { list, packed: pack(rows), positiveRow, negativeRow };
    anchorCache.set(p, set);
  }
  return set;
}

interface Evaluation {
  relevance: number;
  learned: number;
  author?: string;
  keywords: string[];
  category?: string;
}

/** The personal relevance of one candidate; cheap enough to run for every candidate of every profile. */
function evaluate(c: Candidate, p: PreparedProfile, sims: Float64Array): Evaluation {
  const t = p.tuning;
  const set = anchorsOf(p);
  dotRows(c.vector, set.packed, sims);
  let base = 0;
  for (let i = 0; i < set.list.length; i++) base = Math.max(base, sims[i]! * set.list[i]!.weight);
  const learned =
    set.positiveRow >= 0 || set.negativeRow >= 0
      ? t.rocchioWeight * ((set.positiveRow >= 0 ? sims[set.positiveRow]! : 0) - (set.negativeRow >= 0 ? sims[set.negativeRow]! : 0))
      : 0;
  let boost = 0;
  const e: Evaluation = { relevance: 0, learned, keywords: [] };
  if (p.followed.size > 0) {
    const name = normalizedAuthors(c.paper).find((a) => p.followed.has(a));
    if (name !== undefined) {
      e.author = p.followed.get(name)!;
      boost += t.authorBoost;
    }
  }
  if (p.positiveKeywords.length > 0) {
    const text = searchableText(c.paper);
    for (const k of p.positiveKeywords) {
      if (e.keywords.length < t.maxKeywordBoosts && containsPhrase(text, k.norm)) e.keywords.push(k.phrase);
    }
    boost += e.keywords.length * t.keywordBoost;
  }
  if (p.categories.size > 0) {
    const category = (c.paper.categories ?? []).map((x) => p.categories.get(x.toLowerCase())).find(Boolean);
    if (category) {
      e.category = category;
      boost += t.categoryBoost;
    }
  }
  e.relevance = base + learned + boost;
  return e;
}

const simsBuffer = (p: PreparedProfile) => new Float64Array(anchorsOf(p).packed.rows);

/**
 * Reasons, in words: the anchors that carry real weight (at most two), the boosts, the learned
 * pull when no liked anchor already says it, and popularity when notable. Never none.
 */
function reasonsFor(c: Candidate, e: Evaluation, p: PreparedProfile, threshold: number): Reason[] {
  const t = p.tuning;
  const { list } = anchorsOf(p);
  const sims = list.map((a) => dot(c.vector, a.vector));
  const ranked = list
    .map((a, i) => ({ a, s: sims[i]!, weighted: sims[i]! * a.weight }))
    .sort((x, y) => y.weighted - x.weighted);
  const notable = Math.max(0.05, threshold * 0.5);
  const reasons: Reason[] = ranked
    .filter((x) => x.weighted >= notable)
    .slice(0, 2)
    .map((x) => x.a.reason(x.s));
  if (e.author) reasons.push(reason.author(e.author));
  for (const k of e.keywords) reasons.push(reason.keyword(k));
  if (e.category) reasons.push(reason.category(e.category));
  if (e.learned >= 0.05 && !reasons.some((r) => r.kind === 'liked')) reasons.push(reason.feedback(e.learned));
  const upvotes = c.paper.upvotes ?? 0;
  if (upvotes >= t.popularReasonMin) reasons.push(reason.popular(upvotes));
  const best = ranked[0];
  if (reasons.length === 0 && best) reasons.push(best.a.reason(best.s));
  return reasons;
}

/** Personal relevance of one candidate and the reasons for it. */
export function scorePersonal(c: Candidate, p: PreparedProfile, params: RankParams): ScoredCandidate {
  const e = evaluate(c, p, simsBuffer(p));
  const prior = priorOf(c, params, p.tuning);
  return { ...c, relevance: e.relevance, prior, score: e.relevance + prior, reasons: reasonsFor(c, e, p, params.threshold) };
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
  const learned = p.negative ? -t.rocchioWeight * dot(c.vector, p.negative) : 0;
  const upvotes = c.paper.upvotes ?? 0;
  const prior = t.generalPopularityFactor * params.popularityWeight * Math.log1p(upvotes) + priorOf(c, { ...params, popularityWeight: 0 }, t);
  const relevance = centrality + learned;
  const reasons: Reason[] = [reason.central(centrality)];
  if (upvotes > 0) reasons.push(reason.popular(upvotes));
  return { ...c, relevance, prior, score: relevance + prior, reasons };
}

/** Ranks one recipient's candidates: exclusions, scores, threshold, then MMR down to n picks. */
export function rankCandidates(cands: readonly Candidate[], profile: RankProfile | PreparedProfile, params: RankParams): Ranking {
  const p = 'tuning' in profile ? profile : prepareProfile(profile, params.tuning);
  const excluded: Partial<Record<ExclusionKind, number>> = {};
  const eligible: Candidate[] = [];
  for (const c of cands) {
    const ex = exclusionOf(c, p, params.threshold);
    if (ex) excluded[ex.kind] = (excluded[ex.kind] ?? 0) + 1;
    else eligible.push(c);
  }

  let scored: ScoredCandidate[];
  let belowThreshold = 0;
  const evaluations = new Map<Candidate['paper'], Evaluation>();
  if (p.personal) {
    scored = [];
    const sims = simsBuffer(p);
    for (const c of eligible) {
      const e = evaluate(c, p, sims);
      if (e.relevance < params.threshold) {
        belowThreshold++;
        continue;
      }
      evaluations.set(c.paper, e);
      const prior = priorOf(c, params, p.tuning);
      // Reasons are worded only for the final picks (below): the fan-out ranks many more papers.
      scored.push({ ...c, relevance: e.relevance, prior, score: e.relevance + prior, reasons: [] });
    }
  } else {
    // Centrality is measured against the whole day, excluded papers included: it describes the day.
    const central = centralities(cands);
    const index = new Map(cands.map((c, i) => [c, i] as const));
    scored = eligible.map((c) => scoreGeneral(c, central[index.get(c)!]!, p, params));
  }
  scored.sort((a, b) => b.score - a.score || a.paper.id.localeCompare(b.paper.id));
  const picks = mmrSelect(scored.slice(0, Math.max(p.tuning.mmrPool, params.n)), params.n, params.lambda);
  if (p.personal) {
    for (const pick of picks) pick.reasons = reasonsFor(pick, evaluations.get(pick.paper)!, p, params.threshold);
  }
  return { mode: p.personal ? 'personal' : 'general', picks, considered: cands.length, excluded, belowThreshold };
}
