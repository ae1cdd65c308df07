// Retrieval quality of the product's own search path, with no hand labels: every sample paper is
// stored as title + first half of its abstract, then searched for with the second half (and, as
// a second view, stored with the second half and searched with the first). Reported per search
// mode, so the default (PAPERFEED_SEARCH_MODE) is chosen by measurement.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { halfSplitTask, loadSampleCorpus, type RetrievalTask, type SamplePaper } from './retrieval-eval.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import type { SearchMode } from '../src/search/search-types.ts';
import { readFileSource } from '../src/sources/files.ts';
import { openBuiltinApp } from './builtin-app.ts';
import type { Bench, Figure } from './figures.ts';

/** Stores the task's documents in a fresh app, asks every query in every mode, scores the ranks. */
async function measure(papers: SamplePaper[], task: RetrievalTask, suffix: string): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'paperfeed-quality-'));
  const figures: Figure[] = [];
  try {
    const corpus = join(dir, 'halves.jsonl');
    const lines = papers.map((p, i) => {
      const [, half] = task.docs[i]!.split('\n\n');
      return JSON.stringify({ id: `q${i}`, title: p.title, abstract: half });
    });
    await writeFile(corpus, lines.join('\n'));
    const app = await openBuiltinApp(dir);
    try {
      await ingest(app, [readFileSource(corpus)]);
      // The store keys papers by its own canonical ids; find each one back by its title.
      const wanted = await Promise.all(papers.map(async (p) => (await app.store.findByTitle(p.title))?.id));
      for (const mode of ['dense', 'lexical', 'hybrid'] as SearchMode[]) {
        let r1 = 0;
        let r10 = 0;
        let mrr = 0;
        for (let i = 0; i < papers.length; i++) {
          const hits = await app.search.searchText(task.queries[i]!, { k: 10, mode });
          const rank = hits.findIndex((h) => h.paper.id === wanted[i]) + 1;
          if (rank === 1) r1++;
          if (rank >= 1) {
            r10++;
            mrr += 1 / rank;
          }
        }
        const n = papers.length;
        const fusion = mode === 'hybrid' ? `, dense + BM25 (weight ${app.config.PAPERFEED_HYBRID_LEXICAL_WEIGHT}) + sparse TF-IDF rescoring, relative score fusion` : '';
        const note = `${n} papers, ${app.embedder.id} embedder${fusion}`;
        figures.push(
          { bench: 'quality', metric: `${mode} recall@1${suffix}`, value: r1 / n, unit: '', note },
          { bench: 'quality', metric: `${mode} recall@10${suffix}`, value: r10 / n, unit: '' },
          { bench: 'quality', metric: `${mode} MRR@10${suffix}`, value: mrr / n, unit: '' },
        );
      }
    } finally {
      await app.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

const bench: Bench = async () => {
  const papers = loadSampleCorpus(fileURLToPath(new URL('../data/', import.meta.url)));
  return [
    ...(await measure(papers, halfSplitTask(papers), '')),
    ...(await measure(papers, halfSplitTask(papers, { reversed: true }), ' (reversed)')),
  ];
};

export default bench;
