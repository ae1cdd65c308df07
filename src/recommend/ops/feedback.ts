import { UserError } from '../../errors.ts';
import type { RecommendDeps } from '../deps.ts';
import { embedPhrase } from '../phrase-vectors.ts';
import { FEEDBACK_KINDS, MUTE_KINDS, PROFILE_LIMITS, type FeedbackKind, type Mute, type MuteKind } from '../profile.ts';
import { updateProfile } from '../profile-store.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { authorHasPapers, checkRoom, cleanPhrase, clock, resolvePaper, samePhrase, type OpOptions } from './shared.ts';

/**
 * The words people use for each reaction, as the buttons say them: "up", "down", "not for me"
 * (also "not-for-me", and the stored name "not-interested"). Case and spacing do not matter.
 */
const FEEDBACK_WORDS: Record<string, FeedbackKind> = {
  up: 'up',
  '👍': 'up',
  down: 'down',
  '👎': 'down',
  'not for me': 'not-interested',
  'not interested': 'not-interested',
  '🙅': 'not-interested',
};

/** The reaction a word names, or undefined. */
export function feedbackKindOf(word: string): FeedbackKind | undefined {
  return FEEDBACK_WORDS[word.trim().toLowerCase().replace(/[\s_-]+/g, ' ')];
}

/** Every accepted spelling, for help texts and CLI choices. */
export const FEEDBACK_NAMES = ['up', 'down', 'not-for-me', 'not-interested'] as const;

export interface FeedbackResult {
  paperId: string;
  title: string;
  kind: FeedbackKind;
  /** The reaction it replaces, if the recipient had rated the paper before. */
  previous?: FeedbackKind;
}

/**
 * Thumbs up / thumbs down / not interested on a paper. Changes only this recipient's profile; the
 * latest reaction to a paper wins. Rated papers are never picked again; their neighbours move.
 */
export async function recordFeedback(
  app: RecommendDeps,
  recipient: Recipient,
  paperRef: string,
  kind: FeedbackKind,
  opts: OpOptions = {},
): Promise<FeedbackResult> {
  const r = checkRecipient(recipient);
  if (!(FEEDBACK_KINDS as readonly string[]).includes(kind)) {
    throw new UserError(`feedback is one of ${FEEDBACK_KINDS.join(', ')}, got '${String(kind)}'`);
  }
  const paper = await resolvePaper(app, paperRef);
  const now = clock(opts);
  const { result } = await updateProfile(app, r, now, (p) => {
    const previous = p.feedback.filter((f) => f.paperId === paper.id).at(-1)?.kind;
    p.feedback = p.feedback.filter((f) => f.paperId !== paper.id);
    p.feedback.push({ paperId: paper.id, title: paper.title, kind, at: now.toISOString() });
    // Beyond the limit the oldest reactions go: recent taste matters more.
    if (p.feedback.length > PROFILE_LIMITS.feedback) p.feedback.splice(0, p.feedback.length - PROFILE_LIMITS.feedback);
    return previous;
  });
  return { paperId: paper.id, title: paper.title, kind, ...(result ? { previous: result } : {}) };
}

/** What to mute: exactly one of an author, a keyword or phrase, or a topic (free text). */
export type MuteTarget = { author: string } | { keyword: string } | { topic: string };

export interface MuteView {
  kind: MuteKind;
  value: string;
  until: string;
  /** For an author: whether any recently stored paper is by them. */
  stored?: boolean;
}

function targetOf(t: MuteTarget): { kind: MuteKind; value: string } {
  const given = MUTE_KINDS.filter((k) => typeof (t as Record<string, unknown>)[k] === 'string');
  if (given.length !== 1) throw new UserError('mute exactly one of: an author, a keyword or a topic');
  const kind = given[0]!;
  const max = kind === 'author' ? PROFILE_LIMITS.authorLength : kind === 'keyword' ? PROFILE_LIMITS.keywordLength : PROFILE_LIMITS.topicLength;
  return { kind, value: cleanPhrase((t as Record<string, string>)[kind]!, `the ${kind} to mute`, max) };
}

const muteView = (m: Mute): MuteView => ({ kind: m.kind, value: m.value, until: m.until });

/**
 * Mutes an author, a keyword or a topic for N days: until then, their papers are never picked
 * (a muted topic excludes papers as close to it as a pick would need to be to a topic).
 * Muting again changes the end date.
 */
export async function mute(app: RecommendDeps, recipient: Recipient, target: MuteTarget, days: number, opts: OpOptions = {}): Promise<MuteView> {
  const r = checkRecipient(recipient);
  const { kind, value } = targetOf(target);
  if (!Number.isFinite(days) || days <= 0 || days > PROFILE_LIMITS.maxMuteDays) {
    throw new UserError(`mute for a number of days from 1 to ${PROFILE_LIMITS.maxMuteDays}, got ${days}`);
  }
  const now = clock(opts);
  const until = new Date(now.getTime() + days * 86_400_000).toISOString();
  const embedding = kind === 'topic' ? (await embedPhrase(app, value)).embedding : undefined;
  const { result } = await updateProfile(app, r, now, (p) => {
    // Expired mutes are dropped on every mute, so the list only holds live ones.
    p.mutes = p.mutes.filter((m) => Date.parse(m.until) > now.getTime());
    const existing = p.mutes.find((m) => m.kind === kind && samePhrase(m.value, value));
    if (existing) {
      existing.until = until;
      existing.at = now.toISOString();
      if (embedding) existing.embedding = embedding;
      return muteView(existing);
    }
    checkRoom(p.mutes.length, PROFILE_LIMITS.mutes, 'mutes');
    const m: Mute = { kind, value, at: now.toISOString(), until, ...(embedding ? { embedding } : {}) };
    p.mutes.push(m);
    return muteView(m);
  });
  return kind === 'author' ? { ...result, stored: await authorHasPapers(app, value) } : result;
}

/** Ends a mute early. */
export async function unmute(app: RecommendDeps, recipient: Recipient, target: MuteTarget, opts: OpOptions = {}): Promise<MuteView> {
  const r = checkRecipient(recipient);
  const { kind, value } = targetOf(target);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = p.mutes.findIndex((m) => m.kind === kind && samePhrase(m.value, value));
    if (i < 0) throw new UserError(`no ${kind} '${value}' is muted`);
    return muteView(p.mutes.splice(i, 1)[0]!);
  });
  return result;
}
