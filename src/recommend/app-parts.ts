import type { App } from '../service/app.ts';

/** The parts of the App the recommender uses (so tests and the bots can hand over just these). */
export type RecommendApp = Pick<App, 'config' | 'log' | 'store' | 'embedder' | 'search' | 'kv'>;
