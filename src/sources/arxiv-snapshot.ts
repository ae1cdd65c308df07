/**
 * The arXiv metadata snapshot (Kaggle's `arxiv-metadata-oai-snapshot.json`): one JSON object per
 * line with `id` (`2401.00001` or old-style `hep-th/9901001`), `title`, `abstract` (both with hard
 * line breaks and runs of spaces), `authors` (one string) and `authors_parsed` ([last, first,
 * suffix] arrays), `categories` (space-separated), `versions` ([{ version: "v1", created: RFC 822
 * date }, …]), `update_date`, `doi` (sometimes several, space-separated: the first is kept), and fields paperfeed does not keep (submitter, comments,
 * journal-ref, report-no, license). The published date is the v1 submission date.
 */
import { z } from 'zod';
import { firstDoi } from '../papers/doi.ts';
import { parseArxivId } from '../papers/ids.ts';
import { LIMITS } from '../papers/paper.ts';
import { passesFilter, type ArxivFilter } from './arxiv-filter.ts';
import { splitAuthors } from './arxiv-rss.ts';
import { dateOfRfc822 } from './dates.ts';
import type { SourceBatch } from './source.ts';
import { addPaper, collapseSpaces, describeZodError, issue, jsonOf, objectOf } from './validate.ts';

const snapshotSchema = z.object({
  id: z.string().trim().min(1, 'id is empty'),
  title: z.string(),
  abstract: z.string(),
  authors: z.string().nullish(),
  authors_parsed: z.array(z.array(z.string())).nullish(),
  categories: z.string().nullish(),
  versions: z.array(z.object({ version: z.string(), created: z.string() })).nullish(),
  update_date: z.string().nullish(),
  doi: z.string().nullish(),
});

type SnapshotRecord = z.infer<typeof snapshotSchema>;

/** Which format a JSON object line is in (snapshot fields, else paperfeed's JSON Lines); undefined if it is no JSON object. */
export function snapshotOrJsonl(line: string): 'arxiv-snapshot' | 'jsonl' | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  return typeof r.categories === 'string' && (Array.isArray(r.versions) || 'update_date' in r) ? 'arxiv-snapshot' : 'jsonl';
}

/**
 * Reads one snapshot line into the batch. Returns false when the record is valid but the filter
 * leaves it out (not an issue: a backfill of cs.* passes over most of arXiv).
 */
export function addSnapshotLine(batch: SourceBatch, line: string, where: string, filter: ArxivFilter = {}): boolean {
  const json = jsonOf(batch, line, where);
  const raw = json && objectOf(batch, json.value, where);
  if (!raw) return true;
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    batch.issues.push(issue(where, describeZodError(parsed.error)));
    return true;
  }
  const r = parsed.data;
  const arxivId = parseArxivId(r.id);
  if (!arxivId) {
    batch.issues.push(issue(where, `id "${r.id}" is not an arXiv id`));
    return true;
  }
  const created = firstVersion(r)?.created;
  const published = created ? dateOfRfc822(created) : undefined;
  if (created && !published) {
    batch.issues.push(issue(where, `versions: "${created}" is not a date`));
    return true;
  }
  const categories = (r.categories ?? '').split(/\s+/).filter(Boolean);
  if (!passesFilter(filter, categories, published)) return false;
  const authors = authorNames(r);
  addPaper(
    batch,
    {
      rawId: arxivId,
      title: collapseSpaces(r.title),
      abstract: collapseSpaces(r.abstract),
      // Collaboration papers list thousands of authors: keep the first ones and the count.
      authors: authors?.slice(0, LIMITS.authors),
      authorCount: authors && authors.length > LIMITS.authors ? authors.length : undefined,
      published,
      categories: categories.length ? categories.slice(0, 50) : undefined,
      doi: firstDoi(r.doi),
      source: 'arxiv-snapshot',
    },
    where,
  );
  return true;
}

function firstVersion(r: SnapshotRecord): { created: string } | undefined {
  const versions = r.versions ?? [];
  return versions.find((v) => v.version === 'v1') ?? versions[0];
}

/** authors_parsed when present ("first last suffix"), else the authors string split on commas and "and". */
function authorNames(r: SnapshotRecord): string[] | undefined {
  const parsed = (r.authors_parsed ?? [])
    .map(([last = '', first = '', suffix = '']) => collapseSpaces(`${first} ${last} ${suffix}`))
    .filter((name) => name && name.length <= LIMITS.author);
  if (parsed.length) return parsed;
  return r.authors ? splitAuthors(r.authors)?.filter((name) => name.length <= LIMITS.author) : undefined;
}
