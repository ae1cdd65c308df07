import type { Paper } from '../papers/paper.ts';
import type { RecommendApp } from './app-parts.ts';
import { phraseVectors } from './phrase-vectors.ts';
import { activeMutes, latestFeedback, type Profile } from './profile.ts';
import type { AnchorPaper, RankProfile } from './rank-types.ts';
import type { Recipient } from './recipient.ts';
import type { SentLog } from './sent-log.ts';
import { normalizePhrase } from './text-match.ts';

/** Stored papers by the ids a profile recorded (an id may since have been renamed to an arXiv id). */
async function papersByRecordedId(app: RecommendApp, ids: string[]): Promise<Map<string, Paper>> {
  const out = new Map<string, Paper>();
  for (const p of await app.store.getPapers(ids)) out.set(p.id, p);
  for (const id of ids) {
    if (out.has(id)) continue;
    const p = await app.store.getPaper(id);
    if (p) out.set(id, p);
  }
  return out;
}

/**
 * Turns a stored profile and sent-log into ranking input: phrases and papers embedded under the
 * current embedder, expired mutes dropped. Papers no longer stored simply stop counting.
 */
export async function buildRankProfile(
  app: RecommendApp,
  r: Recipient,
  profile: Profile,
  sent: SentLog,
  now: Date,
  opts: { persist: boolean },
): Promise<RankProfile> {
  const phrases = await phraseVectors(app, r, profile, now, opts);
  const feedback = [...latestFeedback(profile).values()].sort((a, b) => a.at.localeCompare(b.at));
  const ids = [...new Set([...profile.seeds.map((s) => s.paperId), ...feedback.map((f) => f.paperId)])];
  const papers = await papersByRecordedId(app, ids);
  const vectors = await app.search.vectorsFor([...new Map([...papers.values()].map((p) => [p.id, p])).values()]);
  const anchor = (paperId: string, title: string): AnchorPaper | undefined => {
    const p = papers.get(paperId);
    const vector = p && vectors.get(p.id);
    return vector ? { paperId: p.id, title: p.title || title, vector } : undefined;
  };

  const rated = new Set<string>();
  for (const f of feedback) {
    rated.add(f.paperId);
    const p = papers.get(f.paperId);
    if (p) rated.add(p.id);
  }
  const mutes = activeMutes(profile, now);
  return {
    topics: profile.topics.flatMap((t) => {
      const vector = phrases.get(normalizePhrase(t.text));
      return vector ? [{ text: t.text, weight: t.weight, vector }] : [];
    }),
    seeds: profile.seeds.flatMap((s) => anchor(s.paperId, s.title) ?? []),
    liked: feedback.filter((f) => f.kind === 'up').flatMap((f) => anchor(f.paperId, f.title) ?? []),
    disliked: feedback
      .filter((f) => f.kind !== 'up')
      .flatMap((f) => {
        const a = anchor(f.paperId, f.title);
        return a ? [{ ...a, weight: f.kind === 'down' ? 1 : 0.5 }] : [];
      }),
    followedAuthors: profile.authors.map((a) => a.name),
    keywords: profile.keywords.map((k) => ({ phrase: k.phrase, mode: k.mode })),
    categories: profile.categories.map((c) => c.name),
    mutedAuthors: mutes.filter((m) => m.kind === 'author').map((m) => m.value),
    mutedKeywords: mutes.filter((m) => m.kind === 'keyword').map((m) => m.value),
    mutedTopics: mutes
      .filter((m) => m.kind === 'topic')
      .flatMap((m) => {
        const vector = phrases.get(normalizePhrase(m.value));
        return vector ? [{ text: m.value, vector }] : [];
      }),
    sent: new Set(Object.keys(sent.papers)),
    rated,
  };
}
