import { z } from 'zod';
import { isoDateSchema } from '../papers/dates.ts';
import type { StoredSummary } from './paper-store.ts';

const isoInstant = z.string().transform((s, ctx) => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: `not an ISO date-time: ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  // Stored instants are toISOString() output, so comparing text compares time only in that form.
  return new Date(t).toISOString();
});

/** A ListQuery (paper-store.ts) checked before it reaches SQL, for every store implementation. */
export const listQuerySchema = z.object({
  seenSince: isoInstant.optional(),
  seenBefore: isoInstant.optional(),
  published: isoDateSchema.optional(),
  publishedSince: isoDateSchema.optional(),
  source: z.string().min(1).optional(),
  limit: z.number().int().nonnegative().optional(),
  offset: z.number().int().nonnegative().optional(),
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
