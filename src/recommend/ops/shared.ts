import type { Paper } from '../../papers/paper.ts';
import { UserError } from '../../errors.ts';
import { lookupPaper } from '../../store/paper-lookup.ts';
import type { RecommendDeps } from '../deps.ts';
import { normalizedAuthors, normalizePhrase } from '../text-match.ts';

/** Options every write takes: the clock (tests and replays pass their own). */
export interface OpOptions {
  now?: Date;
}

export const clock = (opts?: OpOptions): Date => opts?.now ?? new Date();

/** A stored paper named by arXiv id or URL, DOI, paper id, or exact title; a UserError otherwise. */
export async function resolvePaper(app: RecommendDeps, ref: string): Promise<Paper> {
  const s = ref.trim();
  if (!s) throw new UserError('no paper given');
  const { paper } = await lookupPaper(app.store, s);
  if (!paper) {
    throw new UserError(`no stored paper matches '${s}' (give an arXiv id, a DOI, a paper id or an exact title of an ingested paper)`);
  }
  return paper;
}

/** Cleans a free-text phrase from a user: single spaces, length checked. */
export function cleanPhrase(raw: string, what: string, maxLength: number): string {
  const s = raw.replace(/\s+/g, ' ').trim();
  if (!s) throw new UserError(`${what} is empty`);
  if (s.length > maxLength) throw new UserError(`${what} is longer than ${maxLength} characters`);
  if (normalizePhrase(s) === '') throw new UserError(`${what} '${s}' has no letters or digits`);
  return s;
}

export const samePhrase = (a: string, b: string): boolean => normalizePhrase(a) === normalizePhrase(b);

/** Throws when a list is already at its limit. */
export function checkRoom(length: number, max: number, what: string): void {
  if (length >= max) throw new UserError(`a profile holds at most ${max} ${what}; remove one first`);
}

/**
 * Finds an entry by its 1-based position in the listing ("2", "#2") or by its text (ignoring
 * case, accents and punctuation).
 */
export function findEntry<T>(list: readonly T[], ref: string, textOf: (x: T) => string, what: string): number {
  const s = ref.trim();
  const pos = /^#?(\d+)$/.exec(s);
  if (pos) {
    const i = Number(pos[1]) - 1;
    if (i >= 0 && i < list.length) return i;
  }
  const i = list.findIndex((x) => samePhrase(textOf(x), s));
  if (i < 0) {
    const known = list.length ? `; yours: ${list.map((x, j) => `${j + 1}. ${textOf(x)}`).join(', ')}` : '; there are none';
    throw new UserError(`no ${what} '${s}'${known}`);
  }
  return i;
}

/**
 * How many of the most recently seen papers `follow` and `mute author` look through for the name:
 * the store has no author index, and a bounded scan keeps the command quick on a large store.
 */
export const AUTHOR_SCAN = 10_000;

/** Whether a recently stored paper lists this author (compared without case, accents or punctuation). */
export async function authorHasPapers(app: RecommendDeps, author: string): Promise<boolean> {
  const norm = normalizePhrase(author);
  const recent = await app.store.listPapers({ limit: AUTHOR_SCAN });
  return recent.some((p) => normalizedAuthors(p).includes(norm));
}
