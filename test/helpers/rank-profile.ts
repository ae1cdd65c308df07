import type { RankProfile } from '../../src/recommend/rank-types.ts';

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
