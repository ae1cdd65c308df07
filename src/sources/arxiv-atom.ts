/**
 * The arXiv export API (Atom 1.0): `GET {base}/api/query?search_query=…&start=…&max_results=…`,
 * paged by `start` until opensearch:totalResults. A bad query answers 200 with a single entry
 * titled "Error"; that, like XML that does not parse, is one issue for the whole page.
 */
import { firstDoi } from '../papers/doi.ts';
import { parseArxivId } from '../papers/ids.ts';
import type { PaperSource, SourceBatch, SourceChunk } from './source.ts';
import { dateOfIso } from './dates.ts';
import type { HttpClient } from './http.ts';
import { addPaper, collapseSpaces, emptyBatch, issue } from './validate.ts';
import { attrOf, listOf, nodeOf, parseXml, textOf, type XmlNode } from './xml.ts';

export interface AtomPage {
  batch: SourceBatch;
  /** opensearch:totalResults: how many entries the whole query matches. */
  totalResults?: number;
  /** Entries on this page, valid or not. */
  entryCount: number;
  /** Set when the page as a whole could not be used (not XML, not a feed, an API error). */
  failed?: string;
}

export function parseArxivAtom(text: string, where: string): SourceBatch {
  return parseArxivAtomPage(text, where).batch;
}

export function parseArxivAtomPage(text: string, where: string): AtomPage {
  const batch = emptyBatch();
  const fail = (problem: string): AtomPage => {
    batch.issues.push(issue(where, problem));
    return { batch, entryCount: 0, failed: problem };
  };
  const parsed = parseXml(text);
  if ('error' in parsed) return fail(parsed.error);
  const feed = nodeOf(parsed.doc.feed);
  if (!feed) return fail('not an Atom feed (no <feed> element)');

  const entries = listOf(feed.entry);
  const apiError = entries.map(nodeOf).find((e) => e && isErrorEntry(e));
  if (apiError) return fail(`arXiv API error: ${collapseSpaces(textOf(apiError.summary) ?? 'no message')}`);

  entries.forEach((raw, i) => {
    const itemWhere = `${where}#item ${i + 1}`;
    const entry = nodeOf(raw);
    if (!entry) batch.issues.push(issue(itemWhere, 'entry is empty'));
    else addPaper(batch, entryFields(entry), itemWhere);
  });
  const total = Number(textOf(feed.totalResults));
  return { batch, entryCount: entries.length, totalResults: Number.isFinite(total) ? total : undefined };
}

function isErrorEntry(entry: XmlNode): boolean {
  const id = textOf(entry.id) ?? '';
  return id.includes('/api/errors') || (textOf(entry.title)?.trim() === 'Error' && !parseArxivId(id));
}

function entryFields(entry: XmlNode): Record<string, unknown> {
  const id = textOf(entry.id)?.trim() ?? '';
  const links = listOf(entry.link);
  const href = (match: (link: unknown) => boolean): string | undefined => {
    const link = links.find(match);
    return link === undefined ? undefined : attrOf(link, 'href');
  };
  const primary = attrOf(entry.primary_category, 'term');
  const categories = listOf(entry.category)
    .map((c) => attrOf(c, 'term'))
    .filter((c): c is string => Boolean(c));
  const published = textOf(entry.published);
  return {
    rawId: parseArxivId(id) ?? (id || undefined),
    title: collapseSpaces(textOf(entry.title) ?? ''),
    abstract: collapseSpaces(textOf(entry.summary) ?? ''),
    authors: listOf(entry.author)
      .map((a) => collapseSpaces(textOf(nodeOf(a)?.name) ?? ''))
      .filter(Boolean),
    absUrl: href((l) => attrOf(l, 'rel') === 'alternate'),
    pdfUrl: href((l) => attrOf(l, 'title') === 'pdf'),
    published: published ? dateOfIso(published) : undefined,
    categories: unique(primary ? [primary, ...categories] : categories),
    // <arxiv:doi>, the journal DOI an author added (or arXiv's own).
    doi: firstDoi(textOf(entry.doi)),
    source: 'arxiv-atom',
  };
}

function unique(values: string[]): string[] | undefined {
  return values.length ? [...new Set(values)] : undefined;
}

export interface ArxivQuery {
  categories: string[];
  /** YYYY-MM-DD: papers submitted that day (UTC), else the latest submissions. */
  date?: string;
}

/** The export API query URL for one page. */
export function arxivQueryUrl(base: string, query: ArxivQuery, start: number, maxResults: number): string {
  const cats = query.categories.map((c) => `cat:${c}`);
  const catClause = cats.length > 1 ? `(${cats.join(' OR ')})` : (cats[0] ?? '');
  const day = query.date?.replaceAll('-', '');
  const dateClause = day ? `submittedDate:[${day}0000 TO ${day}2359]` : '';
  const searchQuery = [catClause, dateClause].filter(Boolean).join(' AND ');
  const params = new URLSearchParams({
    search_query: searchQuery,
    start: String(start),
    max_results: String(maxResults),
    sortBy: 'submittedDate',
    sortOrder: 'descending',
  });
  return `${base.replace(/\/+$/, '')}/api/query?${params}`;
}

export interface ArxivAtomSourceOptions extends ArxivQuery {
  baseUrl: string;
  http: HttpClient;
  /** Entries per request (arXiv serves at most 2000, and recommends small pages). */
  pageSize?: number;
  /** Upper bound on entries read for one query. */
  maxResults?: number;
}

export function arxivAtomSource(options: ArxivAtomSourceOptions): PaperSource {
  const pageSize = options.pageSize ?? 100;
  const maxResults = options.maxResults ?? 2000;
  return {
    name: `arxiv-atom:${options.categories.join('+')}${options.date ? `@${options.date}` : ''}`,
    async *read(): AsyncGenerator<SourceChunk> {
      let start = 0;
      let total = 0;
      do {
        const url = arxivQueryUrl(options.baseUrl, options, start, Math.min(pageSize, maxResults - start));
        const page = parseArxivAtomPage(await options.http.getText(url), url);
        if (page.failed || page.entryCount === 0) {
          if (!page.failed && start < (page.totalResults ?? 0)) {
            page.batch.issues.push(
              issue(url, `empty page at start=${start} although totalResults is ${page.totalResults}; stopped`),
            );
          }
          yield page.batch;
          break;
        }
        total = page.totalResults ?? 0;
        start += page.entryCount;
        yield { ...page.batch, progress: { done: start, total: Math.min(total, maxResults), unit: 'records' } };
      } while (start < total && start < maxResults);
      if (total > maxResults) {
        const url = arxivQueryUrl(options.baseUrl, options, 0, pageSize);
        yield { papers: [], issues: [issue(url, `read ${maxResults} of ${total} results (the configured maximum)`)] };
      }
    },
  };
}
