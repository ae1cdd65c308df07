// The first queries after a start paid for what every later one finds ready: statements compiled,
// scoring code JIT-compiled, the embedder's lazily built tables, the store's and the index's pages
// in memory (at 300k papers the first query took 400-790 ms against about 40 for the rest). serve
// runs a few queries of each kind on the newest papers before it reports ready and before its
// start-up jobs, so no user query meets a cold process.
import type { Logger } from '../log.ts';
import type { App } from './app.ts';

/** Papers queried, each by id and by its title: a handful is enough to warm every path. */
const WARM_UP_PAPERS = 3;

/** Runs the warm-up queries; a failure is logged and never keeps the service from starting. */
export async function warmUp(app: Pick<App, 'store' | 'search'>, log: Logger): Promise<void> {
  const started = performance.now();
  try {
    const papers = await app.store.listPapers({ limit: WARM_UP_PAPERS });
    for (const p of papers) {
      await app.search.similar(p.id, { k: 10 });
      await app.search.searchText(p.title, { k: 10 });
    }
    log.info({ queries: papers.length * 2, ms: Math.round(performance.now() - started) }, 'query paths warmed up');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'warm-up query failed; serving anyway');
  }
}
