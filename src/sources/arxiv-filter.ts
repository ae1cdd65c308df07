/**
 * The filters of a backfill (`--category cs.LG,cs.CL`, `--since 2024-01-01`), applied to each
 * record as it streams by. A category filter is an exact category (`cs.LG`), an archive (`cs`,
 * matching every cs.* category) or a prefix ending in a dot (`cs.`).
 */
import { z } from 'zod';

export interface ArxivFilter {
  categories?: string[];
  /** YYYY-MM-DD: only papers first submitted (v1) on or after this day. */
  since?: string;
}

export const categoryFilterSchema = z
  .string()
  .regex(/^[a-z-]+(\.([A-Za-z-]+)?)?$/, 'a category filter looks like cs.LG, cs. or cs');

export const arxivFilterSchema = z.object({
  categories: z.array(categoryFilterSchema).max(50, 'at most 50 categories').optional(),
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'since must be YYYY-MM-DD').optional(),
});

/** "cs.LG,cs.CL" or ["cs.LG", "cs.CL"] → the list of filters, trimmed, without empty ones. */
export function splitCategories(values: string | string[]): string[] {
  return (Array.isArray(values) ? values : [values])
    .flatMap((v) => v.split(','))
    .map((c) => c.trim())
    .filter(Boolean);
}

export function categoryMatches(filter: string, category: string): boolean {
  if (filter.endsWith('.')) return category.startsWith(filter);
  if (!filter.includes('.')) return category === filter || category.startsWith(`${filter}.`);
  return category === filter;
}

/** Whether a paper with these categories and first-version date passes the filter. */
export function passesFilter(filter: ArxivFilter, categories: readonly string[], published: string | undefined): boolean {
  if (filter.since && (!published || published < filter.since)) return false;
  if (filter.categories?.length && !categories.some((c) => filter.categories!.some((f) => categoryMatches(f, c)))) return false;
  return true;
}

/** A stable text for the filter, part of a backfill's identity (another filter is another backfill). */
export function describeFilter(filter: ArxivFilter): string {
  const parts = [];
  if (filter.categories?.length) parts.push(`category=${[...filter.categories].sort().join(',')}`);
  if (filter.since) parts.push(`since=${filter.since}`);
  return parts.join('&');
}
