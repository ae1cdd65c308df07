// The reading list: papers saved for later (🔖 Save, `save`, `unsave`, `saved`). A saved paper is
// a strong like for picks (rank-input.ts) and is never picked again.
import type { Paper } from '../../papers/paper.ts';
import { parseArxivId } from '../../papers/ids.ts';
import type { RecommendDeps } from '../deps.ts';
import { PROFILE_LIMITS, type SavedPaper } from '../profile.ts';
import { loadProfile, updateProfile } from '../profile-store.ts';
import { papersByRecordedId } from '../recorded-papers.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { checkRoom, clock, findEntry, resolvePaper, type OpOptions } from './shared.ts';

export interface SavedView {
  paperId: string;
  title: string;
  /** When it was saved. */
  at: string;
  /** The stored paper, when it still is (a paper since renamed is found by its alias). */
  paper?: Paper;
}

/**
 * Recorded ids of the list that name `paper` under an older id (a title-hash id since renamed to
 * an arXiv id): only those ids can have been renamed, so only they cost a lookup.
 */
async function aliasesOf(app: RecommendDeps, saved: readonly SavedPaper[], paper: Paper): Promise<Set<string>> {
  const out = new Set([paper.id]);
  for (const s of saved) {
    if (s.paperId === paper.id || parseArxivId(s.paperId) !== undefined) continue;
    if ((await app.store.getPaper(s.paperId))?.id === paper.id) out.add(s.paperId);
  }
  return out;
}

const newestFirst = (saved: readonly SavedPaper[]): SavedPaper[] => [...saved].sort((a, b) => b.at.localeCompare(a.at));

/** Saves a stored paper (any reference `resolvePaper` takes); saving it again changes nothing. */
export async function savePaper(app: RecommendDeps, recipient: Recipient, paperRef: string, opts: OpOptions = {}): Promise<{ paperId: string; title: string; added: boolean }> {
  const r = checkRecipient(recipient);
  const paper = await resolvePaper(app, paperRef);
  const now = clock(opts);
  const aliases = await aliasesOf(app, (await loadProfile(app, r, now)).value.saved, paper);
  const { result } = await updateProfile(app, r, now, (p) => {
    if (p.saved.some((s) => aliases.has(s.paperId))) return false;
    checkRoom(p.saved.length, PROFILE_LIMITS.saved, 'saved papers');
    p.saved.push({ paperId: paper.id, title: paper.title, at: now.toISOString() });
    return true;
  });
  return { paperId: paper.id, title: paper.title, added: result };
}

/**
 * Takes a paper off the list: by arXiv id, paper id or any reference to a stored paper, else by its
 * position in `saved` (newest first) or its title.
 */
export async function unsavePaper(app: RecommendDeps, recipient: Recipient, ref: string, opts: OpOptions = {}): Promise<{ paperId: string; title: string }> {
  const r = checkRecipient(recipient);
  const now = clock(opts);
  const id = parseArxivId(ref) ?? ref.trim();
  const current = (await loadProfile(app, r, now)).value.saved;
  let ids = new Set([id]);
  if (!current.some((s) => s.paperId === id)) {
    const paper = await resolvePaper(app, ref).catch(() => undefined);
    if (paper) ids = await aliasesOf(app, current, paper);
  }
  const { result } = await updateProfile(app, r, now, (p) => {
    const listed = newestFirst(p.saved);
    let entry = listed.find((s) => ids.has(s.paperId));
    entry ??= listed[findEntry(listed, ref, (s) => s.title, 'saved paper')]!;
    p.saved = p.saved.filter((s) => s !== entry);
    return { paperId: entry.paperId, title: entry.title };
  });
  return result;
}

/** The reading list, newest first, with the stored papers. */
export async function listSaved(app: RecommendDeps, recipient: Recipient, opts: OpOptions = {}): Promise<SavedView[]> {
  const r = checkRecipient(recipient);
  const saved = newestFirst((await loadProfile(app, r, clock(opts))).value.saved);
  const stored = await papersByRecordedId(app, saved.map((s) => s.paperId));
  return saved.map((s) => {
    const paper = stored.get(s.paperId);
    return { paperId: s.paperId, title: paper?.title ?? s.title, at: s.at, ...(paper ? { paper } : {}) };
  });
}
