/**
 * The query endpoints of the local HTTP API: parameters validated with zod (unknown ones refused,
 * so a typo is not silently ignored), results as compact JSON.
 */
import { z } from 'zod';
import type { Paper } from '../papers/paper.ts';
import { getPicks, type PicksResult } from '../recommend/index.ts';
import { MAX_QUERY_INPUT_CHARS, SEARCH_MODES, type ScoredPaper } from '../search/search-types.ts';
import type { App } from './app.ts';

/** Longest q accepted. */
export const MAX_Q_CHARS = MAX_QUERY_INPUT_CHARS;
const text = z.string().trim().min(1, 'must not be empty').max(MAX_Q_CHARS, `must be at most ${MAX_Q_CHARS} characters`);
const count = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `expected a whole number from 1 to ${max}`);
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a real date');
const mode = z.enum(SEARCH_MODES);
const recipientId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const similarQuery = z.strictObject({ q: text, k: count(100).optional(), since: date.optional(), mode: mode.optional() });
export const searchQuery = z.strictObject({ q: text, k: count(100).optional(), since: date.optional(), mode: mode.optional() });
export const picksQuery = z
  .strictObject({
    user: recipientId.optional(),
    channel: recipientId.optional(),
    n: count(50).optional(),
    date: date.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.user === undefined) === (v.channel === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.user === undefined ? 'user' : 'channel'], message: 'give exactly one of user= or channel=' });
    }
  });

/** A 4xx the client can act on: the parameter and what is wrong with it. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Parses a query string with a schema; a bad one becomes a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, params: URLSearchParams): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) throw new ApiError(400, 'bad_request', `${key}: given ${values.length} times; give it once`, key);
    raw[key] = values[0]!;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    throw new ApiError(400, 'bad_request', `${key}: unknown parameter`, key);
  }
  const parameter = String(issue.path[0] ?? '');
  const message = issue.code === 'invalid_type' && raw[parameter] === undefined ? 'is required' : issue.message;
  throw new ApiError(400, 'bad_request', `${parameter}: ${message}`, parameter);
}

export interface PaperJson {
  id: string;
  title: string;
  authors: string[];
  published?: string;
  url?: string;
  pdfUrl?: string;
  upvotes?: number;
  sources: string[];
}

function paperJson(p: Paper): PaperJson {
  return {
    id: p.id,
    title: p.title,
    authors: p.authors,
    ...(p.published ? { published: p.published } : {}),
    ...(p.absUrl ? { url: p.absUrl } : {}),
    ...(p.pdfUrl ? { pdfUrl: p.pdfUrl } : {}),
    ...(p.upvotes !== undefined ? { upvotes: p.upvotes } : {}),
    sources: p.sources,
  };
}

const scored = (r: ScoredPaper) => ({
  ...paperJson(r.paper),
  score: round(r.score),
  ...(r.cosine !== undefined ? { cosine: round(r.cosine) } : {}),
});
const round = (x: number) => Math.round(x * 1e4) / 1e4;

export async function similarRoute(app: App, params: URLSearchParams): Promise<unknown> {
  const q = parseQuery(similarQuery, params);
  const { query, results } = await app.search.similar(q.q, {
    k: q.k ?? 10,
    ...(q.since ? { filter: { since: q.since } } : {}),
    ...(q.mode ? { mode: q.mode } : {}),
  });
  return {
    query: query.kind === 'paper' ? { kind: 'paper', paper: paperJson(query.paper) } : { kind: 'text', text: query.text },
    results: results.map(scored),
  };
}

export async function searchRoute(app: App, params: URLSearchParams): Promise<unknown> {
  const q = parseQuery(searchQuery, params);
  const results = await app.search.searchText(q.q, {
    k: q.k ?? 10,
    ...(q.since ? { filter: { since: q.since } } : {}),
    ...(q.mode ? { mode: q.mode } : {}),
  });
  return { query: q.q, results: results.map(scored) };
}

/** A look at the picks: never recorded as delivered (a GET has no side effects). */
export async function picksRoute(app: App, params: URLSearchParams): Promise<unknown> {
  const q = parseQuery(picksQuery, params);
  const recipient = q.user !== undefined ? { kind: 'user' as const, platform: 'cli' as const, id: q.user } : { kind: 'channel' as const, platform: 'cli' as const, id: q.channel! };
  const r: PicksResult = await getPicks(app, recipient, { record: false, ...(q.n !== undefined ? { n: q.n } : {}), ...(q.date ? { date: q.date } : {}) });
  return {
    recipient: { kind: r.recipient.kind, id: r.recipient.id },
    mode: r.mode,
    status: r.status,
    ...(r.notice ? { notice: r.notice } : {}),
    ...(r.hint ? { hint: r.hint } : {}),
    candidates: r.candidates,
    picks: r.picks.map((p) => ({
      rank: p.rank,
      ...paperJson(p.paper),
      score: round(p.score),
      relevance: round(p.relevance),
      reasons: p.reasons,
    })),
    warnings: r.warnings,
  };
}
