/**
 * Bytes of a library file (or a pasted list) → entries: the size and binary checks, then the
 * format from the content, with the file extension as a tie-breaker.
 */
import { UserError } from '../errors.ts';
import { parseBibtex } from './bibtex.ts';
import { parseCslJson } from './csl-json.ts';
import { LIBRARY_LIMITS, type LibraryFormat, type ParsedLibrary } from './entry.ts';
import { parseIdList } from './id-list.ts';
import { parseRis } from './ris.ts';

const PARSERS: Record<LibraryFormat, (text: string) => ParsedLibrary> = {
  bibtex: parseBibtex,
  'csl-json': parseCslJson,
  ris: parseRis,
  list: parseIdList,
};

const BY_EXTENSION: Record<string, LibraryFormat> = {
  bib: 'bibtex', bibtex: 'bibtex', json: 'csl-json', csl: 'csl-json', ris: 'ris', txt: 'list', list: 'list',
};

const MB = (n: number): string => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;

/** The limit, in words, for messages and help texts. */
export const SIZE_LIMIT_TEXT = MB(LIBRARY_LIMITS.bytes);

/** Refuses a file over the size limit before it is read or downloaded. */
export function checkLibrarySize(bytes: number, name: string): void {
  if (bytes > LIBRARY_LIMITS.bytes) {
    throw new UserError(`${name} is ${MB(bytes)}; a library file may be at most ${SIZE_LIMIT_TEXT} (export a smaller collection, or split it)`);
  }
}

// Signatures of what people attach by mistake.
const KNOWN_BINARY: [string, string][] = [
  ['%PDF', 'a PDF'],
  ['PK\u0003\u0004', 'a zip archive (a .docx or .xlsx too)'],
  ['SQLite format 3', 'an SQLite database (zotero.sqlite: export a collection instead)'],
  ['\u001f\u008b', 'a gzip archive'],
  ['\u0089PNG', 'a PNG image'],
];

/** UTF-8 text of a library file; a UserError for a binary or non-UTF-8 one. */
export function libraryText(bytes: Uint8Array, name: string): string {
  checkLibrarySize(bytes.length, name);
  const head = String.fromCharCode(...bytes.subarray(0, 16));
  const known = KNOWN_BINARY.find(([sig]) => head.startsWith(sig));
  if (known) throw new UserError(`${name} is ${known[1]}, not a library file: export BibTeX, CSL JSON or RIS, or paste a list of arXiv ids or DOIs`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${name} is binary or not UTF-8 text: export BibTeX, CSL JSON or RIS as UTF-8`);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new UserError(`${name} is binary (a NUL byte at offset ${nul}): export BibTeX, CSL JSON or RIS`);
  return text.replace(/^\uFEFF/, '');
}

/** The format a text is in: what its content says, else what its name says, else a list. */
export function detectFormat(text: string, name?: string): LibraryFormat {
  const start = text.trimStart();
  if (start.startsWith('[') || start.startsWith('{')) return 'csl-json';
  if (/^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]/m.test(text.slice(0, 200_000))) return 'bibtex';
  if (/^TY  - /m.test(text.slice(0, 200_000))) return 'ris';
  const ext = name?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return (ext && BY_EXTENSION[ext]) || 'list';
}

/** Parses a library file or pasted list; every bad entry named in `skipped`. */
export function parseLibrary(input: Uint8Array | string, name = 'the list'): ParsedLibrary {
  const text = typeof input === 'string' ? (checkLibrarySize(Buffer.byteLength(input), name), input) : libraryText(input, name);
  if (!text.trim()) throw new UserError(`${name} is empty`);
  return PARSERS[detectFormat(text, name)](text);
}
