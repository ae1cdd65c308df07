import type { Paper } from './paper.ts';

/**
 * The link a reader clicks: the abstract page when known; otherwise an arXiv title search, since
 * some listings (Hugging Face page text) carry no link at all and a card must still lead somewhere.
 */
export function paperLink(p: Pick<Paper, 'absUrl' | 'title'>): string {
  return p.absUrl ?? `https://arxiv.org/search/?searchtype=title&query=${encodeURIComponent(p.title)}`;
}
