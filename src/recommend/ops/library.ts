import { normalizeTitle } from '../../papers/ids.ts';
import type { RecommendDeps } from '../deps.ts';
import { embedPhrase } from '../phrase-vectors.ts';
import { latestFeedback, PROFILE_LIMITS, type Profile, type TextLike } from '../profile.ts';
import { loadProfile, updateProfile } from '../profile-store.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { clock, type OpOptions } from './shared.ts';

/** How many papers of one import become seed papers; the rest of the matched ones are liked. */
export const IMPORT_SEEDS = 10;

export interface LibraryImportInput {
  /** Stored papers from the library, in the library's order. */
  papers: { paperId: string; title: string }[];
  /** Library papers that are not stored. */
  texts: { title: string; abstract?: string }[];
}

/** What became of each paper: seeded or liked now, or already in the profile (nothing changed). */
export type PaperOutcome = 'seed' | 'like' | 'already';
/** What became of each text: kept now, already kept, or not kept (the profile holds PROFILE_LIMITS.textLikes). */
export type TextOutcome = 'kept' | 'already' | 'full';

export interface LibraryImportResult {
  papers: PaperOutcome[];
  texts: TextOutcome[];
  /** Whether the profile was written at all (a second import of the same library writes nothing). */
  changed: boolean;
}

/** The text a text like is embedded from: title and the start of the abstract. */
function textOf(t: { title: string; abstract?: string }): { title: string; text: string } {
  const title = t.title.slice(0, PROFILE_LIMITS.textLikeTitle);
  const text = t.abstract ? `${title}. ${t.abstract}` : title;
  return { title, text: text.slice(0, PROFILE_LIMITS.textLikeLength) };
}

/** Decides every outcome against one profile; `apply` also makes the changes. */
function plan(p: Profile, input: LibraryImportInput, now: Date, embedded: Map<string, TextLike['embedding']>, apply: boolean): LibraryImportResult {
  const at = now.toISOString();
  const rated = latestFeedback(p);
  const seeded = new Set(p.seeds.map((s) => s.paperId));
  let seedsAdded = 0;
  let changed = false;
  const papers = input.papers.map(({ paperId, title }): PaperOutcome => {
    // A paper already rated keeps its rating (a thumbs-down is not overruled by an old library).
    if (seeded.has(paperId) || rated.has(paperId)) return 'already';
    changed = true;
    if (seedsAdded < IMPORT_SEEDS && seeded.size < PROFILE_LIMITS.seeds) {
      seedsAdded++;
      seeded.add(paperId);
      if (apply) p.seeds.push({ paperId, title, addedAt: at });
      return 'seed';
    }
    rated.set(paperId, { paperId, title, kind: 'up', at });
    if (apply) p.feedback.push({ paperId, title, kind: 'up', at });
    return 'like';
  });
  if (apply && p.feedback.length > PROFILE_LIMITS.feedback) p.feedback.splice(0, p.feedback.length - PROFILE_LIMITS.feedback);
  const likes = p.textLikes ?? [];
  const known = new Set(likes.map((t) => normalizeTitle(t.title)));
  let count = likes.length;
  const texts = input.texts.map((t): TextOutcome => {
    const { title, text } = textOf(t);
    const norm = normalizeTitle(title);
    if (known.has(norm)) return 'already';
    if (count >= PROFILE_LIMITS.textLikes) return 'full';
    known.add(norm);
    count++;
    changed = true;
    const embedding = embedded.get(text);
    if (apply) likes.push({ title, text, addedAt: at, ...(embedding ? { embedding } : {}) });
    return 'kept';
  });
  if (apply && likes.length) p.textLikes = likes;
  return { papers, texts, changed };
}

/**
 * A researcher's library into their profile: the first IMPORT_SEEDS stored papers not yet in the
 * profile become seed papers, the others thumbs-up; library papers that are not stored become text
 * likes (embedded now, bounded by PROFILE_LIMITS.textLikes). Idempotent: what is already there is
 * left as it is, and an import that adds nothing does not write the profile.
 */
export async function importLibrary(app: RecommendDeps, recipient: Recipient, input: LibraryImportInput, opts: OpOptions = {}): Promise<LibraryImportResult> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const current = (await loadProfile(app, r, now)).value;
  const preview = plan(current, input, now, new Map(), false);
  if (!preview.changed) return preview;
  // Embedded before the atomic update (which may run again when another writer got in first).
  const embedded = new Map<string, TextLike['embedding']>();
  for (const [i, t] of input.texts.entries()) {
    if (preview.texts[i] !== 'kept') continue;
    const { text } = textOf(t);
    embedded.set(text, (await embedPhrase(app, text)).embedding);
  }
  const { result } = await updateProfile(app, r, now, (p) => plan(p, input, now, embedded, true));
  return result;
}
