import { dot, type EmbeddingProvider, sparseDot } from '../../embeddings/provider.ts';
import { relativeScoreFusion, type ScoredRanking } from '../index/fusion.ts';
import { byScoreThenId, type Hit } from '../index/vector-index.ts';
import { UserError } from '../errors.ts';
import { embeddingText } from '../papers/normalize.ts';
import type { Paper } from '../papers/paper.ts';
import type { Generation } from '../corpus/generation.ts';
import { embedPapers } from '../pipeline/embed.ts';
import { lookupPaper } from '../store/paper-lookup.ts';
import type { LexicalFilter, PaperStore } from '../store/paper-store.ts';
import type { QueryOptions, ResolvedQuery, SearchService } from './search-service.ts';
import type { ScoredPaper, SearchFilter, SearchMode } from './search-types.ts';

/** Longest query text taken as typed; more is cut (chat users paste whole abstracts). */
export const MAX_QUERY_CHARS = 2_000;
/** How deep each ranking goes before fusion: deep enough that fusion can lift a paper one list ranks low. */
const FUSION_DEPTH = 100;
/**
 * Hybrid rescores the top this many of the dense and of the BM25 ranking with the embedder's
 * sparse vectors (when it has them). Deeper changed nothing on bench/quality.bench.ts: the winner
 * is near the top of one list.
 */
const RESCORE_DEPTH = 20;
/**
 * Weight of the sparse rescoring in hybrid fusion (dense 1, BM25 deps.lexicalWeight). Exact
 * TF-IDF cosine alone beats the dense vector it is compressed into; dense 1 + sparse 2 + BM25 0.5
 * was best on bench/quality.bench.ts, both splits and four LSA seeds (recall@1 0.876 → 0.892,
 * reversed 0.915 → 0.922).
 */
const SPARSE_WEIGHT = 2;
/** Deepest a date- or source-filtered dense query asks the vector index (see nearestHits). */
const MAX_FILTER_DEPTH = 10_000;

export interface SearchDeps {
  store: PaperStore;
  /** The corpus's live generation: each query reads it once and uses its embedder with its index. */
  generation: () => Generation;
  defaultMode: SearchMode;
  /** Weight of the (rescaled) BM25 scores against the dense ones in hybrid fusion (bench/quality.bench.ts). */
  lexicalWeight: number;
  batchSize: number;
}

