// BM25+ keyword search over titles and abstracts (minisearch), the lexical half of hybrid search.
// Built in memory from the store at start; nothing is persisted.
import MiniSearch from 'minisearch';
import type { PaperStore } from '../store/paper-store.ts';
import { byScoreThenId, type Hit } from './vector-index.ts';

export interface LexicalDoc {
  id: string;
  title: string;
  abstract: string;
}

export interface LexicalIndexOptions {
  /** How much more a title match counts than an abstract match. */
  titleBoost?: number;
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

/** Splits text into raw tokens: on whitespace and punctuation, but not inside joined names. */
export function tokenize(text: string): string[] {
  return text.split(SPLIT).filter((t) => t.length > 0);
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

export class LexicalIndex {
  private readonly search_: MiniSearch<LexicalDoc>;
  private readonly titleBoost: number;

  constructor(opts: LexicalIndexOptions = {}) {
    this.titleBoost = opts.titleBoost ?? 2;
    this.search_ = new MiniSearch<LexicalDoc>({
      fields: ['title', 'abstract'],
      storeFields: [],
      tokenize,
      processTerm,
    });
  }

  /** Builds an index over documents in one pass. */
  static build(docs: Iterable<LexicalDoc>, opts?: LexicalIndexOptions): LexicalIndex {
    const index = new LexicalIndex(opts);
    index.upsertMany(docs);
    return index;
  }

  /** Builds an index over every paper in the store, a page at a time, yielding between pages. */
  static async fromStore(store: PaperStore, opts: LexicalIndexOptions & { pageSize?: number } = {}): Promise<LexicalIndex> {
    const index = new LexicalIndex(opts);
    const pageSize = opts.pageSize ?? 2_000;
    for (let offset = 0; ; offset += pageSize) {
      const page = await store.listPapers({ limit: pageSize, offset });
      index.upsertMany(page);
      if (page.length < pageSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return index;
  }

  get size(): number {
    return this.search_.documentCount;
  }

  has(id: string): boolean {
    return this.search_.has(id);
  }

  /** Adds a paper, replacing an earlier version with the same id. */
  upsert(doc: LexicalDoc): void {
    if (this.search_.has(doc.id)) this.search_.discard(doc.id);
    this.search_.add({ id: doc.id, title: doc.title, abstract: doc.abstract });
  }

  upsertMany(docs: Iterable<LexicalDoc>): void {
    for (const doc of docs) this.upsert(doc);
  }

  /** Removes a paper; false when it was not indexed. */
  remove(id: string): boolean {
    if (!this.search_.has(id)) return false;
    this.search_.discard(id);
    return true;
  }

  /**
   * The k best papers for a keyword query by BM25+ (any query term may match; papers matching
   * more terms rank higher), best first, ties by id. `accept` filters before the top k is cut.
   */
  search(text: string, k: number, accept?: (id: string) => boolean): Hit[] {
    if (!(k >= 1)) return [];
    const results = this.search_.search(text, {
      boost: { title: this.titleBoost },
      ...(accept ? { filter: (r: { id: unknown }) => accept(r.id as string) } : {}),
    });
    return results
      .map((r) => ({ id: r.id as string, score: r.score }))
      .sort(byScoreThenId)
      .slice(0, Math.floor(k));
  }
}
