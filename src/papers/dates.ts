import { z } from 'zod';

/** True for a real calendar date written YYYY-MM-DD (2024-02-31 is not). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === value;
}

/** A YYYY-MM-DD date from outside input (CLI options, API queries, chat). */
export const isoDateSchema = z.string().refine(isIsoDate, 'expected a real date as YYYY-MM-DD');
