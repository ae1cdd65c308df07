/**
 * JSON Lines (one paper per line) or one JSON array of papers: the format `paperfeed export`
 * writes with toJsonl, and the simplest way to feed paperfeed papers from anywhere else.
 *
 * A record needs `id`, `title` and `abstract`; `authors`, `url`, `published` (date or datetime),
 * `upvotes`, `doi` and the other PaperInput fields are optional; unknown fields (`sources`, `firstSeen`)
 * are ignored on input.
 */
import { z } from 'zod';
import type { Paper } from '../papers/paper.ts';
import type { SourceBatch } from './source.ts';
import { dateOfIso } from './dates.ts';
import { addPaper, describeZodError, emptyBatch, issue, jsonOf, objectOf, type ParseOptions } from './validate.ts';

const recordSchema = z.object({
  id: z.string().trim().min(1, 'id is empty'),
  title: z.string(),
  abstract: z.string(),
  authors: z.array(z.string()).optional(),
  authorCount: z.number().optional(),
  url: z.string().optional(),
  absUrl: z.string().optional(),
  pdfUrl: z.string().optional(),
  published: z
    .string()
    .optional()
    .refine((v) => v === undefined || dateOfIso(v) !== undefined, 'published: expected an ISO date or datetime'),
  upvotes: z.number().optional(),
  organization: z.string().optional(),
  categories: z.array(z.string()).optional(),
  // Checked (and normalized) with the paper: a bad DOI is named there.
  doi: z.string().optional(),
});

export function parseJsonl(text: string, where: string, options: ParseOptions = {}): SourceBatch {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first >= 0 && lines[first]!.trimStart().startsWith('[')) return parseJsonArray(text, lines, where, options);

  const batch = emptyBatch();
  const badLines = options.badLines ?? new Set<number>();
  lines.forEach((line, i) => {
    const lineWhere = `${where}:${i + 1}`;
    if (badLines.has(i + 1)) batch.issues.push(issue(lineWhere, 'invalid UTF-8 bytes; line skipped'));
    else if (line.trim() !== '') addRecord(batch, line, lineWhere);
  });
  return batch;
}

/**
 * A whole-file array. When it parses, items are named by position. When it does not, an array
 * written one item per line (`[`, `{…},`, …, `]`) is still read line by line, so one broken line
 * costs one paper; any other broken array is one issue for the file.
 */
function parseJsonArray(text: string, lines: string[], where: string, options: ParseOptions): SourceBatch {
  const batch = emptyBatch();
  const badLines = options.badLines ?? new Set<number>();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    if (isOneItemPerLine(lines)) return parseArrayLines(lines, where, badLines);
    batch.issues.push(issue(where, `not valid JSON: ${(error as Error).message}`));
    return batch;
  }
  if (!Array.isArray(data)) {
    batch.issues.push(issue(where, 'expected a JSON array of papers'));
    return batch;
  }
  if (badLines.size > 0 && isOneItemPerLine(lines)) return parseArrayLines(lines, where, badLines);
  data.forEach((item, i) => {
    const itemWhere = `${where}#item ${i + 1}`;
    // Which item a bad line fell in is unknown here; U+FFFD marks the bytes that did not decode.
    if (badLines.size > 0 && JSON.stringify(item).includes('\uFFFD')) {
      batch.issues.push(issue(itemWhere, `invalid UTF-8 bytes (line ${[...badLines].join(', ')}); item skipped`));
    } else addItem(batch, item, itemWhere);
  });
  return batch;
}

function isOneItemPerLine(lines: string[]): boolean {
  const body = lines.map((l) => l.trim()).filter((l) => l !== '' && l !== '[' && l !== ']' && l !== '],' && l !== '];');
  return body.length > 0 && body.every((l) => l.startsWith('{') || l.startsWith('[{'));
}

function parseArrayLines(lines: string[], where: string, badLines: ReadonlySet<number>): SourceBatch {
  const batch = emptyBatch();
  lines.forEach((line, i) => {
    const lineWhere = `${where}:${i + 1}`;
    const body = line.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/,$/, '').trim();
    if (badLines.has(i + 1)) batch.issues.push(issue(lineWhere, 'invalid UTF-8 bytes; line skipped'));
    else if (body !== '') addRecord(batch, body, lineWhere);
  });
  return batch;
}

/** Reads one JSON Lines record (a line without its line break) into the batch. */
export function addRecord(batch: SourceBatch, json: string, where: string): void {
  const parsed = jsonOf(batch, json, where);
  if (parsed) addItem(batch, parsed.value, where);
}

function addItem(batch: SourceBatch, item: unknown, where: string): void {
  if (!objectOf(batch, item, where)) return;
  const record = recordSchema.safeParse(item);
  if (!record.success) {
    batch.issues.push(issue(where, describeZodError(record.error)));
    return;
  }
  const r = record.data;
  addPaper(
    batch,
    {
      rawId: r.id,
      title: r.title,
      abstract: r.abstract,
      authors: r.authors,
      authorCount: r.authorCount,
      absUrl: r.url ?? r.absUrl,
      pdfUrl: r.pdfUrl,
      published: r.published ? dateOfIso(r.published) : undefined,
      upvotes: r.upvotes,
      organization: r.organization,
      categories: r.categories,
      doi: r.doi,
      source: 'jsonl',
    },
    where,
  );
}

/** One line of `paperfeed export`; parseJsonl reads it back into the same paper. */
export function toJsonl(paper: Paper): string {
  const record = {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    authorCount: paper.authorCount,
    url: paper.absUrl,
    pdfUrl: paper.pdfUrl,
    published: paper.published,
    upvotes: paper.upvotes,
    organization: paper.organization,
    categories: paper.categories,
    doi: paper.doi,
    sources: paper.sources,
    firstSeen: paper.firstSeen,
  };
  // JSON.stringify drops undefined fields and escapes line breaks, so this is always one line.
  return JSON.stringify(record);
}
