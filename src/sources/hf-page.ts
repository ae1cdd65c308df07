/**
 * The text of a Hugging Face Daily Papers page, as copied from a browser (data/*.txt).
 *
 * Two layouts occur. (A) blank-line separated blocks: title, abstract, then a metadata block
 * ("  • 4 authors" / an organization line, "·", a date optionally followed by the upvote count).
 * (B) no blank lines at all: title line, abstract line, title line, ... with the first title glued
 * onto "Subscribe". Both reduce to one stream of units: every text line is a unit, and a block
 * holding the "·" separator (or only metadata lines) is one metadata unit attached to the paper
 * before it.
 */
import type { SourceBatch } from './source.ts';
import { monthNumber, isoDate, resolveYearless } from './dates.ts';
import { addPaper, collapseSpaces, emptyBatch, issue, type ParseOptions } from './validate.ts';

export interface HfPageOptions extends ParseOptions {
  /** Reference day for dates listed without a year; defaults to the current date. */
  now?: Date;
}

interface Line {
  no: number;
  text: string;
}

type Unit = { kind: 'text'; line: Line } | { kind: 'meta'; lines: Line[] };

const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)';
/** "Aug 19, 2023", "May 6", and the same with the upvote count after it: "Oct 3 2", "Feb 7, 2024 1". */
const DATE_LINE = new RegExp(`^${MONTH}\\s+(\\d{1,2})(?:,\\s*(\\d{4}))?(?:\\s+(\\d+))?$`);
const AUTHORS_LINE = /^•\s*(\d+)\s+authors?$/;
const SEPARATOR = '·';

/** Page chrome before the first paper. */
const HEADER_LINE = [
  /^new$/i,
  /^get trending papers\b/i,
  /^subscribe$/i,
  /^daily papers$/i,
  /^by\s*AK and the research community$/i,
  new RegExp(`^${MONTH}\\s+\\d{1,2}(?:,\\s*\\d{4})?$`),
];

/** Titles on these pages stay well under this; a longer "title" means the layout slipped. */
const TITLE_PLAUSIBLE_MAX = 400;

/**
 * A block longer than this without the "·" separator is text, not metadata (a metadata block has
 * a handful of lines): its lines are passed on at once, so a layout B page without blank lines
 * streams in constant memory.
 */
const META_BLOCK_MAX_LINES = 32;

export interface PageLine {
  /** 1-based line number. */
  no: number;
  text: string;
  /** The line's bytes were not valid UTF-8. */
  bad?: boolean;
}

export interface PageReader {
  line(raw: PageLine, batch: SourceBatch): void;
  /** End of the page: the last paper, and the damaged lines no paper reported. */
  end(batch: SourceBatch): void;
}

