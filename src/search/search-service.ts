import type { Paper } from '../papers/paper.ts';
import type { ScoredPaper, SearchFilter, SearchMode } from './search-types.ts';

/** What a "similar <x>" query turned out to be. */
export type ResolvedQuery =
  | { kind: 'paper'; paper: Paper }
  | { kind: 'text'; text: string };

export interface QueryOptions {
  k?: number;
  filter?: SearchFilter;
  mode?: SearchMode;
}

/**
 * Every similarity and text query goes through this one service, so the CLI, the bots, the HTTP
 * API and the recommender rank papers the same way.
 */
export interface SearchService {
  /** Current vectors of these papers under the configured provider (embedded on demand). */
  vectorsFor(papers: Paper[]): Promise<Map<string, Float32Array>>;
  /** Embeds free text (a topic phrase, a query) with the configured provider. */
  embedText(text: string): Promise<Float32Array>;
  /** Dense nearest neighbours of a vector. */
  nearest(vector: Float32Array, k: number, filter?: SearchFilter): Promise<ScoredPaper[]>;
  /**
   * "Papers like this": an arXiv id, URL, paper id, title or free text. Never returns the query
   * paper itself. Throws a UserError when an id names a paper that is not stored.
   */
  similar(query: string, opts?: QueryOptions): Promise<{ query: ResolvedQuery; results: ScoredPaper[] }>;
  /** Free-text search (hybrid by default: dense + BM25 fused). */
  searchText(text: string, opts?: QueryOptions): Promise<ScoredPaper[]>;
}
