import { z } from 'zod';
import { isoDateSchema } from '../papers/dates.ts';
import { normalizeDoi } from '../papers/doi.ts';
import { toPaper } from '../papers/normalize.ts';
import { type Paper, type PaperInput, paperInputSchema } from '../papers/paper.ts';
import type { LexicalFilter, ListQuery, StoredSummary } from './paper-store.ts';

const isoInstant = z.string().transform((s, ctx) => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO date-time: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  // Stored instants are toISOString() output, so comparing text compares time only in that form.
  return new Date(t).toISOString();
});

const listQuerySchema = z.object({
  seenSince: isoInstant.optional(),
  seenBefore: isoInstant.optional(),
  published: isoDateSchema.optional(),
  publishedSince: isoDateSchema.optional(),
  source: z.string().min(1).optional(),
  limit: z.number().int().nonnegative().optional(),
  offset: z.number().int().nonnegative().optional(),
});

const lexicalQuerySchema = z.object({
  text: z.string(),
  k: z.number().int().min(1).max(10_000),
  filter: z
    .object({
      since: isoDateSchema.optional(),
      source: z.string().min(1).optional(),
      excludeIds: z.array(z.string()).readonly().optional(),
      sole: z.boolean().optional(),
    })
    .optional(),
});

/** Input handed to a store that does not match its schema; nothing of it was written. */
export class StoreInputError extends Error {
  override name = 'StoreInputError';
}

/** Checks a summary before any store writes it; returns its creation time in canonical ISO form. */
export function checkSummary(summary: StoredSummary): string {
  const { contentHash, model, paperId, text, createdAt } = summary;
  for (const [name, value] of Object.entries({ contentHash, model, paperId, text })) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new StoreInputError(`putSummary: ${name} is empty; nothing was written`);
    }
  }
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) throw new StoreInputError(`putSummary: createdAt ${JSON.stringify(createdAt)} is not an ISO date-time`);
  return new Date(at).toISOString();
}

/** Checks vectors before any store caches them: a bad entry fails the whole call, nothing written. */
export function checkVectorEntries(providerKey: string, entries: { contentHash: string; vector: Float32Array }[]): void {
  if (!providerKey) throw new StoreInputError('putCachedVectors: empty provider key');
  entries.forEach(({ contentHash, vector }, i) => {
    if (typeof contentHash !== 'string' || contentHash === '') {
      throw new StoreInputError(`putCachedVectors: entry ${i} has no content hash; nothing was written`);
    }
    if (!(vector instanceof Float32Array) || vector.length === 0) {
      throw new StoreInputError(`putCachedVectors: entry ${i} (${contentHash}) is not a non-empty Float32Array`);
    }
    if (!vector.every(Number.isFinite)) {
      throw new StoreInputError(`putCachedVectors: entry ${i} (${contentHash}) holds NaN or Infinity`);
    }
  });
}

/** Validates a whole upsert batch and converts it to papers; the first bad item fails it all. */
export function validPapers(inputs: PaperInput[], now: Date): Paper[] {
  if (Number.isNaN(now.getTime())) throw new StoreInputError('upsertPapers: `now` is an invalid date');
  return inputs.map((input, i) => {
    const parsed = paperInputSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((x) => `${x.path.join('.') || '(item)'}: ${x.message}`).join('; ');
      throw new StoreInputError(`upsertPapers: item ${i} ${describe(input)} is invalid (${problems}); nothing was written`);
    }
    return toPaper(parsed.data, now);
  });
}

function describe(input: unknown): string {
  if (typeof input !== 'object' || input === null) return `(${typeof input})`;
  const { rawId, title } = input as { rawId?: unknown; title?: unknown };
  const label = typeof rawId === 'string' ? rawId : typeof title === 'string' ? `"${title.slice(0, 60)}"` : '';
  return label ? `(${label})` : '';
}

/** A ListQuery checked before it reaches SQL, with instants in the stored text form. */
export function validListQuery(query: ListQuery): z.output<typeof listQuerySchema> {
  const parsed = listQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new StoreInputError(`listPapers: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** A searchLexical call checked before it reaches SQL. */
export function validLexicalQuery(text: string, k: number, filter: LexicalFilter | undefined): z.output<typeof lexicalQuerySchema> {
  const parsed = lexicalQuerySchema.safeParse({ text, k, filter });
  if (!parsed.success) {
    throw new StoreInputError(`searchLexical: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Page size of iteratePapers: a positive whole number, default 1,000. */
export function validPageSize(opts: { pageSize?: number } | undefined): number {
  const size = opts?.pageSize ?? 1_000;
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new StoreInputError(`iteratePapers: pageSize ${size} is not a whole number from 1 to 100000`);
  }
  return size;
}

/** Provider keys to keep when pruning: at least one, none empty (an empty list would delete every vector). */
export function checkKeepKeys(keys: readonly string[]): void {
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw new StoreInputError('pruneVectors: name at least one provider key to keep, none empty; nothing was deleted');
  }
}

/** DOIs to look up, in their stored form, each once; what is no DOI cannot name a stored paper. */
export function storedDois(dois: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of dois) {
    const doi = typeof raw === 'string' ? normalizeDoi(raw) : undefined;
    if (doi) out.add(doi);
  }
  return [...out];
}
