/**
 * The network sources behind `paperfeed ingest --source hf|arxiv [--date D] [--category C]` and
 * `--source oai --set S --from D [--until D]`,
 * configured from the environment. Options are validated here, so a typo fails before any request.
 */
import { z } from 'zod';
import type { Env } from '../config/config.ts';
import { isoDate, todayUtc } from './dates.ts';
import type { PaperSource } from './source.ts';
import { arxivAtomSource } from './arxiv-atom.ts';
import { arxivFilterSchema, type ArxivFilter } from './arxiv-filter.ts';
import { arxivOaiSource } from './arxiv-oai.ts';
import { arxivRssSource } from './arxiv-rss.ts';
import { hfApiSource } from './hf-api.ts';
import { HttpClient, httpOptionsFromConfig, type HttpOptions } from './http.ts';
import { describeZodError } from './validate.ts';

export type NetworkKind = 'hf' | 'arxiv' | 'oai';

export type NetworkConfig = Pick<
  Env,
  | 'PAPERFEED_HF_URL'
  | 'PAPERFEED_ARXIV_API_URL'
  | 'PAPERFEED_ARXIV_RSS_URL'
  | 'PAPERFEED_OAI_URL'
  | 'PAPERFEED_ARXIV_CATEGORIES'
  | 'PAPERFEED_HTTP_TIMEOUT_MS'
  | 'PAPERFEED_HTTP_RETRIES'
  | 'PAPERFEED_ARXIV_MIN_INTERVAL_MS'
>;

export interface NetworkSourceOptions {
  /**
   * YYYY-MM-DD. HF: that day's list (default: the latest). arXiv: papers submitted that day through
   * the Atom API (default in atom mode: yesterday, UTC).
   */
  date?: string;
  /** arXiv categories such as cs.LG (default: PAPERFEED_ARXIV_CATEGORIES). */
  categories?: string[];
  /** arXiv only: 'rss' (latest announcements) or 'atom' (export API); default atom with a date, else rss. */
  mode?: 'atom' | 'rss';
  /** arXiv Atom only: upper bound on entries for one query. */
  maxResults?: number;
  /** arXiv Atom only: entries per request. */
  pageSize?: number;
  /** OAI-PMH only: the set (cs, math, physics:hep-th) and the datestamp range, YYYY-MM-DD. */
  set?: string;
  from?: string;
  until?: string;
  /** OAI-PMH only: keep papers in these categories (cs.LG, cs. or cs) first submitted on or after `since`. */
  filter?: ArxivFilter;
  /** Overrides of the HTTP settings taken from the configuration. */
  http?: Partial<HttpOptions>;
}

const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .refine((d) => isoDate(Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10))) === d, 'date is not a real day');

const categorySchema = z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/, 'categories look like cs.LG or math.OC');

const optionsSchema = z.object({
  date: dateSchema.optional(),
  categories: z.array(categorySchema).min(1, 'at least one category is needed').max(50).optional(),
  mode: z.enum(['atom', 'rss']).optional(),
  maxResults: z.number().int().min(1).max(30_000).optional(),
  pageSize: z.number().int().min(1).max(2_000).optional(),
  set: z.string().regex(/^[a-z-]+(:[A-Za-z.-]+)?$/, 'an OAI set looks like cs, math or physics:hep-th').optional(),
  from: dateSchema.optional(),
  until: dateSchema.optional(),
  filter: arxivFilterSchema.optional(),
});

export function createNetworkSource(
  kind: NetworkKind,
  config: NetworkConfig,
  options: NetworkSourceOptions = {},
): PaperSource {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) throw new Error(`invalid ${kind} source options: ${describeZodError(checked.error)}`);
  const { date, mode, maxResults, pageSize } = checked.data;
  const httpOptions = { ...httpOptionsFromConfig(config), ...options.http };

  if (kind === 'oai') {
    const { set, from, until, filter } = checked.data;
    if (from && until && from > until) throw new Error(`invalid oai source options: from ${from} is after until ${until}`);
    const http = new HttpClient({ minIntervalMs: config.PAPERFEED_ARXIV_MIN_INTERVAL_MS, ...httpOptions });
    return arxivOaiSource({ baseUrl: config.PAPERFEED_OAI_URL, set, from, until, filter, http });
  }

  if (kind === 'hf') {
    return hfApiSource({ baseUrl: config.PAPERFEED_HF_URL, date, http: new HttpClient(httpOptions) });
  }

  const categories = checked.data.categories ?? configuredCategories(config.PAPERFEED_ARXIV_CATEGORIES);
  // One client per source: arXiv's minimum interval then holds across all its pages.
  const http = new HttpClient({ minIntervalMs: config.PAPERFEED_ARXIV_MIN_INTERVAL_MS, ...httpOptions });
  const effectiveMode = mode ?? (date ? 'atom' : 'rss');
  if (effectiveMode === 'rss') {
    if (date) throw new Error('the arXiv RSS feed lists only the latest announcements; use mode "atom" with a date');
    return arxivRssSource({ baseUrl: config.PAPERFEED_ARXIV_RSS_URL, categories, http });
  }
  return arxivAtomSource({
    baseUrl: config.PAPERFEED_ARXIV_API_URL,
    categories,
    // Without a day the query would match the whole archive: take yesterday's submissions (UTC), a complete day.
    date: date ?? yesterdayUtc(),
    http,
    maxResults,
    pageSize,
  });
}

function yesterdayUtc(): string {
  return todayUtc(new Date(Date.now() - 86_400_000));
}

function configuredCategories(value: string): string[] {
  const categories = value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const checked = z.array(categorySchema).min(1, 'PAPERFEED_ARXIV_CATEGORIES is empty').safeParse(categories);
  if (!checked.success) throw new Error(`PAPERFEED_ARXIV_CATEGORIES: ${describeZodError(checked.error)}`);
  return checked.data;
}
