// The lexical half of hybrid search: one term semantics shared by the stores' full-text indexes
// (SQLite FTS5, PostgreSQL tsvector). Documents and queries are both turned into terms here, in
// JS, and the stores index the resulting term strings with a plain whitespace tokenizer, so both
// backends (and every query) agree on what a term is.
//
// Ranking is BM25 as SQLite FTS5 computes it (k1 1.2, b 0.75, one length per document):
//   score(d) = Σ_t idf(t) · f(t,d)·(k1+1) / (f(t,d) + k1·(1 − b + b·|d|/avgdl))
//   idf(t)   = ln((N − n(t) + 0.5) / (n(t) + 0.5)), or 1e-6 when that is ≤ 0
// where f(t,d) counts a title occurrence TITLE_WEIGHT times and an abstract one once.

/** How much more a title occurrence counts than an abstract one. */
export const TITLE_WEIGHT = 2;
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/**
 * A query is run with its rarest distinct terms only: the cost of a BM25 OR-query is the length
 * of its terms' posting lists (their document frequencies), so terms are taken rarest first while
 * their document frequencies add up to at most QUERY_POSTINGS, but always MIN_QUERY_TERMS and
 * never more than MAX_QUERY_TERMS. A whole abstract as a query (`similar <id>`) then costs a few
 * short lists at any corpus size, while on a small corpus every term fits and nothing is lost.
 *
 * MAX_QUERY_POSTINGS is a hard ceiling that also bounds the minimum terms: a short query of
 * common words ("learning model") would otherwise score hundreds of thousands of postings at 1M
 * papers (over a second in FTS5). A term that common is in so many papers that it cannot pick
 * out a few, so it is dropped; a query made only of such terms has no lexical half (hybrid
 * search then ranks by the dense half alone).
 */
export const QUERY_POSTINGS = 5_000;
export const MAX_QUERY_POSTINGS = 20_000;
export const MIN_QUERY_TERMS = 4;
export const MAX_QUERY_TERMS = 64;

/** What a store's lexical search may be narrowed by (pushed into its SQL). */
export interface LexicalFilter {
  /** Published (or, when unknown, first seen) on or after this date, YYYY-MM-DD. */
  since?: string;
  source?: string;
  excludeIds?: readonly string[];
  /**
   * The lexical ranking is the query's only one (lexical mode, or no dense vector): its rarest
   * term is kept even past the postings ceiling, so a query of common words costs one long
   * posting list instead of answering nothing.
   */
  sole?: boolean;
}

// Characters that join the parts of one name ("GPT-4o", "LLaMA-2", "Qwen2.5", "C++"): kept
// inside a token, so the whole name is a term of its own, rarer and more telling than its parts.
const JOINERS = '\\-._+/';
const SPLIT = new RegExp(`[^\\p{L}\\p{N}\\p{M}${JOINERS}]+`, 'u');
const EDGE_JOINERS = new RegExp(`^[${JOINERS}]+|[${JOINERS}]+$`, 'g');
const INNER_JOINERS = new RegExp(`[${JOINERS}]+`);
const ALL_JOINERS = new RegExp(`[${JOINERS}]+`, 'g');

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can do does for from had has have how i if in into is it its ' +
    'may more most no not of on or our over so such than that the their then there these they this ' +
    'those through to under up via was we were what when where which while who will with within without ' +
    'would you your also both each other only same some very'
  ).split(' '),
);

// The same split for ASCII text (which has no marks), several times faster: every paper written
// is tokenized in the store's transaction.
const ASCII_SPLIT = new RegExp(`[^A-Za-z0-9${JOINERS}]+`);

/** Splits text into raw tokens: on whitespace and punctuation, but not inside joined names. */
export function tokenize(text: string): string[] {
  return text.split(NON_ASCII.test(text) ? SPLIT : ASCII_SPLIT).filter((t) => t.length > 0);
}

// Words follow a Zipf law, so most tokens repeat: remembering their terms saves most of the work
// when indexing a corpus. Cleared when full rather than evicted one by one: simple and bounded.
const termCache = new Map<string, string[] | null>();
const TERM_CACHE_SIZE = 200_000;

/**
 * One raw token to its index terms. A joined name yields the name, the name without joiners and
 * its parts: "GPT-4o" → gpt-4o, gpt4o, gpt, 4o; so "GPT-4o", "gpt4o" and "GPT 4o" all find it.
 * Plain words are lowercased, stop words dropped and plurals folded (the plural rules of
 * Porter's step 1a).
 */
