import { z } from 'zod';
import { isoDateSchema } from '../papers/dates.ts';

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
