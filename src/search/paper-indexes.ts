import { LexicalIndex } from '../index/lexical-index.ts';
import type { Paper } from '../papers/paper.ts';
import type { PaperStore } from '../store/paper-store.ts';

/** What a query filter needs to know about a paper without a store round trip. */
export interface PaperFacts {
  /** Published date, else the day it was first seen (YYYY-MM-DD). */
  date: string;
  sources: readonly string[];
}

const factsOf = (p: Paper): PaperFacts => ({ date: p.published ?? p.firstSeen.slice(0, 10), sources: p.sources });

export interface Catalog {
  lexical: LexicalIndex;
  facts: Map<string, PaperFacts>;
}

async function forEachPaper(store: PaperStore, fn: (page: Paper[]) => void): Promise<void> {
  const pageSize = 2_000;
  for (let offset = 0; ; offset += pageSize) {
    const page = await store.listPapers({ limit: pageSize, offset });
    fn(page);
    if (page.length < pageSize) return;
  }
}

/**
 * The lexical index (BM25, in memory) and the per-paper facts query filters need, kept in step
 * with the store. The store is the truth: both are built from it on first use. (The vector index
 * and its embedder belong to the corpus owner, src/corpus/.)
 */
export class PaperIndexes {
  private catalog: Promise<Catalog> | undefined;

  constructor(private readonly deps: { store: PaperStore }) {}

  /**
   * The lexical index and the per-paper facts that query filters need. Built from the store on
   * first use, so commands that never search (ingest, picks, stats) do not pay for them.
   */
  loadCatalog(): Promise<Catalog> {
    this.catalog ??= (async () => {
      const lexical = new LexicalIndex();
      const facts = new Map<string, PaperFacts>();
      await forEachPaper(this.deps.store, (page) => {
        lexical.upsertMany(page);
        for (const p of page) facts.set(p.id, factsOf(p));
      });
      return { lexical, facts };
    })();
    return this.catalog;
  }

  /** After the store changed: the catalog, if built, follows (the changed ids are re-read). */
  async syncCatalogIfLoaded(changedIds: Set<string>): Promise<void> {
    if (this.catalog) await this.syncCatalog(await this.catalog, changedIds);
  }

  /** The lexical index and the facts follow the store's live set. */
  private async syncCatalog({ lexical, facts }: Catalog, changedIds: Set<string>): Promise<void> {
    const seen = new Set<string>();
    await forEachPaper(this.deps.store, (page) => {
      for (const p of page) {
        seen.add(p.id);
        if (changedIds.has(p.id) || !lexical.has(p.id)) lexical.upsert(p);
        facts.set(p.id, factsOf(p));
      }
    });
    for (const id of [...facts.keys()]) {
      if (!seen.has(id)) {
        facts.delete(id);
        lexical.remove(id);
      }
    }
  }
}
