import type { Paper } from '../../src/papers/paper.ts';
import type { RankProfile } from '../../src/recommend/rank-types.ts';

/** A stored paper for ranking tests: published the day before the tests' clock, first seen that morning. */
export function rankPaper(id: string, extra: Partial<Paper> = {}): Paper {
  return {
    id,
    title: `Paper ${id}`,
    abstract: `An abstract about item ${id}.`,
    authors: [],
    sources: ['jsonl'],
    firstSeen: '2025-03-04T06:00:00.000Z',
    updatedAt: '2025-03-04T06:00:00.000Z',
    published: '2025-03-03',
    ...extra,
  };
}

/** A profile with nothing in it; tests spread in the one part they exercise. */
export const emptyProfile = (): RankProfile => ({
  topics: [],
  seeds: [],
  liked: [],
  disliked: [],
  followedAuthors: [],
  keywords: [],
  categories: [],
  mutedAuthors: [],
  mutedKeywords: [],
  mutedTopics: [],
  sent: new Set(),
  rated: new Set(),
});
