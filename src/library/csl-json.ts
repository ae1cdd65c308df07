/**
 * CSL JSON (Zotero "Export Collection… → CSL JSON", Better BibTeX, citation.js): an array of items.
 * Each item is checked on its own with zod, so one odd item is named and skipped.
 */
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { parseArxivId } from '../papers/ids.ts';
import { arxivIdOfDoi, normalizeDoi } from '../papers/doi.ts';
import { keepOrSkip, LIBRARY_LIMITS, type ParsedLibrary } from './entry.ts';

const text = z.string().max(1_000_000).optional();

/** The fields paperfeed reads; everything else an item carries is allowed and ignored. */
const itemSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  type: z.string().optional(),
  title: text,
  abstract: text,
  DOI: text,
  URL: text,
  /** Zotero puts "arXiv:2401.12345" here for preprints. */
  number: z.union([z.string(), z.number()]).optional(),
  'container-title': text,
});

export function parseCslJson(input: string): ParsedLibrary {
  let data: unknown;
  try {
    data = JSON.parse(input);
  } catch (err) {
    throw new UserError(`the CSL JSON file is not valid JSON: ${(err as Error).message}`);
  }
  // One item alone, or an export wrapped in {"items": [...]}, is accepted too.
  const items = Array.isArray(data) ? data : data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items) ? (data as { items: unknown[] }).items : [data];
  const out: ParsedLibrary = { format: 'csl-json', entries: [], skipped: [] };
  items.slice(0, LIBRARY_LIMITS.entries).forEach((raw, n) => {
    const id = raw && typeof raw === 'object' && 'id' in raw ? String((raw as { id: unknown }).id).slice(0, 100) : undefined;
    const where = `item ${n + 1}${id ? ` (${id})` : ''}`;
    const parsed = itemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      out.skipped.push({ where, reason: issue ? `${issue.path.join('.') || 'the item'}: ${issue.message}` : 'not a CSL item' });
      return;
    }
    const item = parsed.data;
    const doi = item.DOI ? normalizeDoi(item.DOI) : undefined;
    const arxivId =
      (item.URL && parseArxivId(item.URL)) ||
      (item.number !== undefined && parseArxivId(String(item.number))) ||
      (doi && arxivIdOfDoi(doi) && parseArxivId(arxivIdOfDoi(doi)!)) ||
      undefined;
    keepOrSkip(where, { title: item.title, abstract: item.abstract, arxivId, doi, url: item.URL }, out);
  });
  if (items.length > LIBRARY_LIMITS.entries) {
    out.skipped.push({ where: `items ${LIBRARY_LIMITS.entries + 1}-${items.length}`, reason: `an import reads at most ${LIBRARY_LIMITS.entries} entries` });
  }
  return out;
}
