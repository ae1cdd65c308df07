import type { RecommendDeps } from '../deps.ts';
import { activeMutes, hasPositiveSignals, latestFeedback, type Feedback, type Profile, type SavedPaper, type Seed } from '../profile.ts';
import { deleteProfile, loadProfile } from '../profile-store.ts';
import { checkRecipient, recipientKey, type Recipient } from '../recipient.ts';
import { loadSentLog } from '../sent-log.ts';
import { rankParamsFrom } from '../settings.ts';
import { keywordLabel, normalizePhrase } from '../text-match.ts';
import type { KeywordView } from './filters.ts';
import type { MuteView } from './feedback.ts';
import { clock, type OpOptions } from './shared.ts';
import type { TopicView } from './topics.ts';

/** A profile as people, bots and exports see it: no cached vectors. */
export interface ProfileView {
  createdAt: string;
  updatedAt: string;
  topics: TopicView[];
  keywords: KeywordView[];
  authors: { name: string; addedAt: string }[];
  categories: { name: string; addedAt: string }[];
  seeds: Seed[];
  feedback: Feedback[];
  mutes: (MuteView & { at: string })[];
  /** Papers from an imported library that are not stored, liked by their text. */
  textLikes: { title: string; addedAt: string }[];
  /** The reading list, in the order saved. */
  saved: SavedPaper[];
}

export function profileView(p: Profile): ProfileView {
  return {
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    topics: p.topics.map((t, i) => ({ position: i + 1, text: t.text, weight: t.weight, addedAt: t.addedAt })),
    keywords: p.keywords.map((k) => ({ phrase: k.phrase, mode: k.mode, label: keywordLabel(k) })),
    authors: p.authors.map((a) => ({ ...a })),
    categories: p.categories.map((c) => ({ ...c })),
    seeds: p.seeds.map((s) => ({ ...s })),
    feedback: p.feedback.map((f) => ({ ...f })),
    mutes: p.mutes.map((m) => ({ kind: m.kind, value: m.value, at: m.at, until: m.until })),
    textLikes: (p.textLikes ?? []).map((t) => ({ title: t.title, addedAt: t.addedAt })),
    saved: p.saved.map((s) => ({ ...s })),
  };
}

export interface ProfileSummary {
  recipient: Recipient & { key: string };
  /** personal: the profile drives the feed; general: nothing does yet (central and popular papers). */
  mode: 'personal' | 'general';
  /** What drives the feed, one sentence per signal. */
  drivers: string[];
  profile: ProfileView;
  reactions: { up: number; down: number; notInterested: number };
  /** Active mutes only. */
  mutes: MuteView[];
  lastDigest?: string;
  delivered: number;
  threshold: number;
  warnings: string[];
}

const quoted = (xs: string[], max = 8): string => {
  const shown = xs.slice(0, max).map((x) => `'${x}'`);
  return xs.length > max ? `${shown.join(', ')} and ${xs.length - max} more` : shown.join(', ');
};
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function drivers(p: Profile, now: Date, threshold: number, r: Recipient): string[] {
  const you = r.kind === 'user' ? 'you' : 'this channel';
  const out: string[] = [];
  const mutedTopics = new Set(activeMutes(p, now, 'topic').map((m) => normalizePhrase(m.value)));
  if (p.topics.length) {
    const topics = p.topics.map((t) => (t.weight === 1 ? t.text : `${t.text} (weight ${t.weight})`));
    out.push(`Topics: ${quoted(topics)}. Each paper is scored by its closest topic.`);
  }
  const paused = p.topics.filter((t) => mutedTopics.has(normalizePhrase(t.text)));
  if (paused.length) out.push(`Paused while muted: ${quoted(paused.map((t) => t.text))}.`);
  if (p.seeds.length) out.push(`Seed papers: ${quoted(p.seeds.map((s) => s.title), 5)}. Papers like these rank high.`);
  const reactions = [...latestFeedback(p).values()];
  const up = reactions.filter((f) => f.kind === 'up').length;
  const down = reactions.filter((f) => f.kind === 'down').length;
  const ni = reactions.filter((f) => f.kind === 'not-interested').length;
  if (up || down) {
    out.push(
      `${plural(up, 'thumbs-up', 'thumbs-up')} and ${plural(down, 'thumbs-down', 'thumbs-down')} teach the feed: papers close to those ${you} liked rise, papers close to those marked down sink.`,
    );
  }
  const texts = p.textLikes ?? [];
  if (texts.length) out.push(`${plural(texts.length, 'paper')} from ${you === 'you' ? 'your' : "this channel's"} library that paperfeed has not stored count as liked by their titles and abstracts: ${quoted(texts.map((t) => t.title), 3)}.`);
  if (ni) out.push(`${plural(ni, 'paper')} marked not interested will not come back, and similar ones rank a little lower.`);
  if (p.saved.length) out.push(`${plural(p.saved.length, 'saved paper')} on the reading list count as strong likes and will not be picked again.`);
  if (p.authors.length) out.push(`Papers by ${quoted(p.authors.map((a) => a.name))} get a boost.`);
  const kw = (mode: string) => p.keywords.filter((k) => k.mode === mode).map((k) => k.phrase);
  if (kw('require').length) out.push(`Only papers mentioning ${quoted(kw('require'))} (any of them) are picked.`);
  if (kw('boost').length) out.push(`Papers mentioning ${quoted(kw('boost'))} get a boost.`);
  if (kw('exclude').length) out.push(`Papers mentioning ${quoted(kw('exclude'))} are never picked.`);
  if (p.categories.length) out.push(`Papers in ${p.categories.map((c) => c.name).join(', ')} get a small boost.`);
  for (const m of activeMutes(p, now)) {
    out.push(`Muted until ${m.until.slice(0, 10)}: ${m.kind} '${m.value}'.`);
  }
  if (!hasPositiveSignals(p, now)) {
    out.push(
      `Nothing says what ${you} like${r.kind === 'user' ? '' : 's'} yet, so picks are the day's most central and popular papers. Add a topic, a seed paper or an author to make the feed personal.`,
    );
  } else {
    out.push(
      `A pick needs at least ${Math.round(threshold * 100)}% of the relevance of the day's best paper; Hugging Face upvotes and recency only break ties.`,
    );
  }
  out.push(`A paper is never delivered to ${you} twice.`);
  return out;
}

