import { z } from 'zod';
import { hasVisibleText } from './clean-text.ts';
import { doiSchema } from './doi.ts';

/** Where a paper came from; a merged paper keeps every source it arrived through. */
export const SOURCE_NAMES = ['hf-page', 'hf-api', 'arxiv-atom', 'arxiv-rss', 'jsonl', 'arxiv-snapshot', 'arxiv-oai'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * A paper as a source hands it over, before it has a canonical id.
 * Sources fill what they know; normalization (papers/normalize.ts) derives the rest.
 */
export interface PaperInput {
  /** An arXiv id, arXiv/HF URL or a source's own id; optional because some pages carry none. */
  rawId?: string;
  title: string;
  abstract: string;
  authors?: string[];
  /** Some listings only say "4 authors". */
  authorCount?: number;
  absUrl?: string;
  pdfUrl?: string;
  /** ISO date YYYY-MM-DD. */
  published?: string;
  source: SourceName;
  upvotes?: number;
  organization?: string;
  categories?: string[];
  /** Any spelling (bare, doi:, resolver URL); the schema keeps it lower-case and bare. */
  doi?: string;
}

/** A stored, canonical paper. */
export interface Paper {
  /** arXiv id without version when known, else `t-<hash of normalized title>`. */
  id: string;
  arxivId?: string;
  title: string;
  abstract: string;
  authors: string[];
  authorCount?: number;
  absUrl?: string;
  pdfUrl?: string;
  published?: string;
  sources: SourceName[];
  upvotes?: number;
  organization?: string;
  categories?: string[];
  /** Lower-case, without a resolver prefix (papers/doi.ts). */
  doi?: string;
  /** ISO timestamp of the first time this paper was stored: "new since the last digest" uses it. */
  firstSeen: string;
  /** ISO timestamp of the last merge that changed the paper. */
  updatedAt: string;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** Limits guard the store against huge or garbage fields in outside input. */
export const LIMITS = {
  title: 1_000,
  abstract: 20_000,
  author: 300,
  authors: 2_000,
} as const;

/** A required text field: trimmed, not empty, bounded, and more than invisible characters. */
const textField = (name: 'title' | 'abstract') =>
  z
    .string()
    .trim()
    .min(1, `${name} is empty`)
    .max(LIMITS[name], `${name} is longer than ${LIMITS[name]} characters`)
    // An empty field already failed above: one message per problem.
    .refine((s) => s === '' || hasVisibleText(s), `${name} has only control or invisible characters`);

export const paperInputSchema = z.object({
  rawId: z.string().trim().min(1).max(500).optional(),
  title: textField('title'),
  abstract: textField('abstract'),
  authors: z.array(z.string().trim().min(1).max(LIMITS.author)).max(LIMITS.authors).optional(),
  authorCount: z.number().int().nonnegative().optional(),
  absUrl: z.url().optional(),
  pdfUrl: z.url().optional(),
  published: isoDate.optional(),
  source: z.enum(SOURCE_NAMES),
  upvotes: z.number().int().nonnegative().optional(),
  organization: z.string().trim().min(1).max(300).optional(),
  categories: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  doi: doiSchema.optional(),
});
