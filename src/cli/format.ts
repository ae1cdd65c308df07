import { paperLink } from '../papers/links.ts';
import type { Paper } from '../papers/paper.ts';
import type { ScoredPaper } from '../search/search-types.ts';
import { authorsLine } from '../papers/authors.ts';

// Moved to src/papers/authors.ts (the chat cards use it too); re-exported for existing importers.
export { authorsLine };

// The ingest day is not a publication date: an undated paper says so.
const dateOf = (p: Paper): string => p.published ?? 'undated';

export function paperLine(p: Paper): string {
  return `${p.id.padEnd(18)}  ${dateOf(p)}  ${p.title}`;
}

export function paperDetails(p: Paper): string {
  const lines = [
    p.title,
    authorsLine(p, 10),
    [p.id, dateOf(p), p.organization, p.upvotes !== undefined ? `${p.upvotes} upvotes` : undefined]
      .filter(Boolean)
      .join(' · '),
    paperLink(p),
    p.pdfUrl ? `PDF: ${p.pdfUrl}` : '',
    p.doi ? `DOI: https://doi.org/${p.doi}` : '',
    `sources: ${p.sources.join(', ')}; first seen ${p.firstSeen}`,
    p.categories?.length ? `categories: ${p.categories.join(', ')}` : '',
    '',
    p.abstract,
  ];
  // Empty lines are fields this paper lacks, except the one before the abstract.
  return lines.filter((l, i) => l !== '' || i === lines.length - 2).join('\n');
}

export function scoredLine(r: ScoredPaper, rank: number): string {
  return `${String(rank).padStart(2)}. ${r.score.toFixed(3)}  ${r.paper.id.padEnd(18)}  ${r.paper.title}`;
}

/** The stable JSON shape of a search result: what scripts and the HTTP API rely on. */
export function scoredJson(r: ScoredPaper) {
  return {
    id: r.paper.id,
    title: r.paper.title,
    score: Number(r.score.toFixed(6)),
    ...(r.cosine !== undefined ? { cosine: Number(r.cosine.toFixed(6)) } : {}),
    url: paperLink(r.paper),
    authors: r.paper.authors,
    published: r.paper.published ?? null,
  };
}
