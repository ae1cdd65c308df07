// Retrieval quality without hand labels: index each paper's title plus the first half of its
// abstract, query with the second half, and see where the paper itself lands. Used by the bench
// (figures per provider) and by the tests (a small slice of the sample corpus).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeTitle } from '../src/papers/ids.ts';
import { parseHfPage } from '../src/sources/hf-page.ts';
import { dot } from '../embeddings/provider.ts';

export interface SamplePaper {
  title: string;
  abstract: string;
}

/** Every paper in `<dir>/*.txt` (the ingestion parser), deduplicated by normalized title (first copy wins). */
export function loadSampleCorpus(dir: string): SamplePaper[] {
  const seen = new Set<string>();
  const out: SamplePaper[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const path = join(dir, file);
    for (const p of parseHfPage(readFileSync(path, 'utf8'), path).papers) {
      const key = normalizeTitle(p.title);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ title: p.title, abstract: p.abstract });
    }
  }
  return out;
}

export interface RetrievalTask {
  /** What gets indexed: title + first half of the abstract (second half when reversed). */
  docs: string[];
  /** What is asked: the other half of the same abstract; queries[i] should find docs[i]. */
  queries: string[];
}

/**
 * Splits each abstract at its middle word. `reversed` indexes the second half and asks with the
 * first: a second view of the same corpus, so that a change tuned to one split shows up as such.
 */
export function halfSplitTask(papers: SamplePaper[], opts: { reversed?: boolean } = {}): RetrievalTask {
  const docs: string[] = [];
  const queries: string[] = [];
  for (const p of papers) {
    const words = p.abstract.split(/\s+/);
    const mid = Math.floor(words.length / 2);
    const first = words.slice(0, mid).join(' ');
    const second = words.slice(mid).join(' ');
    docs.push(`${p.title}\n\n${opts.reversed ? second : first}`);
    queries.push(opts.reversed ? first : second);
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
