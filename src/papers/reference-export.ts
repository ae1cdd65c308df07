/**
 * Stored papers as references for a reference manager: BibTeX (a stable key, every character that
 * is special to BibTeX/LaTeX escaped, so any text makes a valid entry) and CSL JSON as Zotero
 * imports it. JSON Lines (what `paperfeed export --jsonl` writes) is src/sources/jsonl.ts toJsonl.
 */
import type { Paper } from './paper.ts';

export const REFERENCE_FORMATS = ['bibtex', 'jsonl', 'csl'] as const;
export type ReferenceFormat = (typeof REFERENCE_FORMATS)[number];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/**
 * A field value safe inside `{...}`: LaTeX specials escaped (so braces always balance), control
 * characters and line breaks as spaces. Other Unicode stays as it is (biber and Zotero read UTF-8).
 */
export function bibtexEscape(s: string): string {
  return s
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .replace(/[\\{}&%$#_~^]/g, (c) => LATEX_SPECIALS[c]!);
}

/** Letters and digits only, accents dropped: "Müller-Lüdenscheidt" → "mullerludenscheidt". */
const keyPart = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

const STOP_WORDS = new Set(['a', 'an', 'the', 'on', 'of', 'for', 'to', 'in', 'and', 'with', 'from', 'towards', 'toward', 'via', 'is', 'are']);

/** The family name as a citation key uses it: the last word of "Given Family" or the part before "Family, Given". */
function familyName(author: string): string {
  const a = author.trim();
  if (a.includes(',')) return a.split(',')[0]!.trim();
  return a.split(/\s+/).at(-1) ?? a;
}

/** `vaswani2017attention`: first author's family name, year, first significant title word. Same paper, same key. */
export function bibtexKey(p: Pick<Paper, 'id' | 'title' | 'authors' | 'published'>): string {
  const author = keyPart(familyName(p.authors[0] ?? '')) || 'anon';
  const year = p.published?.slice(0, 4) ?? '';
  const word = p.title.split(/\s+/).map(keyPart).find((w) => w.length > 0 && !STOP_WORDS.has(w)) ?? '';
  return `${author}${year}${word}` || keyPart(p.id);
}

/** Keys unique within one file: a repeated key gets a, b, c... in the order of the papers' ids. */
function uniqueKeys(papers: readonly Paper[]): Map<string, string> {
  const groups = new Map<string, Paper[]>();
  for (const p of papers) {
    const k = bibtexKey(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const out = new Map<string, string>();
  for (const [k, group] of groups) {
    if (group.length === 1) out.set(group[0]!.id, k);
    else [...group].sort((a, b) => a.id.localeCompare(b.id)).forEach((p, i) => out.set(p.id, `${k}${suffix(i)}`));
  }
  return out;
}

const suffix = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : `${suffix(Math.floor(i / 26) - 1)}${String.fromCharCode(97 + (i % 26))}`);

/** "A and B and others"; a name that itself contains " and " is braced, so it stays one author. */
function bibtexAuthors(p: Pick<Paper, 'authors' | 'authorCount'>): string | undefined {
  if (p.authors.length === 0) return undefined;
  const names = p.authors.map((a) => {
    const e = bibtexEscape(a);
    return /\sand\s/i.test(e) ? `{${e}}` : e;
  });
  if ((p.authorCount ?? 0) > p.authors.length) names.push('others');
  return names.join(' and ');
}

function bibtexEntry(p: Paper, key: string): string {
  const fields: [string, string][] = [['title', `{${bibtexEscape(p.title)}}`]];
  const authors = bibtexAuthors(p);
  if (authors) fields.push(['author', `{${authors}}`]);
  if (p.published) {
    fields.push(['year', `{${p.published.slice(0, 4)}}`]);
    // A month macro, unbraced: styles print it in their own language.
    fields.push(['month', MONTHS[Number(p.published.slice(5, 7)) - 1]!]);
  }
  if (p.arxivId) {
    fields.push(['eprint', `{${bibtexEscape(p.arxivId)}}`], ['archiveprefix', '{arXiv}']);
    if (p.categories?.[0]) fields.push(['primaryclass', `{${bibtexEscape(p.categories[0])}}`]);
  }
  if (p.absUrl) fields.push(['url', `{${bibtexEscape(p.absUrl)}}`]);
  if (p.abstract) fields.push(['abstract', `{${bibtexEscape(p.abstract)}}`]);
  return `@misc{${key},\n${fields.map(([k, v]) => `  ${k} = ${v}`).join(',\n')}\n}\n`;
}

export function toBibtex(papers: readonly Paper[]): string {
  const keys = uniqueKeys(papers);
  return papers.map((p) => bibtexEntry(p, keys.get(p.id)!)).join('\n');
}

/** A CSL name: "Given Family" split at the last space; a one-word name stays whole. */
function cslName(author: string): { family: string; given?: string } | { literal: string } {
  const a = author.replace(/\s+/g, ' ').trim();
  if (a.includes(',')) {
    const [family, ...given] = a.split(',');
    return { family: family!.trim(), given: given.join(',').trim() };
  }
  const i = a.lastIndexOf(' ');
  return i < 0 ? { literal: a } : { family: a.slice(i + 1), given: a.slice(0, i) };
}

export interface CslItem {
  id: string;
  type: 'article';
  title: string;
  author?: ({ family: string; given?: string } | { literal: string })[];
  issued?: { 'date-parts': number[][] };
  abstract?: string;
  URL?: string;
  number?: string;
  publisher?: string;
  'citation-key': string;
}

/** CSL JSON items. Zotero imports `article` as a preprint; an arXiv paper carries its id as the number. */
export function toCslItems(papers: readonly Paper[]): CslItem[] {
  const keys = uniqueKeys(papers);
  return papers.map((p) => ({
    id: keys.get(p.id)!,
    type: 'article',
    title: p.title,
    ...(p.authors.length ? { author: p.authors.map(cslName) } : {}),
    ...(p.published ? { issued: { 'date-parts': [p.published.split('-').map(Number)] } } : {}),
    ...(p.abstract ? { abstract: p.abstract } : {}),
    ...(p.absUrl ? { URL: p.absUrl } : {}),
    ...(p.arxivId ? { number: `arXiv:${p.arxivId}`, publisher: 'arXiv' } : {}),
    'citation-key': keys.get(p.id)!,
  }));
}

export function toCslJson(papers: readonly Paper[]): string {
  return `${JSON.stringify(toCslItems(papers), null, 2)}\n`;
}
