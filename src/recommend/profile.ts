import { z } from 'zod';
import { normalizePhrase } from './text-match.ts';

/** Current profile record version; `readProfileRecord` upgrades older ones. */
export const PROFILE_VERSION = 1;

/** Bounds keep one profile small enough to load on every digest. */
export const PROFILE_LIMITS = {
  topics: 50,
  topicLength: 300,
  keywords: 100,
  keywordLength: 100,
  authors: 200,
  authorLength: 300,
  categories: 100,
  seeds: 200,
  /** Oldest feedback is dropped beyond this: recent taste matters more. */
  feedback: 2_000,
  mutes: 200,
  /** The reading list (🔖 Save). */
  saved: 1_000,
  minWeight: 0.1,
  maxWeight: 5,
  maxMuteDays: 3_650,
  /** Papers from an imported library that are not stored here, kept as text (title + abstract). */
  textLikes: 50,
  textLikeTitle: 300,
  textLikeLength: 1_000,
} as const;

const iso = z.iso.datetime({ offset: true });

/** A vector cached with the embedder key that produced it: a new key means re-embed. */
const embeddingSchema = z.object({ key: z.string().min(1), vector: z.string().min(1) });

const topicSchema = z.object({
  text: z.string().min(1).max(PROFILE_LIMITS.topicLength),
  weight: z.number().min(PROFILE_LIMITS.minWeight).max(PROFILE_LIMITS.maxWeight),
  addedAt: iso,
  embedding: embeddingSchema.optional(),
});

export const KEYWORD_MODES = ['boost', 'require', 'exclude'] as const;
export type KeywordMode = (typeof KEYWORD_MODES)[number];

const keywordSchema = z.object({
  phrase: z.string().min(1).max(PROFILE_LIMITS.keywordLength),
  mode: z.enum(KEYWORD_MODES),
  addedAt: iso,
});

const namedSchema = (max: number) => z.object({ name: z.string().min(1).max(max), addedAt: iso });

const seedSchema = z.object({ paperId: z.string().min(1), title: z.string(), addedAt: iso });

/** A paper the recipient likes that is not stored: its text is embedded and counts as a liked paper. */
const textLikeSchema = z.object({
  title: z.string().min(1).max(PROFILE_LIMITS.textLikeTitle),
  text: z.string().min(1).max(PROFILE_LIMITS.textLikeLength),
  addedAt: iso,
  embedding: embeddingSchema.optional(),
});

export const FEEDBACK_KINDS = ['up', 'down', 'not-interested'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

const feedbackSchema = z.object({
  paperId: z.string().min(1),
  title: z.string(),
  kind: z.enum(FEEDBACK_KINDS),
  at: iso,
});

/** A paper on the reading list: kept for later, and a strong like for picks. */
const savedSchema = z.object({ paperId: z.string().min(1), title: z.string(), at: iso });

export const MUTE_KINDS = ['author', 'keyword', 'topic'] as const;
export type MuteKind = (typeof MUTE_KINDS)[number];

const muteSchema = z.object({
  kind: z.enum(MUTE_KINDS),
  value: z.string().min(1).max(PROFILE_LIMITS.topicLength),
  at: iso,
  until: iso,
  embedding: embeddingSchema.optional(),
});

export const profileSchema = z.object({
  v: z.literal(PROFILE_VERSION),
  createdAt: iso,
  updatedAt: iso,
  topics: z.array(topicSchema).max(PROFILE_LIMITS.topics),
  keywords: z.array(keywordSchema).max(PROFILE_LIMITS.keywords),
  authors: z.array(namedSchema(PROFILE_LIMITS.authorLength)).max(PROFILE_LIMITS.authors),
  categories: z.array(namedSchema(50)).max(PROFILE_LIMITS.categories),
  seeds: z.array(seedSchema).max(PROFILE_LIMITS.seeds),
  feedback: z.array(feedbackSchema).max(PROFILE_LIMITS.feedback),
  mutes: z.array(muteSchema).max(PROFILE_LIMITS.mutes),
  /** Absent in records written before library import. */
  textLikes: z.array(textLikeSchema).max(PROFILE_LIMITS.textLikes).optional(),
  /** Absent in records written before the reading list: read as empty. */
  saved: z.array(savedSchema).max(PROFILE_LIMITS.saved).default([]),
});

export type Profile = z.infer<typeof profileSchema>;
export type Topic = Profile['topics'][number];
export type Keyword = Profile['keywords'][number];
export type Feedback = Profile['feedback'][number];
export type Mute = Profile['mutes'][number];
export type Seed = Profile['seeds'][number];
export type TextLike = NonNullable<Profile['textLikes']>[number];
export type SavedPaper = Profile['saved'][number];
export type CachedEmbedding = z.infer<typeof embeddingSchema>;

export function emptyProfile(now: Date): Profile {
  const at = now.toISOString();
  return {
    v: PROFILE_VERSION,
    createdAt: at,
    updatedAt: at,
    topics: [],
    keywords: [],
    authors: [],
    categories: [],
    seeds: [],
    feedback: [],
    mutes: [],
    saved: [],
  };
}

/** Parses a stored record; a record that does not parse is described, never thrown. */
export function readProfileRecord(raw: unknown): { profile: Profile } | { problem: string } {
  if (raw === null || typeof raw !== 'object') return { problem: 'the stored record is not an object' };
  const v = (raw as { v?: unknown }).v;
  if (typeof v === 'number' && v > PROFILE_VERSION) {
    return { problem: `the stored record has version ${v}, newer than this paperfeed understands (${PROFILE_VERSION})` };
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { problem: `the stored record is invalid (${first.join('; ')})` };
  }
  return { profile: parsed.data };
}

/** True when the profile says anything about what the recipient wants (not only what they do not). */
export function hasPositiveSignals(p: Profile, now: Date): boolean {
  const mutedTopics = new Set(activeMutes(p, now, 'topic').map((m) => normalizePhrase(m.value)));
  return (
    p.topics.some((t) => !mutedTopics.has(normalizePhrase(t.text))) ||
    p.seeds.length > 0 ||
    p.authors.length > 0 ||
    p.categories.length > 0 ||
    p.keywords.some((k) => k.mode !== 'exclude') ||
    p.feedback.some((f) => f.kind === 'up') ||
    (p.textLikes?.length ?? 0) > 0 ||
    p.saved.length > 0
  );
}

export function activeMutes(p: Profile, now: Date, kind?: MuteKind): Mute[] {
  const at = now.getTime();
  return p.mutes.filter((m) => Date.parse(m.until) > at && (kind === undefined || m.kind === kind));
}

/** Latest feedback per paper: a later thumbs-down replaces an earlier thumbs-up. */
export function latestFeedback(p: Profile): Map<string, Feedback> {
  const out = new Map<string, Feedback>();
  for (const f of p.feedback) out.set(f.paperId, f);
  return out;
}
