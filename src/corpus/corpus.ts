// The owner of the corpus lifecycle: which embedder, the vector index built with it, keeping both
// in step with the store, and replacing both at once. Queries read `current()` once and use that
// generation throughout. A refit of the built-in embedder or a reindex builds a whole new
// generation beside the live one (its own directory, its own embedder) while the live one keeps
// serving and taking changes; the changes applied meanwhile are replayed on the new one, which then
// replaces the live one in a single assignment. Every change to the live index goes through one
// queue, so a save never meets a write. A generation another process swapped in (a CLI
// `reindex` beside serve) is taken up the same way on the next change or follow, never written over.
// One process at a time builds for a data dir (build-lock.ts); a refit due while another builds is
// left to it.
import { rm } from 'node:fs/promises';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import type { Config } from '../config/config.ts';
import { createShardedIndex, IndexReplacedError, loadShardedIndex, savedGeneration } from '../index/sharded-index.ts';
import type { Logger } from '../log.ts';
import type { Progress } from '../pipeline/embed.ts';
import type { PaperStore } from '../store/paper-store.ts';
import {
  builtinOutgrownCheck,
  type EmbedderCandidate,
  openingEmbedder,
  refitBuiltin,
  reindexEmbedder,
} from './embedder-choice.ts';
import { buildLock } from './build-lock.ts';
import { applyChanges, buildGeneration, type CorpusChanges, type Generation, type IndexSettings, reconcile } from './generation.ts';
import { indexDir, ProviderMismatchError, stagingDir, swapIndexDirs } from './index-files.ts';

export type { CorpusChanges, Generation } from './generation.ts';

export interface CorpusStatus {
  /** The generation queries use. */
  generation: { provider: string; vectors: number };
  /**
   * A generation being built beside it, if any: queries keep using the current one meanwhile.
   * `elsewhere`: another process builds it (a CLI ingest), and this one takes it up once it is live.
   */
  rebuilding?: { reason: 'start' | 'refit' | 'reindex'; since: string; elsewhere?: true };
  /** Another process replaced the index on disk with a generation this one cannot load: why. */
  replaced?: string;
}

/** What one applyChanges or sync did, in counts. */
export interface SyncResult {
  /** Papers whose text had to be embedded. */
  embedded: number;
  /** Vectors added or replaced in the live index, and papers taken out of it. */
  indexed: number;
  removed: number;
  /** Shards written by the save that followed (shards the change did not touch are not). */
  shardsSaved: number;
  /** A new generation this change started building (the built-in embedder outgrew its fit). */
  rebuild?: Promise<{ embedded: number }>;
}

export interface Corpus {
  /** The live generation: read it once per query. */
  current(): Generation;
  /** Brings the live generation in step with these changed ids only (ingest passes its upsert results). */
  applyChanges(changes: CorpusChanges, opts?: { onProgress?: Progress }): Promise<SyncResult>;
  /** Brings the live generation in step with the store when its checksum moved (another process wrote). */
  follow(opts?: { onProgress?: Progress }): Promise<SyncResult>;
  /** Builds a new generation with the configured provider (a fresh built-in fit) and swaps it in. */
  reindex(): Promise<{ papers: number; embedded: number; provider: string }>;
  status(): CorpusStatus;
  /** Abandons a generation being built (callers that need it await it first), then closes the embedders. */
  close(): Promise<void>;
}

/** How a process uses the vector index (CorpusDeps.indexAccess). */
export type IndexAccess = 'load' | 'write-only' | 'one-query';

export interface CorpusDeps {
  config: Config;
  store: PaperStore;
  log: Logger;
  /** Opened by `paperfeed reindex`: an index of another provider is left for reindex to replace. */
  forReindex?: boolean;
  /**
   * How this process uses the vector index. 'load' (the default): every shard's graph in memory.
   * 'write-only' (a CLI ingest): graphs are read only when a write touches them, so a day's ingest
   * does not read the whole corpus. 'one-query' (the CLI's `similar` and `search`): the saved index
   * is searched in its files instead of loaded, and cannot be changed (loadHnswIndex `fromFile`).
   */
  indexAccess?: IndexAccess;
}

