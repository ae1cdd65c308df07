/**
 * BibTeX (.bib from Zotero, Mendeley, Google Scholar, arXiv, hand-written): @string macros and
 * month names, `#` concatenation, nested braces, quoted values, @comment / @preamble and text
 * between entries. A bad entry is named (key and line) and skipped; an unclosed brace is found at
 * the next line that starts an entry, so one typo costs one entry, not the rest of the file.
 *
 * Hand-written rather than a dependency: the maintained npm parsers either pull in a natural-language
 * model and a LaTeX toolchain (@retorquere/bibtex-parser) or report no per-entry errors with lines.
 */
import { parseArxivId } from '../papers/ids.ts';
import { arxivIdOfDoi, normalizeDoi } from '../papers/doi.ts';
import { keepOrSkip, LIBRARY_LIMITS, lineIndex, type LibraryEntry, type ParsedLibrary } from './entry.ts';
import { latexToText } from './latex.ts';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const monthMacros = (): Map<string, string> => new Map(MONTHS.map((m) => [m.slice(0, 3), m[0]!.toUpperCase() + m.slice(1)]));

class EntryError extends Error {}

const ENTRY_START = /@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]/y;
const NAME = /[A-Za-z_][\w:.+/-]*/y;
const NUMBER = /\d+/y;

/** Scans one .bib text. Exported for the library parser (detect.ts) and tests. */
export function parseBibtex(text: string): ParsedLibrary {
  const out: ParsedLibrary = { format: 'bibtex', entries: [], skipped: [] };
  const lineOf = lineIndex(text);
  const macros = monthMacros();
  let i = 0;
  while (out.entries.length + out.skipped.length < LIBRARY_LIMITS.entries) {
    const at = text.indexOf('@', i);
    if (at < 0) break;
    const head = /@\s*([A-Za-z][\w-]*)\s*([{(])/y;
    head.lastIndex = at;
    const m = head.exec(text);
    // Text between entries (an e-mail address, a note) is a comment to BibTeX.
    if (!m) {
      i = at + 1;
      continue;
    }
    const type = m[1]!.toLowerCase();
    const close = m[2] === '{' ? '}' : ')';
    const s = new Scanner(text, head.lastIndex, lineOf, macros);
    let key: string | undefined;
    try {
      if (type === 'comment' || type === 'preamble') {
        i = m[2] === '{' ? s.skipGroup(at) : text.indexOf('\n', at) + 1 || text.length;
        continue;
      }
      if (type === 'string') {
        s.fields(close, (name, value) => macros.set(name, value));
        i = s.pos;
        continue;
      }
      key = s.key(close);
      const fields = new Map<string, string>();
      s.fields(close, (name, value) => fields.set(name, value));
      i = s.pos;
      keepOrSkip(key ? `entry ${key} (line ${lineOf(at)})` : `the @${type} entry at line ${lineOf(at)}`, entryOf(fields), out);
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      const where = key ? `entry ${key} (line ${lineOf(at)})` : `the @${type} entry at line ${lineOf(at)}`;
      out.skipped.push({ where, reason: err.message });
      i = nextEntryAfter(text, Math.max(at + 1, s.stop));
    }
  }
  const rest = text.indexOf('@', i);
  if (rest >= 0 && out.entries.length + out.skipped.length >= LIBRARY_LIMITS.entries) {
    out.skipped.push({ where: `line ${lineOf(rest)} onwards`, reason: `an import reads at most ${LIBRARY_LIMITS.entries} entries` });
  }
  return out;
}

/** The start of the first line after `from` that begins an entry (or the end of the text). */
function nextEntryAfter(text: string, from: number): number {
  const re = /\n[ \t]*@/g;
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index + 1 : text.length;
}

/** True when a line starting at `pos` opens a new entry: an unclosed brace has run into it. */
function startsEntry(text: string, pos: number): boolean {
  let p = pos;
  while (text[p] === ' ' || text[p] === '\t') p++;
  ENTRY_START.lastIndex = p;
  return ENTRY_START.test(text);
}

class Scanner {
  /** Where a failed entry's text ends, for resuming after it. */
  stop = 0;
  constructor(
    private readonly text: string,
    public pos: number,
    private readonly lineOf: (offset: number) => number,
    private readonly macros: Map<string, string>,
  ) {}

  private ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    this.stop = this.pos;
    throw new EntryError(message);
  }

  /** Skips a braced group that starts at or after `from`; returns the offset after it. */
  skipGroup(from: number): number {
    this.pos = this.text.indexOf('{', from) + 1;
    this.braced('the @comment');
    return this.pos;
  }

  key(close: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && !',\n'.includes(this.text[this.pos]!) && this.text[this.pos] !== close) this.pos++;
    const key = this.text.slice(start, this.pos).trim();
    if (this.text[this.pos] === ',') this.pos++;
    return key.slice(0, 200);
  }

  /** `name = value, ...` up to the closing delimiter. */
  fields(close: string, put: (name: string, value: string) => void): void {
    for (;;) {
      this.ws();
      if (this.pos >= this.text.length) this.fail(`it is not closed with '${close}' before the end of the file`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      NAME.lastIndex = this.pos;
      const name = NAME.exec(this.text)?.[0];
      if (!name) this.fail(`line ${this.lineOf(this.pos)}: expected a field name, found '${this.text.slice(this.pos, this.pos + 20).split('\n')[0]}'`);
      this.pos += name.length;
      this.ws();
      if (this.text[this.pos] !== '=') this.fail(`line ${this.lineOf(this.pos)}: expected '=' after field ${name}`);
      this.pos++;
      put(name.toLowerCase(), this.value(name));
      this.ws();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) {
        if (this.pos >= this.text.length) this.fail(`it is not closed with '${close}' before the end of the file`);
        this.fail(`line ${this.lineOf(this.pos)}: expected ',' or '${close}' after field ${name}`);
      }
    }
  }

  /** One value: parts joined with '#'. */
  private value(field: string): string {
    let out = '';
    for (;;) {
      this.ws();
      const c = this.text[this.pos];
      if (c === '{') {
        this.pos++;
        out += this.braced(`field ${field}`);
      } else if (c === '"') {
        this.pos++;
        out += this.quoted(field);
      } else {
        NUMBER.lastIndex = NAME.lastIndex = this.pos;
        const word = NUMBER.exec(this.text)?.[0] ?? NAME.exec(this.text)?.[0];
        if (!word) this.fail(`line ${this.lineOf(this.pos)}: field ${field} has no value`);
        this.pos += word.length;
        out += /^\d+$/.test(word) ? word : (this.macros.get(word.toLowerCase()) ?? '');
      }
      this.ws();
      if (this.text[this.pos] !== '#') return out;
      this.pos++;
    }
  }

  /** The text up to the brace that closes the one just read (nested braces kept). */
  private braced(what: string): string {
    const start = this.pos;
    const opened = this.lineOf(start - 1);
    let depth = 1;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === '\\' && (this.text[this.pos + 1] === '{' || this.text[this.pos + 1] === '}')) this.pos++;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return this.text.slice(start, this.pos++);
      else if (c === '\n' && startsEntry(this.text, this.pos + 1)) {
        this.fail(`unbalanced braces: ${what} opened at line ${opened} is not closed before the next entry at line ${this.lineOf(this.pos + 1)}`);
      }
    }
    return this.fail(`unbalanced braces: ${what} opened at line ${opened} is not closed before the end of the file`);
  }

  private quoted(field: string): string {
    const start = this.pos;
    const opened = this.lineOf(start - 1);
    let depth = 0;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === '\\') this.pos++;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (c === '"' && depth === 0) return this.text.slice(start, this.pos++);
      else if (c === '\n' && startsEntry(this.text, this.pos + 1)) break;
    }
    return this.fail(`field ${field}: the quote opened at line ${opened} is not closed`);
  }
}