/** Parses a page fed line by line: papers are emitted as soon as their metadata block has passed. */
export function hfPageReader(where: string, options: HfPageOptions = {}): PageReader {
  const now = options.now ?? new Date();
  const badLines = new Set<number>(options.badLines);
  const reportedBad = new Set<number>();
  let inHeader = true;
  let block: Line[] = [];
  let blockIsText = false;
  let title: Line | undefined;
  let abstract: Line | undefined;

  const emit = (batch: SourceBatch, meta: Line[]): void => {
    if (title && abstract) emitPaper(batch, where, title, abstract, meta, now, badLines, reportedBad);
    title = abstract = undefined;
  };
  const unit = (batch: SourceBatch, u: Unit): void => {
    if (u.kind === 'meta') {
      if (title && abstract) emit(batch, u.lines);
      else if (title) {
        batch.issues.push(issue(`${where}:${title.no}`, 'abstract is missing'));
        title = undefined;
      } else {
        batch.issues.push(issue(`${where}:${u.lines[0]!.no}`, 'metadata without a title and abstract before it'));
      }
      return;
    }
    if (title && abstract) emit(batch, []);
    if (!title) {
      if (u.line.text.length > TITLE_PLAUSIBLE_MAX) {
        batch.issues.push(
          issue(`${where}:${u.line.no}`, `expected a title but found ${u.line.text.length} characters of text (an abstract without its title?)`),
        );
      } else title = u.line;
    } else abstract = u.line;
  };
  const flush = (batch: SourceBatch): void => {
    if (block.length) {
      const meta = block.some((l) => l.text === SEPARATOR) || block.every((l) => isMetaLine(l.text));
      if (meta) unit(batch, { kind: 'meta', lines: block });
      else for (const line of block) unit(batch, { kind: 'text', line });
    }
    block = [];
    blockIsText = false;
  };

  return {
    line(raw, batch) {
      if (raw.bad) badLines.add(raw.no);
      let text = raw.text.trim();
      if (inHeader) {
        // Page chrome before the first paper; in layout B the first title is glued onto "Subscribe".
        if (text === '' || HEADER_LINE.some((re) => re.test(text))) return;
        inHeader = false;
        const glued = /^Subscribe(\S.*)$/.exec(text);
        if (glued) text = glued[1]!.trim();
      }
      const line = { no: raw.no, text };
      if (text === '') return flush(batch);
      if (blockIsText) return unit(batch, { kind: 'text', line });
      block.push(line);
      if (block.length > META_BLOCK_MAX_LINES && !block.some((l) => l.text === SEPARATOR)) {
        for (const held of block) unit(batch, { kind: 'text', line: held });
        block = [];
        blockIsText = true;
      }
    },
    end(batch) {
      flush(batch);
      if (title && abstract) emit(batch, []);
      else if (title) batch.issues.push(issue(`${where}:${title.no}`, 'abstract is missing'));
      title = abstract = undefined;
      for (const no of [...badLines].sort((a, b) => a - b)) {
        if (!reportedBad.has(no)) batch.issues.push(issue(`${where}:${no}`, 'invalid UTF-8 bytes; line ignored'));
      }
    },
  };
}

export function parseHfPage(text: string, where: string, options: HfPageOptions = {}): SourceBatch {
  const batch = emptyBatch();
  const reader = hfPageReader(where, options);
  text.split(/\r?\n/).forEach((t, i) => reader.line({ no: i + 1, text: t }, batch));
  reader.end(batch);
  return batch;
}

function isMetaLine(text: string): boolean {
  return text === SEPARATOR || AUTHORS_LINE.test(text) || DATE_LINE.test(text);
}

function emitPaper(
  batch: SourceBatch,
  where: string,
  title: Line,
  abstract: Line,
  meta: Line[],
  now: Date,
  badLines: ReadonlySet<number>,
  reportedBad: Set<number>,
): void {
  const itemWhere = `${where}:${title.no}`;
  const bad = [title, abstract, ...meta].map((l) => l.no).filter((no) => badLines.has(no));
  if (bad.length > 0) {
    bad.forEach((no) => reportedBad.add(no));
    batch.issues.push(issue(`${where}:${bad[0]}`, `invalid UTF-8 bytes on line ${bad.join(', ')}; paper skipped`));
    return;
  }
  const fields: Record<string, unknown> = {
    title: collapseSpaces(title.text),
    abstract: collapseSpaces(abstract.text),
    source: 'hf-page',
  };
  for (const line of meta) {
    const authors = AUTHORS_LINE.exec(line.text);
    const date = DATE_LINE.exec(line.text);
    if (authors) fields.authorCount = Number(authors[1]);
    else if (date) {
      const month = monthNumber(date[1]!)!;
      const day = Number(date[2]);
      const published = date[3] ? isoDate(Number(date[3]), month, day) : resolveYearless(month, day, now);
      if (!published) {
        batch.issues.push(issue(itemWhere, `line ${line.no}: "${line.text}" is not a valid date`));
        return;
      }
      fields.published = published;
      if (date[4] !== undefined) fields.upvotes = Number(date[4]);
    } else if (line.text !== SEPARATOR && fields.organization === undefined) {
      fields.organization = organizationName(line.text);
    }
  }
  addPaper(batch, fields, itemWhere);
}

/** The page shows the organization's handle (its avatar's alt text) and then its display name: "tencent Tencent". */
function organizationName(text: string): string {
  const space = text.indexOf(' ');
  return space > 0 ? text.slice(space + 1).trim() : text;
}
