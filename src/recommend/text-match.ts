import { lightStem } from '../../embeddings/text-features.ts';
import type { Paper } from '../papers/paper.ts';
import { normalizeTitle } from '../papers/ids.ts';
import type { KeywordMode } from './profile.ts';

/** Lowercase words without accents or punctuation: "Self-Supervised" matches "self supervised". */
export const normalizePhrase = normalizeTitle;

// The daily fan-out matches the same candidates against every profile: normalize each paper once.
const searchable = new WeakMap<object, string>();

/** Normalized words, each reduced by the built-in embedder's light stemmer ("LLMs" → "llm"). */
const stemmed = (text: string): string => normalizePhrase(text).split(' ').filter(Boolean).map(lightStem).join(' ');

/** A keyword ready for matching: as typed, and its stemmed words. */
export interface PhraseMatcher {
  phrase: string;
  stems: string;
}

/** Undefined for a phrase with no letters or digits. */
export function phraseMatcher(phrase: string): PhraseMatcher | undefined {
  const stems = stemmed(phrase);
  return stems === '' ? undefined : { phrase, stems };
}

/** Title and abstract as one normalized, stemmed, space-padded string, for whole-word phrase matching. */
export function searchableText(p: Pick<Paper, 'title' | 'abstract'>): string {
  let s = searchable.get(p);
  if (s === undefined) {
    s = ` ${stemmed(`${p.title} ${p.abstract}`)} `;
    searchable.set(p, s);
  }
  return s;
}

const authorNames = new WeakMap<object, string[]>();

/** A paper's author names, normalized once per paper object. */
export function normalizedAuthors(p: Pick<Paper, 'authors'>): string[] {
  let names = authorNames.get(p);
  if (names === undefined) {
    names = p.authors.map(normalizePhrase);
    authorNames.set(p, names);
  }
  return names;
}

/**
 * Whole-word match in searchableText output. Both sides are normalized and stemmed the same way,
 * so case, hyphens, plurals and simple inflections do not matter: "-LLM" excludes "LLMs",
 * "language model" matches "Language-Models".
 */
export function containsPhrase(text: string, m: PhraseMatcher): boolean {
  return text.includes(` ${m.stems} `);
}

/** "-survey" excludes, "+diffusion" requires, a bare phrase boosts. */
export function parseKeyword(raw: string): { phrase: string; mode: KeywordMode } {
  const s = raw.trim();
  if (s.startsWith('-')) return { phrase: s.slice(1).trim(), mode: 'exclude' };
  if (s.startsWith('+')) return { phrase: s.slice(1).trim(), mode: 'require' };
  return { phrase: s, mode: 'boost' };
}

export function keywordLabel(k: { phrase: string; mode: KeywordMode }): string {
  return k.mode === 'exclude' ? `-${k.phrase}` : k.mode === 'require' ? `+${k.phrase}` : k.phrase;
}

/** Author names compare without case, accents or punctuation ("Yann LeCun" = "yann lecun"). */
export function sameAuthor(a: string, b: string): boolean {
  return normalizePhrase(a) === normalizePhrase(b);
}