/** Braces and backslash escapes out of an identifier-like field (DOI, URL, eprint): no LaTeX decoding. */
const raw = (s: string | undefined): string | undefined => s?.replace(/\\([&%$#_{}~])/g, '$1').replace(/[{}]/g, '').replace(/\s+/g, '').trim() || undefined;

const ARXIV_IN_TEXT = /arxiv[:\s]*(?:abs\/)?((?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?)/i;

function arxivOf(f: Map<string, string>, doi: string | undefined): string | undefined {
  const prefix = (f.get('archiveprefix') ?? f.get('eprinttype') ?? '').toLowerCase();
  const eprint = raw(f.get('eprint'));
  if (eprint && (prefix === '' || prefix.includes('arxiv'))) {
    const id = parseArxivId(eprint);
    if (id) return id;
  }
  for (const name of ['arxivid', 'arxiv', 'url']) {
    const v = raw(f.get(name));
    const id = v && parseArxivId(v);
    if (id) return id;
  }
  if (doi) {
    const id = arxivIdOfDoi(doi);
    if (id) return parseArxivId(id);
  }
  // Google Scholar writes "arXiv preprint arXiv:2401.12345" into journal.
  for (const name of ['journal', 'note', 'howpublished', 'booktitle']) {
    const m = ARXIV_IN_TEXT.exec(f.get(name) ?? '');
    if (m) return parseArxivId(m[1]!);
  }
  return undefined;
}

function entryOf(f: Map<string, string>): Omit<LibraryEntry, 'where'> {
  const doiField = raw(f.get('doi'));
  const doi = doiField ? normalizeDoi(doiField) : undefined;
  const latex = (name: string): string | undefined => (f.has(name) ? latexToText(f.get(name)!) : undefined);
  return { title: latex('title'), abstract: latex('abstract'), arxivId: arxivOf(f, doi), doi, url: raw(f.get('url')) };
}
