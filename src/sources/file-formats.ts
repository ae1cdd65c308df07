/**
 * The file formats, each a reader fed one line at a time: JSON Lines and the arXiv snapshot record
 * by record, a Hugging Face page copy paper by paper. Only a JSON array is held whole until the end
 * of the file (bounded in size), since an item of a pretty-printed array spans lines.
 */
import { addSnapshotLine, snapshotOrJsonl } from './arxiv-snapshot.ts';
import type { ArxivFilter } from './arxiv-filter.ts';
import { hfPageReader } from './hf-page.ts';
import { addRecord, parseJsonl } from './jsonl.ts';
import { MAX_LINE_BYTES, type FileLine } from './lines.ts';
import type { SourceBatch } from './source.ts';
import { issue, type ParseOptions } from './validate.ts';

export const FILE_FORMATS = ['auto', 'jsonl', 'arxiv-snapshot', 'hf-page'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FormatOptions {
  /** auto (the default): by extension, and for JSON files by the first record. */
  format?: FileFormat;
  filter?: ArxivFilter;
  /** Reference day for year-less dates on Hugging Face pages. */
  now?: Date;
  /** A JSON array (read whole) is skipped above this size. */
  maxWholeBytes?: number;
}

export interface LineReader {
  line(line: FileLine, batch: SourceBatch): void;
  end(batch: SourceBatch): void;
  /** Lines are held until the end of the file: a resume position cannot move past the file's start. */
  readonly holding: boolean;
  /** Valid records the filter left out. */
  readonly filtered: number;
}

const DEFAULT_MAX_WHOLE_BYTES = 100 * 1024 * 1024;

const BY_EXTENSION: Record<string, Exclude<FileFormat, 'auto'> | 'json'> = {
  '.txt': 'hf-page',
  '.jsonl': 'json',
  '.ndjson': 'json',
  '.json': 'json',
};

export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

/** The reader for one file, or undefined when its type is not supported (auto format only). */
export function lineReaderFor(extension: string, where: string, options: FormatOptions): LineReader | undefined {
  const format = options.format && options.format !== 'auto' ? options.format : BY_EXTENSION[extension.toLowerCase()];
  if (!format) return undefined;
  if (format === 'hf-page') return pageReader(where, options);
  return jsonReader(where, options, format === 'json' ? undefined : format);
}

function lineProblem(line: FileLine): string | undefined {
  if (line.tooLong) return `line is longer than ${MAX_LINE_BYTES} bytes; skipped`;
  if (line.bad) return 'invalid UTF-8 bytes; line skipped';
  return undefined;
}

/**
 * JSON Lines, the snapshot, or a JSON array. The first record decides what the format does not say:
 * "[" starts an array (read whole, as JSON Lines may be), snapshot fields make it the snapshot,
 * anything else JSON Lines.
 */
function jsonReader(where: string, options: FormatOptions, given: 'jsonl' | 'arxiv-snapshot' | undefined): LineReader {
  let mode: 'sniff' | 'jsonl' | 'arxiv-snapshot' | 'array' = given === 'arxiv-snapshot' ? given : 'sniff';
  let filtered = 0;
  const whole = wholeFileReader(where, options, (text, o) => parseJsonl(text, where, o));
  return {
    get holding() {
      return mode === 'array';
    },
    get filtered() {
      return filtered;
    },
    line(line, batch) {
      if (mode === 'array') return whole.line(line, batch);
      const problem = lineProblem(line);
      if (problem) return void batch.issues.push(issue(`${where}:${line.no}`, problem));
      const text = line.text.trim();
      if (text === '') return;
      if (mode === 'sniff') {
        if (text.startsWith('[')) mode = 'array';
        else {
          // A broken first record decides nothing (a resumed read may start on any line): report it, look at the next.
          const kind = snapshotOrJsonl(text);
          if (!kind) return void addRecord(batch, text, `${where}:${line.no}`);
          mode = given ?? kind;
        }
      }
      if (mode === 'array') return whole.line(line, batch);
      if (mode === 'jsonl') addRecord(batch, text, `${where}:${line.no}`);
      else if (!addSnapshotLine(batch, text, `${where}:${line.no}`, options.filter)) filtered++;
    },
    end(batch) {
      if (mode === 'array') whole.end(batch);
    },
  };
}

/** A page's state spans the file, so a resumed read starts the page again (pages are small). */
function pageReader(where: string, options: FormatOptions): LineReader {
  const page = hfPageReader(where, { now: options.now });
  return {
    holding: true,
    filtered: 0,
    line(line, batch) {
      if (line.tooLong) batch.issues.push(issue(`${where}:${line.no}`, lineProblem(line)!));
      else page.line(line, batch);
    },
    end: (batch) => page.end(batch),
  };
}

/** Holds a file's lines (bounded) and parses the whole text at its end. */
function wholeFileReader(
  where: string,
  options: FormatOptions,
  parse: (text: string, options: ParseOptions) => SourceBatch,
): LineReader {
  const maxBytes = options.maxWholeBytes ?? DEFAULT_MAX_WHOLE_BYTES;
  let lines: string[] = [];
  let badLines = new Set<number>();
  let bytes = 0;
  let over = false;
  return {
    holding: true,
    filtered: 0,
    line(line) {
      if (over) return;
      bytes = line.end;
      if (bytes > maxBytes || line.tooLong) {
        over = true;
        lines = [];
        badLines = new Set();
        return;
      }
      while (lines.length < line.no - 1) lines.push('');
      lines.push(line.text);
      if (line.bad) badLines.add(line.no);
    },
    end(batch) {
      if (over) {
        batch.issues.push(
          issue(where, `skipped: a JSON array is read whole and this file is over the ${maxBytes}-byte limit; write JSON Lines instead`),
        );
        return;
      }
      if (lines.length === 0) return;
      const parsed = parse(lines.join('\n'), { badLines });
      for (const p of parsed.papers) batch.papers.push(p);
      for (const i of parsed.issues) batch.issues.push(i);
      lines = [];
    },
  };
}
