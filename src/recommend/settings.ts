import type { Config } from '../config/config.ts';
import type { RankParams } from './rank-types.ts';

/** Ranking parameters from configuration (PAPERFEED_PICKS_*), with per-call overrides. */
export function rankParamsFrom(config: Config, now: Date, overrides: Partial<RankParams> = {}): RankParams {
  return {
    n: config.PAPERFEED_PICKS_N,
    threshold: config.PAPERFEED_PICKS_THRESHOLD,
    muteSimilarity: config.PAPERFEED_PICKS_MUTE_SIMILARITY,
    lambda: config.PAPERFEED_PICKS_MMR_LAMBDA,
    popularityWeight: config.PAPERFEED_PICKS_POPULARITY_WEIGHT,
    recencyHalfLifeDays: config.PAPERFEED_PICKS_RECENCY_HALF_LIFE_DAYS,
    now,
    ...overrides,
  };
}
