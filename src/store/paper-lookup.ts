// A stored paper named by a person: the one reading of "which paper do you mean" for search and the profile operations.
import { arxivIdOfDoi, normalizeDoi } from '../papers/doi.ts';
import { parseArxivId } from '../papers/ids.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from './paper-store.ts';

export interface PaperLookup {
  /** The stored paper, when the reference names one. */
  paper: Paper | undefined;
  /** The reference is an id or a link (arXiv id, paper id, DOI, URL), not words. */
  looksLikeId: boolean;
  /** The arXiv id it names, if any. */
  arxivId?: string;
}

/**
 * Looks up an arXiv id or link, a DOI (bare, doi: or a resolver link), a paper id, or an exact
 * (normalized) title. An id or link that names no stored paper is not tried as a title: the
 * caller says why nothing matched.
 */
export async function lookupPaper(store: Pick<PaperStore, 'getPaper' | 'findByTitle' | 'findByDois'>, raw: string): Promise<PaperLookup> {
  const ref = raw.trim();
  const doi = normalizeDoi(ref);
  // arXiv's own DOI names the arXiv paper even when the stored copy carries no DOI.
  const arxivId = parseArxivId(ref) ?? (doi && arxivIdOfDoi(doi) ? parseArxivId(arxivIdOfDoi(doi)!) : undefined);
  const looksLikeId = arxivId !== undefined || doi !== undefined || /^t-[0-9a-f]{16}$/.test(ref) || /^https?:\/\//i.test(ref);
  let paper: Paper | undefined;
  if (doi !== undefined) {
    const id = (await store.findByDois([doi])).get(doi);
    if (id !== undefined) paper = await store.getPaper(id);
  }
  paper ??= looksLikeId ? await store.getPaper(arxivId ?? ref) : await store.findByTitle(ref);
  return { paper, looksLikeId, ...(arxivId !== undefined ? { arxivId } : {}) };
}
