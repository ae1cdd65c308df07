import { describe, expect, it } from 'vitest';
import type { EmbeddingProvider, SparseVector } from '../embeddings/provider.ts';
import type { ShardedIndex } from '../src/index/sharded-index.ts';
import type { Hit } from '../src/index/vector-index.ts';
import { embeddingText } from '../src/papers/normalize.ts';
import type { Paper } from '../src/papers/paper.ts';
import { createSearchService } from '../src/search/indexed-search.ts';
import type { PaperStore } from '../src/store/paper-store.ts';

const paper = (id: string, title: string): Paper => ({ id, title, abstract: `About ${title}.` }) as Paper;
const papers = [paper('a', 'Graph transformers'), paper('b', 'Diffusion samplers'), paper('c', 'Speech codecs')];
const byId = new Map(papers.map((p) => [p.id, p]));

const store = {
  getPapers: async (ids: string[]) => ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
  getCachedVectors: async () => new Map(),
  putCachedVectors: async () => {},
  // The query shares no word with any paper.
  searchLexical: async () => [],
} as unknown as PaperStore;

// Dense ranks a just ahead of b; the query shares no word with any paper, so BM25 is silent.
const denseHits: Hit[] = [
  { id: 'a', score: 0.9 },
  { id: 'b', score: 0.85 },
  { id: 'c', score: 0.1 },
];
const index = { search: () => denseHits } as unknown as ShardedIndex;

const QUERY = 'zyxquorp flembic';

function embedder(sparse?: (texts: string[]) => SparseVector[]): EmbeddingProvider {
  return {
    id: 'stub',
    model: 'stub',
    dimension: 2,
    key: 'stub:stub:2',
    embed: async (texts) => texts.map(() => Float32Array.of(1, 0)),
    ...(sparse ? { sparse } : {}),
  };
}

const search = (provider: EmbeddingProvider) =>
  createSearchService({ store, generation: () => ({ embedder: provider, index }), defaultMode: 'hybrid', lexicalWeight: 0.5, batchSize: 8 });

describe('hybrid search', () => {
  it('fuses the dense ranking alone when the embedder has no sparse vectors', async () => {
    const hits = await search(embedder()).searchText(QUERY, { k: 3 });
    expect(hits.map((h) => h.paper.id)).toEqual(['a', 'b', 'c']);
  });

  it("rescores the candidates by the embedder's sparse cosine to the query", async () => {
    const seen: string[][] = [];
    // Only b shares a term with the query.
    const sparse = (texts: string[]) => {
      seen.push(texts);
      return texts.map((t) => new Map([[t === QUERY || t === embeddingText(byId.get('b')!) ? 1 : 2, 1]]));
    };
    const hits = await search(embedder(sparse)).searchText(QUERY, { k: 3 });
    expect(hits.map((h) => h.paper.id)).toEqual(['b', 'a', 'c']);
    // The query first, then each candidate's embedding text.
    expect(seen).toEqual([[QUERY, ...papers.map(embeddingText)]]);
    // Scores stay cosines of the dense vectors, whatever the fused order.
    expect(hits[0]!.cosine).toBe(1);
  });
});
