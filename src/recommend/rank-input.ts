import type { Paper } from '../papers/paper.ts';
import { parseArxivId, titleId } from '../papers/ids.ts';
import { embeddingText } from '../papers/normalize.ts';
import type { RecommendDeps } from './deps.ts';
import { sparseOf } from './candidates.ts';
import { phraseVectors } from './phrase-vectors.ts';
import { papersByRecordedId } from './recorded-papers.ts';
import { activeMutes, latestFeedback, type Profile } from './profile.ts';
import type { AnchorPaper, RankProfile } from './rank-types.ts';
import type { Recipient } from './recipient.ts';
import type { SentLog } from './sent-log.ts';
import { normalizePhrase } from './text-match.ts';

/**
 * Turns a stored profile and sent-log into ranking input: phrases and papers embedded under the
 * current embedder, expired mutes dropped. Papers no longer stored simply stop counting.
 */
export async function buildRankProfile(
  app: RecommendDeps,
  r: Recipient,
  profile: Profile,
  sent: SentLog,
  now: Date,
  opts: { persist: boolean },
): Promise<RankProfile> {
  const phrases = await phraseVectors(app, r, profile, now, opts);
  const feedback = [...latestFeedback(profile).values()].sort((a, b) => a.at.localeCompare(b.at));
  const sentIds = Object.keys(sent.papers);
  // Only a paper stored without an arXiv id (under a title hash) is ever renamed: the rest of a
  // long sent-log needs no lookup.
  const renamable = sentIds.filter((id) => parseArxivId(id) === undefined);
  const saved = [...profile.saved].sort((a, b) => a.at.localeCompare(b.at));
  const ids = [...new Set([...profile.seeds.map((s) => s.paperId), ...feedback.map((f) => f.paperId), ...saved.map((s) => s.paperId), ...renamable])];
  const papers = await papersByRecordedId(app, ids);
  const anchorIds = new Set([...profile.seeds.map((s) => s.paperId), ...feedback.map((f) => f.paperId), ...saved.map((s) => s.paperId)]);
  const anchorPapers = [...new Map([...papers].filter(([id]) => anchorIds.has(id)).map(([, p]) => [p.id, p])).values()];
  const vectors = await app.search.vectorsFor(anchorPapers);
  const sparse = new Map(sparseOf(app, anchorPapers.map(embeddingText)).map((v, i) => [anchorPapers[i]!.id, v] as const));
  const anchor = (paperId: string, title: string): AnchorPaper | undefined => {
    const p = papers.get(paperId);
    const vector = p && vectors.get(p.id);
    return vector ? { paperId: p.id, title: p.title || title, vector, sparse: sparse.get(p.id) } : undefined;
  };
  /** Recorded ids plus the ids their papers have now: a renamed paper stays excluded. */
  const withAliases = (recorded: string[]): Set<string> => {
    const out = new Set(recorded);
    for (const id of recorded) {
      const p = papers.get(id);
      if (p) out.add(p.id);
    }
    return out;
  };
  // Papers of the recipient's library that are not stored count as liked papers by their text; under
  // the id their title would get, so the same paper ingested later is not picked for them.
  const textLiked = (profile.textLikes ?? []).flatMap((t): AnchorPaper[] => {
    const vector = phrases.get(normalizePhrase(t.text));
    return vector ? [{ paperId: titleId(t.title), title: t.title, vector, sparse: sparseOf(app, [t.text])[0] }] : [];
  });
  // Saved papers are never picked again, like rated ones.
  const rated = withAliases([...feedback.map((f) => f.paperId), ...saved.map((s) => s.paperId)]);
  for (const t of textLiked) rated.add(t.paperId);
  const liked = feedback.filter((f) => f.kind === 'up').flatMap((f) => anchor(f.paperId, f.title) ?? []);
  // Saved papers are strong likes: positives of the learned model and liked anchors. The liked list
  // has no per-paper weight, so they come last, where the likedAnchors cap (the most recent) keeps them.
  const likedIds = new Set(liked.map((a) => a.paperId));
  const savedAnchors = saved.flatMap((s) => anchor(s.paperId, s.title) ?? []).filter((a) => !likedIds.has(a.paperId));
  const mutes = activeMutes(profile, now);
  return {
    topics: profile.topics.flatMap((t) => {
      const vector = phrases.get(normalizePhrase(t.text));
      return vector ? [{ text: t.text, weight: t.weight, vector, sparse: sparseOf(app, [t.text])[0] }] : [];
    }),
    seeds: profile.seeds.flatMap((s) => anchor(s.paperId, s.title) ?? []),
    // Text likes first: ranking keeps the most recent liked papers, and a thumbs-up or a save on a stored paper says more.
    liked: [...textLiked, ...liked, ...savedAnchors],
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
    sent: withAliases(sentIds),
    rated,
  };
}
