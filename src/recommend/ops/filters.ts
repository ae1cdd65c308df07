import { UserError } from '../../errors.ts';
import { parseArxivId } from '../../papers/ids.ts';
import type { RecommendDeps } from '../deps.ts';
import { PROFILE_LIMITS, type KeywordMode } from '../profile.ts';
import { updateProfile } from '../profile-store.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { keywordLabel, parseKeyword } from '../text-match.ts';
import { authorHasPapers, checkRoom, cleanPhrase, clock, findEntry, resolvePaper, samePhrase, type OpOptions } from './shared.ts';

export interface KeywordView {
  phrase: string;
  /** boost: ranks higher; require: only papers mentioning one of these; exclude: never picked. */
  mode: KeywordMode;
  /** As typed: "-survey", "+diffusion", "diffusion". */
  label: string;
}

/**
 * Adds a keyword or phrase matched on title and abstract (whole words, any case): a leading '-'
 * excludes ("-survey"), a leading '+' requires, a bare phrase boosts. Re-adding a phrase changes
 * its mode.
 */
export async function addKeyword(app: RecommendDeps, recipient: Recipient, raw: string, opts: OpOptions = {}): Promise<KeywordView> {
  const r = checkRecipient(recipient);
  const parsed = parseKeyword(raw);
  const phrase = cleanPhrase(parsed.phrase, 'a keyword', PROFILE_LIMITS.keywordLength);
  const now = clock(opts);
  await updateProfile(app, r, now, (p) => {
    const existing = p.keywords.find((k) => samePhrase(k.phrase, phrase));
    if (existing) existing.mode = parsed.mode;
    else {
      checkRoom(p.keywords.length, PROFILE_LIMITS.keywords, 'keywords');
      p.keywords.push({ phrase, mode: parsed.mode, addedAt: now.toISOString() });
    }
  });
  return { phrase, mode: parsed.mode, label: keywordLabel({ phrase, mode: parsed.mode }) };
}

/** Removes a keyword, given with or without its '-' / '+'. */
export async function removeKeyword(app: RecommendDeps, recipient: Recipient, raw: string, opts: OpOptions = {}): Promise<KeywordView> {
  const r = checkRecipient(recipient);
  const { phrase } = parseKeyword(raw);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = findEntry(p.keywords, phrase, (k) => k.phrase, 'keyword');
    const [k] = p.keywords.splice(i, 1);
    return { phrase: k!.phrase, mode: k!.mode, label: keywordLabel(k!) };
  });
  return result;
}

/**
 * Follows an author: their papers get a boost and say "by X, whom you follow". `stored` says
 * whether any recently stored paper is by them, so a typo is noticed at once.
 */
export async function followAuthor(
  app: RecommendDeps,
  recipient: Recipient,
  name: string,
  opts: OpOptions = {},
): Promise<{ author: string; added: boolean; stored: boolean }> {
  const r = checkRecipient(recipient);
  const author = cleanPhrase(name, 'an author name', PROFILE_LIMITS.authorLength);
  const now = clock(opts);
  const { result } = await updateProfile(app, r, now, (p) => {
    if (p.authors.some((a) => samePhrase(a.name, author))) return false;
    checkRoom(p.authors.length, PROFILE_LIMITS.authors, 'followed authors');
    p.authors.push({ name: author, addedAt: now.toISOString() });
    return true;
  });
  return { author, added: result, stored: await authorHasPapers(app, author) };
}

export async function unfollowAuthor(app: RecommendDeps, recipient: Recipient, name: string, opts: OpOptions = {}): Promise<{ author: string }> {
  const r = checkRecipient(recipient);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = findEntry(p.authors, name, (a) => a.name, 'followed author');
    return p.authors.splice(i, 1)[0]!.name;
  });
  return { author: result };
}

// arXiv categories: "cs.CL", "stat.ML", "hep-th", "math.AG".
const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;

/** Follows an arXiv category: its papers get a small boost. */
export async function addCategory(app: RecommendDeps, recipient: Recipient, name: string, opts: OpOptions = {}): Promise<{ category: string; added: boolean }> {
  const r = checkRecipient(recipient);
  const category = name.trim();
  if (!CATEGORY.test(category) || category.length > 50) {
    throw new UserError(`'${name}' is not an arXiv category (like cs.CL, stat.ML or hep-th)`);
  }
  const now = clock(opts);
  const { result } = await updateProfile(app, r, now, (p) => {
    if (p.categories.some((c) => c.name.toLowerCase() === category.toLowerCase())) return false;
    checkRoom(p.categories.length, PROFILE_LIMITS.categories, 'categories');
    p.categories.push({ name: category, addedAt: now.toISOString() });
    return true;
  });
  return { category, added: result };
}

export async function removeCategory(app: RecommendDeps, recipient: Recipient, name: string, opts: OpOptions = {}): Promise<{ category: string }> {
  const r = checkRecipient(recipient);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    const i = p.categories.findIndex((c) => c.name.toLowerCase() === name.trim().toLowerCase());
    if (i < 0) throw new UserError(`category '${name.trim()}' is not followed`);
    return p.categories.splice(i, 1)[0]!.name;
  });
  return { category: result };
}

/** "More like this paper": a stored paper (arXiv id, URL, paper id or title) becomes an anchor. */
export async function addSeed(
  app: RecommendDeps,
  recipient: Recipient,
  paperRef: string,
  opts: OpOptions = {},
): Promise<{ paperId: string; title: string; added: boolean }> {
  const r = checkRecipient(recipient);
  const paper = await resolvePaper(app, paperRef);
  const now = clock(opts);
  const { result } = await updateProfile(app, r, now, (p) => {
    if (p.seeds.some((s) => s.paperId === paper.id)) return false;
    checkRoom(p.seeds.length, PROFILE_LIMITS.seeds, 'seed papers');
    p.seeds.push({ paperId: paper.id, title: paper.title, addedAt: now.toISOString() });
    return true;
  });
  return { paperId: paper.id, title: paper.title, added: result };
}

export async function removeSeed(app: RecommendDeps, recipient: Recipient, ref: string, opts: OpOptions = {}): Promise<{ paperId: string; title: string }> {
  const r = checkRecipient(recipient);
  const { result } = await updateProfile(app, r, clock(opts), (p) => {
    // By paper id / arXiv id first, then by position or title.
    const id = parseArxivId(ref) ?? ref.trim();
    let i = p.seeds.findIndex((s) => s.paperId === id);
    if (i < 0) i = findEntry(p.seeds, ref, (s) => s.title, 'seed paper');
    const [s] = p.seeds.splice(i, 1);
    return { paperId: s!.paperId, title: s!.title };
  });
  return result;
}
