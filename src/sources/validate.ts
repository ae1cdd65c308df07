import type { z } from 'zod';
import { paperInputSchema, type PaperInput } from '../papers/paper.ts';
import type { SourceBatch, SourceIssue } from './source.ts';

/** Options every pure parser accepts. */
export interface ParseOptions {
  /**
   * 1-based numbers of lines whose bytes were not valid UTF-8 (see files.ts). Their text is a lossy
   * decoding kept only so that the layout still lines up: any item touching them is skipped.
   */
  badLines?: ReadonlySet<number>;
}

/** Titles and abstracts arrive with hard line breaks and runs of spaces (LaTeX, XML indentation). */
export function collapseSpaces(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Drops undefined values so validated items carry only the fields a source really knows. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function emptyBatch(): SourceBatch {
  return { papers: [], issues: [] };
}

/** One readable sentence per zod issue, led by the field name: "abstract is empty", "title is missing". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      if (!field) return issue.message;
      if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `${field} is missing`;
      return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates one candidate; a valid paper lands in the batch, an invalid one becomes an issue. */
export function addPaper(batch: SourceBatch, candidate: Record<string, unknown>, where: string): void {
  const parsed = paperInputSchema.safeParse(compact(candidate));
  if (parsed.success) batch.papers.push(compact(parsed.data) as PaperInput);
  else batch.issues.push({ where, problem: describeZodError(parsed.error) });
}

/** The JSON value of one line or item, or undefined after recording that it does not parse. */
export function jsonOf(batch: SourceBatch, text: string, where: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    batch.issues.push(issue(where, `invalid JSON: ${(error as Error).message}`));
    return undefined;
  }
}

/** The value as a JSON object (a record), or undefined after recording that it is not one. */
export function objectOf(batch: SourceBatch, value: unknown, where: string): Record<string, unknown> | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  batch.issues.push(issue(where, 'expected a JSON object'));
  return undefined;
}

export function issue(where: string, problem: string): SourceIssue {
  return { where, problem };
}
