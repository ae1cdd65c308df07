import type { Paper } from '../papers/paper.ts';
import type { KeywordMode } from './profile.ts';
import type { Reason } from './reasons.ts';

/** A paper that may be picked, with its unit embedding vector. */
export interface Candidate {
  paper: Paper;
  vector: Float32Array;
}

/** A paper the recipient reacted to or named as a seed, with its vector. */
export interface AnchorPaper {
  paperId: string;
  title: string;
  vector: Float32Array;
}

/**
 * Everything ranking needs to know about one recipient, already embedded and with expired mutes
 * removed. Plain data: built from a stored profile by ops, or synthetically by tests and benches.
 */
export interface RankProfile {
  topics: { text: string; weight: number; vector: Float32Array }[];
  seeds: AnchorPaper[];
  liked: AnchorPaper[];
  /** Thumbs-down (weight 1) and not-interested (weight 0.5) papers. */
  disliked: (AnchorPaper & { weight: number })[];
  followedAuthors: string[];
  keywords: { phrase: string; mode: KeywordMode }[];
  categories: string[];
  mutedAuthors: string[];
  mutedKeywords: string[];
  mutedTopics: { text: string; vector: Float32Array }[];
  /** Papers never to pick again: already delivered, or already rated by the recipient. */
  sent: ReadonlySet<string>;
  rated: ReadonlySet<string>;
}

export interface RankParams {
  n: number;
  /** Least personal relevance a pick needs (personal mode). Muted topics exclude at this similarity too. */
  threshold: number;
  /** MMR: 1 = by score only; lower = more diverse. */
  lambda: number;
  popularityWeight: number;
  recencyHalfLifeDays: number;
  now: Date;
  tuning?: Partial<Tuning>;
}

/** Fixed weights of the score; see docs in rank.ts. Overridable for experiments and tests. */
export interface Tuning {
  /** Weight of the recency prior (half-life from RankParams). */
  recencyWeight: number;
  /** Similarity to a liked paper counts this much relative to a topic of weight 1. */
  likedWeight: number;
  /** Weight of the Rocchio term cos(v, mean liked) − cos(v, mean disliked). */
  rocchioWeight: number;
  authorBoost: number;
  keywordBoost: number;
  maxKeywordBoosts: number;
  categoryBoost: number;
  /** Without a profile, popularity is a criterion rather than a tie-breaker. */
  generalPopularityFactor: number;
  /** Upvotes from which "popular on Hugging Face" is given as a reason in personal picks. */
  popularReasonMin: number;
  /** How many liked papers (most recent) serve as "similar to X that you liked" anchors. */
  likedAnchors: number;
  /** MMR looks at this many top-scored eligible papers (the rest cannot win with sane λ). */
  mmrPool: number;
}

export const DEFAULT_TUNING: Tuning = {
  recencyWeight: 0.05,
  likedWeight: 0.9,
  rocchioWeight: 0.3,
  authorBoost: 0.5,
  keywordBoost: 0.25,
  maxKeywordBoosts: 2,
  categoryBoost: 0.1,
  generalPopularityFactor: 2.5,
  popularReasonMin: 10,
  likedAnchors: 50,
  mmrPool: 300,
};

export type ExclusionKind =
  | 'sent'
  | 'rated'
  | 'excluded-keyword'
  | 'missing-required-keyword'
  | 'muted-author'
  | 'muted-keyword'
  | 'muted-topic';

export interface Exclusion {
  kind: ExclusionKind;
  /** The keyword, author or topic responsible, when there is one. */
  detail?: string;
}

export interface ScoredCandidate extends Candidate {
  /** The personal part (similarities, learned term, boosts); the threshold applies to it. */
  relevance: number;
  /** Popularity and recency priors. */
  prior: number;
  score: number;
  reasons: Reason[];
}

export interface Ranking {
  mode: 'personal' | 'general';
  picks: ScoredCandidate[];
  /** Candidates handed in. */
  considered: number;
  excluded: Partial<Record<ExclusionKind, number>>;
  /** Eligible candidates whose relevance fell short of the threshold. */
  belowThreshold: number;
}