export function processTerm(token: string): string[] | null {
  const cached = termCache.get(token);
  if (cached !== undefined) return cached;
  const terms = termsOf(token);
  if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
  if (terms) Object.freeze(terms);
  termCache.set(token, terms);
  return terms;
}

function termsOf(token: string): string[] | null {
  const terms = joinedTermsOf(token)?.filter((t) => t.length <= MAX_TERM_LENGTH);
  return terms?.length ? terms : null;
}

function joinedTermsOf(token: string): string[] | null {
  const ascii = !NON_ASCII.test(token);
  const term = (ascii ? token : token.normalize('NFKC')).toLowerCase().replace(EDGE_JOINERS, '');
  if (term.length === 0) return null;
  if (!INNER_JOINERS.test(term)) {
    if (STOPWORDS.has(term)) return null;
    return [stemPlural(term)];
  }
  const terms = new Set([term, term.replace(ALL_JOINERS, '')]);
  for (const part of term.split(INNER_JOINERS)) {
    if (part.length > 0 && !STOPWORDS.has(part)) terms.add(stemPlural(part));
  }
  return [...terms];
}

const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_WORD = /^[a-z]+$/;
const LETTERS = /^\p{L}+$/u;

function stemPlural(word: string): string {
  if (word.length <= 3 || !(ASCII_WORD.test(word) || LETTERS.test(word))) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * Longer terms (a pasted URL or path joined into one token) are dropped: no query needs them, and
 * PostgreSQL refuses lexemes over 2 KB, which would fail a whole batch.
 */
const MAX_TERM_LENGTH = 100;

/** Every term of a text in order, repeats kept (they are the term frequencies). */
export function textTerms(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text)) {
    const terms = processTerm(token);
    if (terms) for (let i = 0; i < terms.length; i++) out.push(terms[i]!);
  }
  return out;
}

/** A paper as the stores index it: term lists per field and the BM25 length. */
export interface LexicalDoc {
  title: string[];
  abstract: string[];
  /** Distinct terms of both fields: each adds one to its document frequency. */
  distinct: string[];
  length: number;
}

export function lexicalDoc(p: { title: string; abstract: string }): LexicalDoc {
  const title = textTerms(p.title);
  const abstract = textTerms(p.abstract);
  const distinct = new Set(title);
  for (const t of abstract) distinct.add(t);
  return { title, abstract, distinct: [...distinct], length: title.length + abstract.length };
}

/** BM25's idf, clamped as FTS5 clamps it: a term in more than half the documents still counts a little. */
export function idf(docs: number, df: number): number {
  const v = Math.log((docs - df + 0.5) / (df + 0.5));
  return v > 0 ? v : 1e-6;
}

/**
 * The terms a query is run with (see QUERY_POSTINGS and MAX_QUERY_POSTINGS, which `maxPostings`
 * replaces): its distinct terms that occur in the corpus, rarest first. Terms in at least half the
 * documents (idf clamped to almost nothing) are dropped unless nothing else is left: they cannot
 * change the order, only the cost.
 */
export function queryTerms(
  terms: readonly string[],
  df: ReadonlyMap<string, number>,
  docs: number,
  maxPostings = MAX_QUERY_POSTINGS,
  keepRarest = false,
): { term: string; idf: number }[] {
  const known = [...new Set(terms)]
    .map((term) => ({ term, df: df.get(term) ?? 0 }))
    .filter((t) => t.df > 0)
    .sort((a, b) => a.df - b.df || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  const telling = known.filter((t) => t.df * 2 < docs);
  const out: { term: string; idf: number }[] = [];
  let postings = 0;
  for (const t of telling.length > 0 ? telling : known) {
    postings += t.df;
    const overCeiling = postings > maxPostings && !(keepRarest && out.length === 0);
    if (out.length >= MAX_QUERY_TERMS || overCeiling || (out.length >= MIN_QUERY_TERMS && postings > QUERY_POSTINGS)) break;
    out.push({ term: t.term, idf: idf(docs, t.df) });
  }
  return out;
}

/** Adds one document's distinct terms to (sign 1) or takes them from (sign -1) a df delta. */
export function addDf(delta: Map<string, number>, doc: LexicalDoc, sign: 1 | -1): void {
  for (const t of doc.distinct) delta.set(t, (delta.get(t) ?? 0) + sign);
}
