import { paperLink } from '../papers/links.ts';
import type { Paper } from '../papers/paper.ts';
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