export async function openCorpus(deps: CorpusDeps): Promise<Corpus> {
  const { config, store, log } = deps;
  const settings: IndexSettings = {
    params: {
      m: config.PAPERFEED_HNSW_M,
      efConstruction: config.PAPERFEED_HNSW_EF_CONSTRUCTION,
      efSearch: config.PAPERFEED_HNSW_EF_SEARCH,
    },
    shards: config.PAPERFEED_HNSW_SHARDS,
    batchSize: config.PAPERFEED_EMBED_BATCH,
  };
  const live = indexDir(config.dataDir);
  const staging = stagingDir(config.dataDir);
  const fits = builtinOutgrownCheck(store);
  const builds = buildLock(config.dataDir, config.PAPERFEED_LOCK_TTL_MS, log);

  // The stored fit, however much the corpus has outgrown it: the saved index was built with it, so
  // a start serves that index at once and a refit builds the next generation beside it. Refitting
  // here made a start build the whole index before its first answer (minutes at 1M), and, beside
  // a CLI ingest, replaced the stored fit under the builder with one of a half-written corpus.
  // An open for one query changes nothing: no download, and so no count of the papers (150 ms at 1M).
  // The first outgrown check then need not read megabytes of stored fit on the event loop.
  const oneQuery = deps.indexAccess === 'one-query';
  const mayDownload = !oneQuery && (deps.forReindex === true || (await store.count()) === 0);
  const openEmbedder = async (): Promise<EmbeddingProvider> => {
    let fitSize: number | undefined;
    const embedder = await openingEmbedder(config, store, log, mayDownload, (n) => (fitSize = n));
    fits.remember({ embedder, fitSize });
    return embedder;
  };
  let opened = await openEmbedder();
  const retired: EmbeddingProvider[] = [];

  let queue: Promise<unknown> = Promise.resolve();
  /** Runs fn after every change queued before it: the live index has one writer at a time. */
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };

  interface Rebuild {
    reason: 'start' | 'refit' | 'reindex';
    since: string;
    /** Changes applied to the live generation while this one is built: replayed on it before the swap. */
    pending: { upserted: Set<string>; removed: Set<string> };
    done: Promise<{ embedded: number }>;
  }
  let rebuilding: Rebuild | undefined;
  /** Since when a refit was due while another process held the build lock. */
  let builtElsewhere: string | undefined;
  // close() abandons a generation being built (the next build removes its directory).
  const closing = new AbortController();

  /** A warning for a CLI ingest, which logs warnings only and ends without the index it would have built. */
  const tellLeftToOther = (): void => {
    if (deps.indexAccess === 'write-only') log.warn('the corpus outgrew its built-in fit, and another process is building a new generation of the index: it, or the next ingest or serve, brings these papers into the index');
    else log.info('the corpus outgrew its built-in fit, and another process is building a new generation: this one takes that up when it is live');
  };

  /**
   * Builds a generation for the candidate's embedder beside the live one, then swaps it in. A
   * refit is given up when another process holds the build lock, or has swapped in a generation
   * this one has not taken up yet (its next change or follow does); a start or reindex waits.
   */
  const rebuild = (reason: Rebuild['reason'], candidate: () => Promise<EmbedderCandidate>): Promise<{ embedded: number }> => {
    if (rebuilding) return rebuilding.done;
    const job: Rebuild = { reason, since: new Date().toISOString(), pending: { upserted: new Set(), removed: new Set() }, done: Promise.resolve({ embedded: 0 }) };
    job.done = (async () => {
      if (reason !== 'refit') await builds.hold(closing.signal);
      else if (!(await builds.tryHold())) {
        if (!builtElsewhere) tellLeftToOther();
        builtElsewhere ??= job.since;
        return { embedded: 0 };
      }
      try {
        if (reason === 'refit' && (await swappedInElsewhere())) return { embedded: 0 };
        builtElsewhere = undefined;
        return await build(job, candidate);
      } finally {
        await builds.release();
      }
    })().finally(() => {
      if (rebuilding === job) rebuilding = undefined;
    });
    rebuilding = job;
    return job.done;
  };

  const build = async (job: Rebuild, candidate: () => Promise<EmbedderCandidate>): Promise<{ embedded: number }> => {
    const { reason } = job;
    log.info({ reason }, 'building a new corpus generation beside the live one');
    // Left by a run that stopped mid-build; nobody else builds while this process holds the lock.
    await rm(staging, { recursive: true, force: true });
    const chosen = await candidate();
    const { embedder, commit } = chosen;
    const built = await buildGeneration(store, embedder, staging, settings, log, { signal: closing.signal });
    await serially(async () => {
      closing.signal.throwIfAborted();
      const next = built.generation;
      const replay = { upserted: [...job.pending.upserted], removed: [...job.pending.removed] };
      await applyChanges(store, next, replay, { batchSize: settings.batchSize });
      // In step when the live generation was: everything applied to it was replayed here.
      const checksum = await store.corpusChecksum();
      if (gen && gen.index.info().corpusChecksum === checksum) next.index.setCorpusChecksum(checksum);
      await next.index.save();
      await commit();
      fits.remember(chosen);
      await swapIndexDirs(staging, live);
      next.index.relocate(live);
      if (gen && gen.embedder !== next.embedder) retired.push(gen.embedder);
      gen = next;
      log.info({ reason, provider: embedder.key, vectors: next.index.info().count, replayed: replay.upserted.length + replay.removed.length }, 'new corpus generation is live');
    });
    // Vectors of superseded fits and providers, and of texts no paper has any more, are dead
    // weight. The new generation is live whether or not they go: a prune that fails (a lock
    // another session holds) leaves them to the next rebuild's, and fails nothing.
    const pruned = await store.pruneVectors([embedder.key]).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'could not drop cached vectors the live generation no longer uses; the next rebuild tries again');
      return 0;
    });
    if (pruned > 0) log.info({ pruned }, 'dropped cached vectors the live generation no longer uses');
    return { embedded: built.embedded };
  };

  /** Starts a refit in the background when the built-in embedder has outgrown its fit. */
  const refitIfOutgrown = async (): Promise<Pick<SyncResult, 'rebuild'>> => {
    if (rebuilding || !(await fits.outgrown(gen!.embedder))) return {};
    const done = rebuild('refit', () => refitBuiltin(store, closing.signal));
    done.catch((err: unknown) => {
      if (closing.signal.aborted) log.info('refit abandoned at shutdown; the next start refits');
      else log.error({ err: (err as Error).message }, 'refitting the built-in embedder failed; the current generation keeps serving');
    });
    return { rebuild: done };
  };

  /**
   * When the live fit is already outgrown (a first bulk load), changes are left to the new
   * generation, which reads the store after they were made: embedding them with a fit about to be
   * replaced would double the work. The live generation keeps serving what it has meanwhile.
   */
  const leftToRefit = async (): Promise<SyncResult | undefined> => {
    if (rebuilding?.reason !== 'refit' && !(await fits.outgrown(current().embedder))) return undefined;
    const started = await refitIfOutgrown();
    return { embedded: 0, indexed: 0, removed: 0, shardsSaved: 0, rebuild: started.rebuild ?? rebuilding!.done };
  };

  /** Set when the index on disk is a generation this process cannot load (it then writes no index). */
  let replaced: { generation: string | undefined; why: string } | undefined;
  /** The index directory holds a generation from another process that this one has not taken up. */
  const swappedInElsewhere = async (): Promise<boolean> => {
    const onDisk = await savedGeneration(live);
    return onDisk !== undefined && onDisk.generation !== current().index.generation && onDisk.generation !== replaced?.generation;
  };
  /**
   * Takes up a generation another process swapped into the index directory (a CLI `reindex`): it
   * is loaded beside the live one and replaces it, then compared with the store, since it was
   * built from an earlier snapshot. Undefined when the directory still holds the live generation,
   * or holds one of another provider than this process embeds with: this process then keeps
   * serving the one it has and no longer saves it (saves refuse), until it is restarted.
   */
  const adoptReplaced = async (opts: { onProgress?: Progress }): Promise<SyncResult | undefined> => {
    const onDisk = await savedGeneration(live);
    const was = current();
    if (!onDisk || onDisk.generation === was.index.generation || (replaced && replaced.generation === onDisk.generation)) return undefined;
    let fitSize: number | undefined;
    // A reindex with the built-in provider stored a fresh fit: the embedder of the new index.
    const embedder = onDisk.providerKey === was.embedder.key ? was.embedder : await openingEmbedder(config, store, log, false, (n) => (fitSize = n));
    const loaded = embedder.key === onDisk.providerKey ? await loadLive(embedder, true) : undefined;
    if (!loaded?.ok) {
      if (embedder !== was.embedder) await embedder.close?.();
      const why = loaded ? loaded.message : `it was built with ${onDisk.providerKey}; this process embeds with ${embedder.key}`;
      replaced = { generation: onDisk.generation, why };
      log.warn({ dir: live, why }, 'another process replaced the vector index; this process keeps serving its own from memory and no longer saves it (restart it to use the new one)');
      return undefined;
    }
    fits.remember({ embedder, fitSize });
    if (embedder !== was.embedder) retired.push(was.embedder);
    gen = { embedder, index: loaded.index };
    replaced = undefined;
    builtElsewhere = undefined;
    log.info({ provider: embedder.key, vectors: loaded.index.info().count }, 'took up the corpus generation another process swapped in');
    return reconcileNow(opts);
  };

  /** The live generation took changes: record the checksum, save what changed. */
  const afterChange = async (checksum: string, counts: Omit<SyncResult, 'shardsSaved' | 'rebuild'>): Promise<SyncResult> => {
    const index = gen!.index;
    index.setCorpusChecksum(checksum);
    const before = index.saves.shardWrites;
    try {
      await index.save();
    } catch (err) {
      if (!(err instanceof IndexReplacedError)) throw err;
      // Swapped in by another process since this change began: that generation takes the change instead.
      return (await adoptReplaced({})) ?? { ...counts, shardsSaved: 0 };
    }
    return { ...counts, shardsSaved: index.saves.shardWrites - before, ...(await refitIfOutgrown()) };
  };

  /** Compares the whole store with the live generation (nothing to do when the checksum did not move). */
  const reconcileNow = async (opts: { onProgress?: Progress }): Promise<SyncResult> => {
    const checksum = await store.corpusChecksum();
    if (current().index.info().corpusChecksum === checksum) return { embedded: 0, indexed: 0, removed: 0, shardsSaved: 0 };
    const deferred = await leftToRefit();
    if (deferred) return deferred;
    const { changedIds, ...counts } = await reconcile(store, current(), { batchSize: settings.batchSize, ...opts });
    // A rebuild under way started from an older snapshot: replay what this pass found on it too.
    for (const id of changedIds) rebuilding?.pending.upserted.add(id);
    return afterChange(checksum, counts);
  };

  /** A generation being built started from an older snapshot: these changes are replayed on it before the swap. */
  const keepForRebuild = (changes: CorpusChanges): void => {
    for (const id of changes.upserted) rebuilding?.pending.upserted.add(id);
    for (const id of changes.removed) rebuilding?.pending.removed.add(id);
  };

  const applyNow = async (changes: CorpusChanges, opts: { onProgress?: Progress }): Promise<SyncResult> => {
    const adopted = await adoptReplaced(opts);
    if (adopted) return adopted;
    const deferred = await leftToRefit();
    if (deferred) return deferred;
    const checksum = await store.corpusChecksum();
    const counts = await applyChanges(store, current(), changes, { batchSize: settings.batchSize, ...opts });
    return afterChange(checksum, counts);
  };

  /** Where this process has read the store's change feed to; undefined until the first follow. */
  let feedCursor: string | undefined;
  /**
   * Catches up with what other processes wrote. The first call compares the whole store once (the
   * feed keeps only each id's last change, so it cannot replay history); after that only the ids
   * the feed names are touched, in bounded pages. When the index is already in step (this
   * process's own ingest), the feed is skipped to its head instead of re-applying those ids. The
   * head is read before the checksum, so a change made in between is applied again next time
   * rather than missed (applying is idempotent).
   */
  const followNow = async (opts: { onProgress?: Progress }): Promise<SyncResult> => {
    const head = (await store.changesSince(undefined)).cursor;
    const adopted = await adoptReplaced(opts);
    // A refit left to another process that has since stopped without one is tried here again.
    const deferred = adopted ?? (builtElsewhere ? await leftToRefit() : undefined);
    if (deferred) {
      feedCursor = head;
      return deferred;
    }
    if (feedCursor === undefined || current().index.info().corpusChecksum === (await store.corpusChecksum())) {
      const result = await reconcileNow(opts);
      feedCursor = head;
      return result;
    }
    const total: SyncResult = { embedded: 0, indexed: 0, removed: 0, shardsSaved: 0 };
    for (;;) {
      const page = await store.changesSince(feedCursor);
      if (page.upserted.length === 0 && page.removed.length === 0) return total;
      keepForRebuild(page);
      const r = await applyNow(page, opts);
      feedCursor = page.cursor;
      total.embedded += r.embedded;
      total.indexed += r.indexed;
      total.removed += r.removed;
      total.shardsSaved += r.shardsSaved;
      if (r.rebuild) total.rebuild = r.rebuild;
    }
  };

  // The saved index, checked against the store; anything else is built now, before the first query.
  const current = (): Generation => gen!;
  /** `beside`: a generation is serving meanwhile, so its graphs are read one at a time (loadShardedIndex). */
  const loadLive = (embedder: EmbeddingProvider, beside = false) =>
    loadShardedIndex(
      live,
      { providerKey: embedder.key, dimension: embedder.dimension },
      { efSearch: settings.params.efSearch, deferGraph: deps.indexAccess === 'write-only', fromFile: oneQuery, oneAtATime: beside },
    );
  /** The saved index when it can serve; undefined when a generation must be built first. */
  const loadOpening = async (): Promise<Generation | undefined> => {
    const loaded = await loadLive(opened);
    // An index behind the store is still a whole snapshot, saved with the checksum it is in step
    // with: it serves, and the first sync or follow brings it in step, touching only what it lacks.
    // Another process wrote since (a CLI ingest, serve's own ingest of a day, another replica), or
    // a run stopped between storing and indexing. Rebuilding for that redid the whole corpus
    // before the first answer (84 s at 100k), even for a one-shot `similar`.
    if (loaded.ok) return { embedder: opened, index: loaded.index };
    if (loaded.reason === 'provider-mismatch') {
      // Vectors of an older fit of our own built-in provider are ours to replace; vectors of another
      // provider are the user's choice to replace, with `paperfeed reindex`.
      if (opened.id !== 'builtin' && !deps.forReindex) throw new ProviderMismatchError(loaded.message);
      log.info({ from: loaded.indexProvider, to: loaded.expectedProvider }, 'rebuilding the vector index for the current embedder');
    } else if (loaded.reason === 'missing') {
      if ((await store.count()) > 0) log.info({ dir: live }, 'no vector index yet; building it from the store');
    } else {
      log.warn({ reason: loaded.reason }, `${loaded.message}; rebuilding it from the store`);
    }
    return undefined;
  };
  let gen = await loadOpening();
  // `reindex` builds the one generation it needs: until then an empty index stands in.
  if (!gen && deps.forReindex) gen = { embedder: opened, index: createShardedIndex({ dir: live, providerKey: opened.key, dimension: opened.dimension, shards: 1, ...settings.params }) };
  if (!gen) {
    // Another process building the first generation: it is loaded rather than built twice.
    const waited = !(await builds.tryHold());
    if (waited) await builds.hold(closing.signal);
    try {
      if (waited) {
        // Its generation may come with a new fit, stored with it: open the embedder again to load that.
        await opened.close?.();
        opened = await openEmbedder();
        gen = await loadOpening();
      }
      // Built now anyway: with a fresh fit if the stored one is outgrown, rather than twice.
      if (!gen) await rebuild('start', async () => ((await fits.outgrown(opened)) ? refitBuiltin(store, closing.signal) : { embedder: opened, commit: async () => {} }));
      if (gen && gen.embedder !== opened) retired.push(opened);
    } finally {
      await builds.release();
    }
  }

  // A CLI ingest claims the next build for its run (see build-lock.ts); when serve is building, it leaves it to serve.
  const claimedForRun = deps.indexAccess === 'write-only' && (await builds.tryHold());
  // A serving process refits an outgrown fit beside the generation it serves; an ingest does at its sync.
  if ((deps.indexAccess ?? 'load') === 'load' && !deps.forReindex) {
    refitIfOutgrown().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not tell whether the corpus outgrew its built-in fit; the next change tries again'));
  }

  return {
    current,
    applyChanges(changes, opts = {}) {
      keepForRebuild(changes);
      return serially(async () => {
        const inStep = current().index.info().corpusChecksum;
        if (changes.since !== undefined && changes.since !== inStep) return reconcileNow(opts);
        return applyNow(changes, opts);
      });
    },
    follow(opts = {}) {
      return serially(() => followNow(opts));
    },
    async reindex() {
      await rebuilding?.done.catch(() => {});
      const { embedded } = await rebuild('reindex', () => reindexEmbedder(config, store, log, opened, !deps.forReindex, closing.signal));
      return { papers: await store.count(), embedded, provider: current().embedder.key };
    },
    status() {
      const info = current().index.info();
      return {
        generation: { provider: info.providerKey, vectors: info.count },
        ...(rebuilding ? { rebuilding: { reason: rebuilding.reason, since: rebuilding.since } } : {}),
        ...(!rebuilding && builtElsewhere ? { rebuilding: { reason: 'refit' as const, since: builtElsewhere, elsewhere: true as const } } : {}),
        ...(replaced ? { replaced: replaced.why } : {}),
      };
    },
    async close() {
      closing.abort();
      await rebuilding?.done.catch(() => {});
      await queue;
      current().index.close();
      for (const e of new Set([...retired, current().embedder])) await e.close?.();
      if (claimedForRun) await builds.release();
    },
  };
}
