import type { Paper } from '../papers/paper.ts';

/** Narrows a query: only papers that pass every given condition are returned. */
export interface SearchFilter {
  /** Published (or, when unknown, first seen) on or after this date, YYYY-MM-DD. */
  since?: string;
  source?: string;
  excludeIds?: Iterable<string>;
  /** Any extra predicate on the paper id (e.g. candidates of one day). */
  accept?: (id: string) => boolean;
}

/**
 * Longest query accepted where one comes in (the HTTP API's q, the CLI's similar and search): a
 * whole pasted abstract (most are 1,000-2,000 characters) fits with room to spare; the search
 * service itself reads only the start of it (MAX_QUERY_CHARS in indexed-search.ts).
 */
export const MAX_QUERY_INPUT_CHARS = 10_000;

export const SEARCH_MODES = ['hybrid', 'dense', 'lexical'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** One result of a similarity or text search. */
export interface ScoredPaper {
  paper: Paper;
  /** Cosine similarity for dense queries; the fused score for hybrid ones. */
  score: number;
  /** Cosine similarity to the query when a dense vector was involved. */
  cosine?: number;
}
