/**
 * Library entries against the store: by arXiv id (any version or link form, and arXiv's own DOIs),
 * then by DOI (any DOI a stored paper carries: a journal's, or arXiv's own for a paper stored
 * without its arXiv id), then by normalized title (case, accents, punctuation and spacing folded).
 * What is not stored but has a title is kept as text; the rest is named with the reason.
 */
import { normalizeTitle } from '../papers/ids.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from '../store/paper-store.ts';
import type { LibraryEntry, Skipped } from './entry.ts';

export interface MatchedEntry {
  where: string;
  paper: Paper;
  by: 'arxiv' | 'doi' | 'title';
}

export interface TextEntry {
  where: string;
  title: string;
  abstract?: string;
}

export interface LibraryMatch {
  matched: MatchedEntry[];
  text: TextEntry[];
  skipped: Skipped[];
}

export async function matchLibrary(
  store: Pick<PaperStore, 'getPaper' | 'getPapers' | 'findByTitle' | 'findByDois'>,
  entries: readonly LibraryEntry[],
): Promise<LibraryMatch> {
  const out: LibraryMatch = { matched: [], text: [], skipped: [] };
  const ids = [...new Set(entries.flatMap((e) => (e.arxivId ? [e.arxivId] : [])))];
  const byId = new Map((await store.getPapers(ids)).map((p) => [p.id, p] as const));
  // One lookup for the whole library: at most a few thousand DOIs, answered from the DOI index.
  const doiIds = await store.findByDois(entries.flatMap((e) => (e.doi ? [e.doi] : [])));
  const byDoi = new Map((await store.getPapers([...new Set(doiIds.values())])).map((p) => [p.id, p] as const));
  const seenPaper = new Map<string, string>();
  const seenTitle = new Map<string, string>();
  for (const e of entries) {
    let paper: Paper | undefined;
    let by: MatchedEntry['by'] = 'arxiv';
    if (e.arxivId) paper = byId.get(e.arxivId) ?? (await store.getPaper(e.arxivId));
    const viaDoi = e.doi === undefined ? undefined : doiIds.get(e.doi);
    if (!paper && viaDoi !== undefined) {
      paper = byDoi.get(viaDoi);
      by = 'doi';
    }
    if (!paper && e.title) {
      paper = await store.findByTitle(e.title);
      by = 'title';
    }
    if (paper) {
      const first = seenPaper.get(paper.id);
      if (first) out.skipped.push({ where: e.where, reason: `the same paper as ${first}` });
      else {
        seenPaper.set(paper.id, e.where);
        out.matched.push({ where: e.where, paper, by });
      }
      continue;
    }
    if (e.title) {
      const norm = normalizeTitle(e.title);
      const first = seenTitle.get(norm);
      if (!norm) out.skipped.push({ where: e.where, reason: 'its title has no letters or digits' });
      else if (first) out.skipped.push({ where: e.where, reason: `the same title as ${first}` });
      else {
        seenTitle.set(norm, e.where);
        out.text.push({ where: e.where, title: e.title, ...(e.abstract ? { abstract: e.abstract } : {}) });
      }
      continue;
    }
    const named = e.arxivId ? `arXiv ${e.arxivId}` : `DOI ${e.doi}`;
    out.skipped.push({ where: e.where, reason: `${named} is not a stored paper, and without a title it cannot be kept as text` });
  }
  return out;
}
