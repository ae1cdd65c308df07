import type { Paper } from '../papers/paper.ts';
import type { RecommendDeps } from './deps.ts';

/**
 * Stored papers by the ids a profile or sent-log recorded (an id may since have been renamed to an
 * arXiv id: the store resolves aliases one at a time, so only the ids not found directly cost a lookup).
 * Keyed by the recorded id.
 */
export async function papersByRecordedId(app: RecommendDeps, ids: string[]): Promise<Map<string, Paper>> {
  const out = new Map<string, Paper>();
  for (const p of await app.store.getPapers(ids)) out.set(p.id, p);
  for (const id of ids) {
    if (out.has(id)) continue;
    const p = await app.store.getPaper(id);
    if (p) out.set(id, p);
  }
  return out;
}
