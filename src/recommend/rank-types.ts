import type { SparseVector } from '../../embeddings/provider.ts';
import type { Paper } from '../papers/paper.ts';
import type { LearnTuning } from './learned.ts';
import type { KeywordMode } from './profile.ts';
import type { Reason } from './reasons.ts';

/** A paper that may be picked, with its unit embedding vector. */
export interface Candidate {
  paper: Paper;
  vector: Float32Array;
  /** Unit sparse TF-IDF vector, when the embedder has one (the built-in one does). */
  sparse?: SparseVector | undefined;
}

/** A paper the recipient reacted to or named as a seed, with its vector. */
export interface AnchorPaper {
  paperId: string;
  title: string;
  vector: Float32Array;
  sparse?: SparseVector | undefined;
}

/**
 * Everything ranking needs to know about one recipient, already embedded and with expired mutes
 * removed. Plain data: built from a stored profile by ops, or synthetically by tests and benches.
 */
export interface RankProfile {
  topics: { text: string; weight: number; vector: Float32Array; sparse?: SparseVector | undefined }[];
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
  /** Papers never to pick again: already delivered, or already rated by the recipient (ids and aliases). */
  sent: ReadonlySet<string>;
  rated: ReadonlySet<string>;
}

export interface RankParams {
  n: number;
  /**
   * Relative threshold (personal mode): a pick needs at least this fraction of the best relevance
   * among the day's eligible papers, and at least tuning.floor.
   */
  threshold: number;
  /** A muted topic excludes papers at least this similar to it (independent of the threshold). */
  muteSimilarity: number;
  /** MMR: 1 = by score only; lower = more diverse. */
  lambda: number;
  popularityWeight: number;
  recencyHalfLifeDays: number;
  now: Date;
  tuning?: Partial<Tuning>;
}

/** Fixed weights of the score; see docs in rank.ts. Overridable for experiments and tests. */
export interface Tuning extends LearnTuning {
  /** Absolute least relevance of a pick: below it a paper shares nothing with the profile. */
  floor: number;
  /** Share of the sparse TF-IDF cosine in an anchor similarity (the rest is the dense cosine). */
  sparseWeight: number;
  /** Weight of the learned model's margin in relevance. */
  learnedWeight: number;
  /** Weight of the recency prior (half-life from RankParams). */
  recencyWeight: number;
  /** Similarity to a liked paper counts this much relative to a topic of weight 1. */
  likedWeight: number;
  /** A thumbs-down pushes its neighbours down by this × similarity (general mode: to their mean). */
  dislikedPenalty: number;
  authorBoost: number;
  keywordBoost: number;
  maxKeywordBoosts: number;
  categoryBoost: number;
  /** Without a profile, popularity is a criterion rather than a tie-breaker. */
  generalPopularityFactor: number;
  /** Upvotes from which "popular on Hugging Face" is given as a reason in personal picks. */
  popularReasonMin: number;
  /** Weight of the liked papers' centroid as one more anchor (with two or more liked papers). */
  likedCentroidWeight: number;
  /** How many liked papers (most recent) serve as "similar to X that you liked" anchors. */
  likedAnchors: number;
  /** MMR looks at this many top-scored eligible papers (the rest cannot win with sane λ). */
  mmrPool: number;
}

export const DEFAULT_TUNING: Tuning = {
  floor: 0.05,
  sparseWeight: 0.5,
  learnedWeight: 1,
  svmC: 0.1,
  svmDenseScale: 1,
  svmEpochs: 10,
  feedbackDepth: 5,
  feedbackShare: 0.05,
  feedbackRounds: 1,
  feedbackCost: 0.5,
  negativeSample: 200,
  dislikedCost: 5,
  recencyWeight: 0.05,
  likedWeight: 0.9,
  dislikedPenalty: 0.3,
  authorBoost: 0.5,
  keywordBoost: 0.25,
  maxKeywordBoosts: 2,
  categoryBoost: 0.1,
  generalPopularityFactor: 2.5,
  popularReasonMin: 10,
  likedCentroidWeight: 1.2,
  likedAnchors: 50,
  mmrPool: 300,
};

export type ExclusionKind =
  | 'sent'
  | 'rated'
  | 'seed'
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
  /** Eligible candidates that could not be picks (below the cut-off and not needed to fill n). */
  belowThreshold: number;
  /** Eligible candidates below the absolute floor (personal mode): they share nothing with the profile. */
  belowFloor: number;
  /** Personal mode: the least relevance a pick needed in this pool. */
  cutoff?: number;
}
