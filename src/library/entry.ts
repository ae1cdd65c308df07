/**
 * What every library parser produces: the few fields paperfeed can match or learn from, and a
 * named reason for every entry it had to skip. Parsers never throw on one bad entry; a whole
 * input they cannot read at all is a UserError (see detect.ts).
 */
export const LIBRARY_FORMATS = ['bibtex', 'csl-json', 'ris', 'list'] as const;
export type LibraryFormat = (typeof LIBRARY_FORMATS)[number];

export const LIBRARY_LIMITS = {
  /** Largest file or pasted list read at all (a Zotero export of ~10,000 items with abstracts). */
  bytes: 5 * 1024 * 1024,
  /** Entries looked at per import; the rest are named as skipped. */
  entries: 5_000,
  /** Title and abstract kept per entry (longer ones are cut at a word). */
  title: 300,
  abstract: 5_000,
} as const;

export interface LibraryEntry {
  /** Where it came from, for the report: "entry vaswani2017" (line 12), "item 3", "line 7". */
  where: string;
  title?: string;
  abstract?: string;
  /** arXiv id without version. */
  arxivId?: string;
  /** Lower-case DOI without a resolver prefix. */
  doi?: string;
  url?: string;
}

export interface Skipped {
  where: string;
  reason: string;
}

export interface ParsedLibrary {
  format: LibraryFormat;
  entries: LibraryEntry[];
  skipped: Skipped[];
}

/** Text cut at a word boundary to at most `max` characters. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd();
}

/** Single-spaced text without control characters; undefined when nothing is left. */
export function cleanField(s: string | undefined, max: number): string | undefined {
  if (s === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim();
  return t ? clip(t, max) : undefined;
}

/**
 * Adds what a parser read: title and abstract cleaned and bounded, empty fields left out. An entry
 * is kept when it names a paper some way (a title, an arXiv id or a DOI), else named as skipped.
 */
export function keepOrSkip(where: string, raw: Omit<LibraryEntry, 'where'>, out: Pick<ParsedLibrary, 'entries' | 'skipped'>): void {
  const title = cleanField(raw.title, LIBRARY_LIMITS.title);
  const abstract = cleanField(raw.abstract, LIBRARY_LIMITS.abstract);
  const e: LibraryEntry = {
    where,
    ...(title ? { title } : {}),
    ...(abstract ? { abstract } : {}),
    ...(raw.arxivId ? { arxivId: raw.arxivId } : {}),
    ...(raw.doi ? { doi: raw.doi } : {}),
    ...(raw.url ? { url: raw.url } : {}),
  };
  if (e.title || e.arxivId || e.doi) out.entries.push(e);
  else out.skipped.push({ where, reason: 'it has no title, arXiv id or DOI' });
}

/** 1-based line of a character offset, by binary search over the line starts. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
