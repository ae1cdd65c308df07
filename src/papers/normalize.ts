import { createHash } from 'node:crypto';
import type { Paper, PaperInput, SourceName } from './paper.ts';
import { stripControls } from './clean-text.ts';
import { normalizeDoi } from './doi.ts';
import { absUrlFor, normalizeTitle, parseArxivId, pdfUrlFor, titleId } from './ids.ts';

// Every source's text passes here: control characters go, any run of whitespace (line breaks
// included: titles and abstracts are read as running text) becomes one space.
const spaces = (s: string): string => stripControls(s).replace(/\s+/g, ' ').trim();

/** Turns a validated source item into a canonical paper (id, cleaned text, derived links). */
export function toPaper(input: PaperInput, now: Date): Paper {
  const arxivId =
    (input.rawId && parseArxivId(input.rawId)) ??
    (input.absUrl && parseArxivId(input.absUrl)) ??
    (input.pdfUrl && parseArxivId(input.pdfUrl)) ??
    undefined;
  const title = spaces(input.title);
  const stamp = now.toISOString();
  const paper: Paper = {
    id: arxivId ?? titleId(title),
    title,
    abstract: spaces(input.abstract),
    authors: (input.authors ?? []).map(spaces).filter(Boolean),
    sources: [input.source],
    firstSeen: stamp,
    updatedAt: stamp,
  };
  if (arxivId) paper.arxivId = arxivId;
  const absUrl = arxivId ? absUrlFor(arxivId) : input.absUrl;
  const pdfUrl = arxivId ? pdfUrlFor(arxivId) : input.pdfUrl;
  if (absUrl) paper.absUrl = absUrl;
  if (pdfUrl) paper.pdfUrl = pdfUrl;
  // The count only adds information when the list is incomplete (pages that say "4 authors").
  if (input.authorCount !== undefined && input.authorCount > paper.authors.length) paper.authorCount = input.authorCount;
  if (input.published) paper.published = input.published;
  if (input.upvotes !== undefined) paper.upvotes = input.upvotes;
  if (input.organization) paper.organization = spaces(input.organization);
  const categories = (input.categories ?? []).map(spaces).filter(Boolean);
  if (categories.length) paper.categories = [...new Set(categories)];
  // Validated input is already in this form; the canonical paper does not rely on that.
  const doi = input.doi && normalizeDoi(input.doi);
  if (doi) paper.doi = doi;
  return paper;
}

const longer = (a: string, b: string): string => (b.length > a.length ? b : a);

/**
 * Merges a newly arrived copy into the stored one: richest fields win, sources and categories
 * are united, and the first-seen time stays (a paper is "new" once).
 */
export function mergePapers(stored: Paper, incoming: Paper): Paper {
  const merged: Paper = {
    ...stored,
    id: stored.arxivId ? stored.id : incoming.id,
    title: longer(stored.title, incoming.title),
    abstract: longer(stored.abstract, incoming.abstract),
    authors: incoming.authors.length > stored.authors.length ? incoming.authors : stored.authors,
    sources: unite(stored.sources, incoming.sources) as SourceName[],
    firstSeen: stored.firstSeen < incoming.firstSeen ? stored.firstSeen : incoming.firstSeen,
  };
  const arxivId = stored.arxivId ?? incoming.arxivId;
  if (arxivId) merged.arxivId = arxivId;
  merged.absUrl = stored.arxivId ? stored.absUrl : (incoming.absUrl ?? stored.absUrl);
  merged.pdfUrl = stored.arxivId ? stored.pdfUrl : (incoming.pdfUrl ?? stored.pdfUrl);
  if (merged.absUrl === undefined) delete merged.absUrl;
  if (merged.pdfUrl === undefined) delete merged.pdfUrl;
  const authorCount = Math.max(stored.authorCount ?? 0, incoming.authorCount ?? 0, merged.authors.length);
  if (authorCount > 0 && authorCount !== merged.authors.length) merged.authorCount = authorCount;
  else delete merged.authorCount;
  const published = stored.published ?? incoming.published;
  if (published) merged.published = published;
  const upvotes = Math.max(stored.upvotes ?? -1, incoming.upvotes ?? -1);
  if (upvotes >= 0) merged.upvotes = upvotes;
  const organization = stored.organization ?? incoming.organization;
  if (organization) merged.organization = organization;
  // A paper has one DOI: the first one known stays (a later copy may carry an erratum's).
  const doi = stored.doi ?? incoming.doi;
  if (doi) merged.doi = doi;
  const categories = unite(stored.categories ?? [], incoming.categories ?? []);
  if (categories.length) merged.categories = categories;
  merged.updatedAt = samePaper(stored, merged) ? stored.updatedAt : incoming.updatedAt;
  return merged;
}

function unite<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}

/** True when a merge changed nothing worth storing. */
export function samePaper(a: Paper, b: Paper): boolean {
  const { updatedAt: _a, ...restA } = a;
  const { updatedAt: _b, ...restB } = b;
  return JSON.stringify(sortKeys(restA)) === JSON.stringify(sortKeys(restB));
}

function sortKeys(o: object): object {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
}

/** The text that gets embedded, and the hash under which its vector is cached. */
export function embeddingText(p: Pick<Paper, 'title' | 'abstract'>): string {
  return `${p.title}\n\n${p.abstract}`;
}

export function contentHash(p: Pick<Paper, 'title' | 'abstract'>): string {
  return createHash('sha256').update(embeddingText(p)).digest('hex').slice(0, 32);
}

export { normalizeTitle };
