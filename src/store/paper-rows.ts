import type { Paper, SourceName } from '../papers/paper.ts';
import { contentHash, normalizeTitle } from '../papers/normalize.ts';

/** A `papers` row as SQLite hands it back (and as the insert/update statements bind it). */
export interface PaperRow {
  id: string;
  norm_title: string;
  arxiv_id: string | null;
  title: string;
  abstract: string;
  authors: string;
  author_count: number | null;
  abs_url: string | null;
  pdf_url: string | null;
  published: string | null;
  sources: string;
  upvotes: number | null;
  organization: string | null;
  categories: string | null;
  doi: string | null;
  content_hash: string;
  first_seen: string;
  updated_at: string;
}

export const PAPER_COLUMNS =
  'id, norm_title, arxiv_id, title, abstract, authors, author_count, abs_url, pdf_url, published, sources, ' +
  'upvotes, organization, categories, doi, content_hash, first_seen, updated_at';

export function paperToRow(p: Paper): PaperRow {
  return {
    id: p.id,
    norm_title: normalizeTitle(p.title),
    arxiv_id: p.arxivId ?? null,
    title: p.title,
    abstract: p.abstract,
    authors: JSON.stringify(p.authors),
    author_count: p.authorCount ?? null,
    abs_url: p.absUrl ?? null,
    pdf_url: p.pdfUrl ?? null,
    published: p.published ?? null,
    sources: JSON.stringify(p.sources),
    upvotes: p.upvotes ?? null,
    organization: p.organization ?? null,
    categories: p.categories?.length ? JSON.stringify(p.categories) : null,
    doi: p.doi ?? null,
    content_hash: contentHash(p),
    first_seen: p.firstSeen,
    updated_at: p.updatedAt,
  };
}

/** Absent optional fields stay absent (not `undefined`), so a stored paper compares equal to a fresh merge. */
export function rowToPaper(r: PaperRow): Paper {
  const p: Paper = {
    id: r.id,
    title: r.title,
    abstract: r.abstract,
    authors: JSON.parse(r.authors) as string[],
    sources: JSON.parse(r.sources) as SourceName[],
    firstSeen: r.first_seen,
    updatedAt: r.updated_at,
  };
  if (r.arxiv_id !== null) p.arxivId = r.arxiv_id;
  if (r.author_count !== null) p.authorCount = r.author_count;
  if (r.abs_url !== null) p.absUrl = r.abs_url;
  if (r.pdf_url !== null) p.pdfUrl = r.pdf_url;
  if (r.published !== null) p.published = r.published;
  if (r.upvotes !== null) p.upvotes = r.upvotes;
  if (r.organization !== null) p.organization = r.organization;
  if (r.categories !== null) p.categories = JSON.parse(r.categories) as string[];
  if (r.doi !== null) p.doi = r.doi;
  return p;
}

/** A view over the vector's own bytes: SQLite copies them when binding, so no copy is made here. */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Copies the blob into a fresh, aligned Float32Array. A Buffer may sit at any byte offset of a shared
 * pool, so viewing it in place could misalign or alias memory that a caller later mutates.
 */
export function blobToVector(blob: Buffer, dim: number, where: string): Float32Array {
  if (blob.byteLength !== dim * 4) {
    throw new Error(`corrupt vector for ${where}: ${blob.byteLength} bytes, expected ${dim} floats`);
  }
  const out = new Float32Array(dim);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
