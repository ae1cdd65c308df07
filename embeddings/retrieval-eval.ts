// Retrieval quality without hand labels: index each paper's title plus the first half of its
// abstract, query with the second half, and see where the paper itself lands. Used by the bench
// (figures per provider) and by the tests (a small slice of the sample corpus).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTitle } from '../src/papers/ids.ts';
import { dot } from './provider.ts';

export interface SamplePaper {
  title: string;
  abstract: string;
}

// Lines of the saved Daily Papers pages that are page furniture, not titles.
const FURNITURE = /^(new|subscribe|daily papers|byak and the research community|get trending papers in your email inbox.*|·|•.*|\d+ authors?|[a-z]{3} \d{1,2}(, \d{4})?)$/i;

/**
 * A quick reader for the sample pages in data/*.txt: an abstract is a long prose line, its title
 * the nearest non-furniture line above it. (The real ingestion parser lives in src/sources/.)
 */
export function parseSamplePage(text: string): SamplePaper[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/^Subscribe(?=\S)/, '').trim())
    .filter((l) => l.length > 0);
  const papers: SamplePaper[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length < 200 || !/[.!?] \S/.test(line)) continue;
    const title = lines[i - 1]!;
    if (FURNITURE.test(title) || title.length >= 300) continue;
    papers.push({ title, abstract: line });
  }
  return papers;
}

/** Every paper in `<dir>/*.txt`, deduplicated by normalized title (first copy wins). */
export function loadSampleCorpus(dir: string): SamplePaper[] {
  const seen = new Set<string>();
  const out: SamplePaper[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    for (const p of parseSamplePage(readFileSync(join(dir, file), 'utf8'))) {
      const key = normalizeTitle(p.title);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

export interface RetrievalTask {
  /** What gets indexed: title + first half of the abstract. */
  docs: string[];
  /** What is asked: the second half of the same abstract; queries[i] should find docs[i]. */
  queries: string[];
}

/** Splits each abstract at its middle word. */
export function halfSplitTask(papers: SamplePaper[]): RetrievalTask {
  const docs: string[] = [];
  const queries: string[] = [];
  for (const p of papers) {
    const words = p.abstract.split(/\s+/);
    const mid = Math.floor(words.length / 2);
    docs.push(`${p.title}\n\n${words.slice(0, mid).join(' ')}`);
    queries.push(words.slice(mid).join(' '));
  }
  return { docs, queries };
}

export interface RetrievalScores {
  recallAt1: number;
  recallAt10: number;
  mrrAt10: number;
  /** 1-based rank of each query's own document. */
  ranks: number[];
}

/**
 * Scores a ranking: `score(q, d)` is the similarity of query q to document d (higher is closer);
 * every document is scored, so this is exact search.
 */
export function scoreRetrieval(n: number, score: (q: number, d: number) => number): RetrievalScores {
  const ranks: number[] = [];
  for (let q = 0; q < n; q++) {
    const own = score(q, q);
    let rank = 1;
    for (let d = 0; d < n; d++) if (d !== q && score(q, d) > own) rank++;
    ranks.push(rank);
  }
  const mean = (f: (r: number) => number) => ranks.reduce((s, r) => s + f(r), 0) / Math.max(1, n);
  return {
    recallAt1: mean((r) => (r === 1 ? 1 : 0)),
    recallAt10: mean((r) => (r <= 10 ? 1 : 0)),
    mrrAt10: mean((r) => (r <= 10 ? 1 / r : 0)),
    ranks,
  };
}

/** Exact cosine retrieval over unit vectors. */
export function scoreDense(docs: Float32Array[], queries: Float32Array[]): RetrievalScores {
  return scoreRetrieval(docs.length, (q, d) => dot(queries[q]!, docs[d]!));
}