/** What drives a recipient's feed, in words and as data (`profile` / `why`). */
export async function profileSummary(app: RecommendDeps, recipient: Recipient, opts: OpOptions = {}): Promise<ProfileSummary> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const [profile, sent] = await Promise.all([loadProfile(app, r, now), loadSentLog(app, r, now)]);
  const p = profile.value;
  const threshold = rankParamsFrom(app.config, now).threshold;
  const reactions = [...latestFeedback(p).values()];
  const warnings = [profile.problem && `profile: ${profile.problem}; showing an empty profile`, sent.problem && `sent-log: ${sent.problem}`].filter(
    (w): w is string => Boolean(w),
  );
  return {
    recipient: { ...r, key: recipientKey(r) },
    mode: hasPositiveSignals(p, now) ? 'personal' : 'general',
    drivers: drivers(p, now, threshold, r),
    profile: profileView(p),
    reactions: {
      up: reactions.filter((f) => f.kind === 'up').length,
      down: reactions.filter((f) => f.kind === 'down').length,
      notInterested: reactions.filter((f) => f.kind === 'not-interested').length,
    },
    mutes: activeMutes(p, now).map((m) => ({ kind: m.kind, value: m.value, until: m.until })),
    ...(sent.value.lastDigest ? { lastDigest: sent.value.lastDigest } : {}),
    delivered: Object.keys(sent.value.papers).length,
    threshold,
    warnings,
  };
}

export interface ProfileExport {
  format: 'paperfeed-profile';
  version: 1;
  exportedAt: string;
  recipient: Recipient & { key: string };
  profile: ProfileView;
  sentLog: { lastDigest?: string; papers: { paperId: string; at: string }[] };
  warnings: string[];
}

/** Everything stored about a recipient, as JSON-ready data (derived vectors left out). */
export async function exportProfile(app: RecommendDeps, recipient: Recipient, opts: OpOptions = {}): Promise<ProfileExport> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const [profile, sent] = await Promise.all([loadProfile(app, r, now), loadSentLog(app, r, now)]);
  const warnings = [profile.problem && `profile: ${profile.problem}`, sent.problem && `sent-log: ${sent.problem}`].filter(
    (w): w is string => Boolean(w),
  );
  return {
    format: 'paperfeed-profile',
    version: 1,
    exportedAt: now.toISOString(),
    recipient: { ...r, key: recipientKey(r) },
    profile: profileView(profile.value),
    sentLog: {
      ...(sent.value.lastDigest ? { lastDigest: sent.value.lastDigest } : {}),
      papers: Object.entries(sent.value.papers)
        .map(([paperId, at]) => ({ paperId, at }))
        .sort((a, b) => a.at.localeCompare(b.at) || a.paperId.localeCompare(b.paperId)),
    },
    warnings,
  };
}

/**
 * Starts the profile over: topics, keywords, authors, categories, seeds, reactions and mutes go.
 * The sent-log stays, so a reset never re-delivers old papers (forget-me, src/service/forget.ts, removes it too).
 */
export async function resetProfile(app: RecommendDeps, recipient: Recipient): Promise<{ reset: boolean }> {
  const r = checkRecipient(recipient);
  const deleted = await deleteProfile(app, r);
  return { reset: deleted.length > 0 };
}
