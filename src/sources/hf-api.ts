/**
 * The Hugging Face Daily Papers JSON API: `GET {base}/api/daily_papers?date=YYYY-MM-DD`, an array of
 * `{ paper: { id, title, summary, authors: [{ name }], publishedAt, upvotes, … }, title, summary,
 * publishedAt, numComments, submittedBy, organization?: { name, fullname }, … }`.
 */
import { z } from 'zod';
import type { PaperSource, SourceBatch } from './source.ts';
import { dateOfIso } from './dates.ts';
import type { HttpClient } from './http.ts';
import { addPaper, collapseSpaces, describeZodError, emptyBatch, issue } from './validate.ts';

const organizationSchema = z.object({ name: z.string().optional(), fullname: z.string().optional() });

/** Only the fields paperfeed reads; everything else the API sends is ignored. */
const dailyPaperSchema = z.object({
  paper: z.object({
    id: z.string().min(1),
    title: z.string().optional(),
    summary: z.string().optional(),
    authors: z.array(z.object({ name: z.string() })).optional(),
    publishedAt: z.string().optional(),
    upvotes: z.number().optional(),
    organization: organizationSchema.optional(),
  }),
  title: z.string().optional(),
  summary: z.string().optional(),
  publishedAt: z.string().optional(),
  organization: organizationSchema.optional(),
});

type DailyPaper = z.infer<typeof dailyPaperSchema>;

export function parseHfDailyPapers(text: string, where: string): SourceBatch {
  const batch = emptyBatch();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    batch.issues.push(issue(where, `not JSON: ${(error as Error).message}`));
    return batch;
  }
  if (!Array.isArray(data)) {
    batch.issues.push(issue(where, `expected a JSON array of daily papers, got ${data === null ? 'null' : typeof data}`));
    return batch;
  }
  data.forEach((raw, i) => {
    const itemWhere = `${where}#item ${i + 1}`;
    const item = dailyPaperSchema.safeParse(raw);
    if (!item.success) batch.issues.push(issue(itemWhere, describeZodError(item.error)));
    else addPaper(batch, fields(item.data), itemWhere);
  });
  return batch;
}

function fields(item: DailyPaper): Record<string, unknown> {
  const { paper } = item;
  const organization = item.organization ?? paper.organization;
  const publishedAt = paper.publishedAt ?? item.publishedAt;
  const authors = (paper.authors ?? []).map((a) => collapseSpaces(a.name)).filter(Boolean);
  return {
    rawId: paper.id,
    // The paper's own fields are the full arXiv text; the listing's copies are the fallback.
    title: collapseSpaces(paper.title || item.title || ''),
    abstract: collapseSpaces(paper.summary?.trim() || item.summary || ''),
    authors: authors.length ? authors : undefined,
    published: publishedAt ? dateOfIso(publishedAt) : undefined,
    upvotes: paper.upvotes,
    organization: organization ? collapseSpaces(organization.fullname || organization.name || '') || undefined : undefined,
    source: 'hf-api',
  };
}

/** Without a date the API answers with the latest day. */
export function hfDailyPapersUrl(base: string, date?: string): string {
  const url = `${base.replace(/\/+$/, '')}/api/daily_papers`;
  return date ? `${url}?${new URLSearchParams({ date })}` : url;
}

export interface HfApiSourceOptions {
  baseUrl: string;
  date?: string;
  http: HttpClient;
}

export function hfApiSource(options: HfApiSourceOptions): PaperSource {
  const url = hfDailyPapersUrl(options.baseUrl, options.date);
  return {
    name: `hf-api${options.date ? `@${options.date}` : ''}`,
    async *read() {
      const text = await options.http.getText(url, { headers: { accept: 'application/json' } });
      yield parseHfDailyPapers(text, url);
    },
  };
}