export function createSearchService(deps: SearchDeps): SearchService {
  const { store } = deps;

  /** What the store can check itself (pushed into its SQL), and the rest as a predicate on ids. */
  const splitFilter = (filter: SearchFilter | undefined) => {
    const excluded = [...(filter?.excludeIds ?? [])];
    const skip = new Set(excluded);
    const accept = filter?.accept;
    const lexical: LexicalFilter = {
      ...(filter?.since ? { since: filter.since } : {}),
      ...(filter?.source ? { source: filter.source } : {}),
      ...(excluded.length ? { excludeIds: excluded } : {}),
    };
    const idTest = skip.size || accept ? (id: string) => !skip.has(id) && (accept ? accept(id) : true) : undefined;
    return { lexical, idTest, byFacts: Boolean(filter?.since || filter?.source), accept };
  };

  const vectorsFor = async (gen: Generation, papers: Paper[]) =>
    (await embedPapers(store, gen.embedder, papers, { batchSize: deps.batchSize, cacheIfFree: true })).vectors;

  const embedText = async (gen: Generation, text: string): Promise<Float32Array> => {
    const [v] = await gen.embedder.embed([text.slice(0, MAX_QUERY_CHARS)]);
    return v!;
  };

  /**
   * Papers for hits, in hit order. `score` is what orders them (cosine for dense, BM25 for lexical,
   * the fused score for hybrid), so a shown score never contradicts the order; `cosine` is the
   * similarity to the query vector when there is one (ask's relevance floor reads it).
   */
  const materialize = async (gen: Generation, hits: Hit[], queryVector: Float32Array | undefined, scoreIsCosine: boolean) => {
    const papers = await store.getPapers(hits.map((h) => h.id));
    const byId = new Map(papers.map((p) => [p.id, p]));
    const present = hits.filter((h) => byId.has(h.id));
    const vectors = queryVector && !scoreIsCosine ? await vectorsFor(gen, present.map((h) => byId.get(h.id)!)) : undefined;
    return present.map((h): ScoredPaper => {
      const paper = byId.get(h.id)!;
      const v = vectors?.get(h.id);
      const cosine = scoreIsCosine ? h.score : v && queryVector ? dot(v, queryVector) : undefined;
      return { paper, score: h.score, ...(cosine !== undefined ? { cosine } : {}) };
    });
  };

  /**
   * The k nearest papers that pass the filter. A date or source filter is checked on the store's
   * facts for the candidates only (never a corpus-wide load): the index is asked ever deeper until
   * k pass, it is exhausted, or MAX_FILTER_DEPTH is reached (a filter passing fewer than about
   * k in MAX_FILTER_DEPTH papers may then return fewer than k; hybrid's BM25 half still finds them).
   */
  const nearestHits = async (gen: Generation, vector: Float32Array, k: number, filter: SearchFilter | undefined): Promise<Hit[]> => {
    const { idTest, byFacts, lexical } = splitFilter(filter);
    const search = (n: number) => gen.index.search(vector, n, idTest, { providerKey: gen.embedder.key });
    if (!byFacts) return search(k);
    for (let depth = Math.max(4 * k, FUSION_DEPTH); ; depth *= 4) {
      const n = Math.min(depth, MAX_FILTER_DEPTH);
      const hits = search(n);
      const facts = await store.paperFacts(hits.map((h) => h.id));
      const kept = hits.filter((h) => {
        const f = facts.get(h.id);
        return f !== undefined && (!lexical.since || f.date >= lexical.since) && (!lexical.source || f.sources.includes(lexical.source));
      });
      if (kept.length >= k || hits.length < n || n === MAX_FILTER_DEPTH) return kept.slice(0, k);
    }
  };

  /** Ranks by the chosen mode; each result's score is the one it is ordered by. */
  const rank = async (
    gen: Generation,
    vector: Float32Array | undefined,
    /** The query as text, for BM25 and the sparse rescoring; a paper's is its embedding text. */
    queryText: string,
    opts: QueryOptions,
    extraExclude?: string,
  ): Promise<ScoredPaper[]> => {
    const k = opts.k ?? 10;
    const mode = opts.mode ?? deps.defaultMode;
    const filter: SearchFilter = {
      ...opts.filter,
      excludeIds: [...(opts.filter?.excludeIds ?? []), ...(extraExclude ? [extraExclude] : [])],
    };
    const lexical = async (sole: boolean) => {
      const { lexical: pushed, accept } = splitFilter(filter);
      const hits = await store.searchLexical(queryText.slice(0, MAX_QUERY_CHARS), sole ? k : FUSION_DEPTH, sole ? { ...pushed, sole } : pushed);
      return accept ? hits.filter((h) => accept(h.id)) : hits;
    };
    if (mode === 'lexical' || !vector) return materialize(gen, await lexical(true), undefined, false);
    if (mode === 'dense') return materialize(gen, await nearestHits(gen, vector, k, filter), vector, true);
    const dense = await nearestHits(gen, vector, FUSION_DEPTH, filter);
    const keyword = await lexical(false);
    const rankings: ScoredRanking[] = [
      { hits: dense, weight: 1 },
      { hits: keyword, weight: deps.lexicalWeight, zero: 0 },
    ];
    const sparse = await sparseRescore(gen.embedder, queryText, [dense, keyword]);
    // A sparse cosine of 0 means no shared term at all.
    if (sparse) rankings.push({ hits: sparse, weight: SPARSE_WEIGHT, zero: 0 });
    return materialize(gen, relativeScoreFusion(rankings, { limit: k }), vector, false);
  };

  /** The top candidates of each ranking, scored by sparse cosine to the query; undefined when the embedder has no sparse vectors. */
  const sparseRescore = async (embedder: EmbeddingProvider, queryText: string, rankings: Hit[][]): Promise<Hit[] | undefined> => {
    if (!embedder.sparse) return undefined;
    const ids = [...new Set(rankings.flatMap((hits) => hits.slice(0, RESCORE_DEPTH).map((h) => h.id)))];
    const papers = await store.getPapers(ids);
    const [query, ...docs] = embedder.sparse([queryText.slice(0, MAX_QUERY_CHARS), ...papers.map(embeddingText)]);
    return papers
      .map((p, i) => ({ id: p.id, score: sparseDot(query!, docs[i]!) }))
      .sort(byScoreThenId);
  };

  const resolve = async (raw: string): Promise<ResolvedQuery> => {
    const query = raw.trim().slice(0, MAX_QUERY_CHARS);
    if (!query) throw new UserError('say what to find papers like: an arXiv id, a URL, a title or some words');
    const { paper, looksLikeId, arxivId } = await lookupPaper(store, query);
    if (paper) return { kind: 'paper', paper };
    if (arxivId) {
      throw new UserError(
        `arXiv paper ${arxivId} is not in the store yet; ingest it first (e.g. \`paperfeed ingest --source arxiv\`), or describe it in words`,
      );
    }
    if (looksLikeId) {
      throw new UserError(`'${query}' names no stored paper (paperfeed reads arXiv and Hugging Face papers links, and the DOIs its papers carry)`);
    }
    return { kind: 'text', text: query };
  };

  return {
    vectorsFor: (papers) => vectorsFor(deps.generation(), papers),
    embedText: (text) => embedText(deps.generation(), text),
    async nearest(vector, k, filter) {
      const gen = deps.generation();
      return materialize(gen, await nearestHits(gen, vector, k, filter), vector, true);
    },
    async similar(raw, opts = {}) {
      const gen = deps.generation();
      const query = await resolve(raw);
      if (query.kind === 'text') return { query, results: await rank(gen, await embedText(gen, query.text), query.text, opts) };
      const paper = query.paper;
      const vector = (await vectorsFor(gen, [paper])).get(paper.id);
      return { query, results: await rank(gen, vector, embeddingText(paper), opts, paper.id) };
    },
    async searchText(text, opts = {}) {
      const query = text.trim().slice(0, MAX_QUERY_CHARS);
      if (!query) throw new UserError('say what to search for');
      const gen = deps.generation();
      const mode = opts.mode ?? deps.defaultMode;
      return rank(gen, mode === 'lexical' ? undefined : await embedText(gen, query), query, opts);
    },
  };
}
