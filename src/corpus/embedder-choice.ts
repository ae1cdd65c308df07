// The embedder of a corpus: chosen from configuration at open, and for the built-in provider a
// fit of the stored corpus, persisted in the store's metadata and refitted when the corpus has
// outgrown it.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  builtinNeedsRefit,
  createBuiltinProvider,
  deserializeBuiltin,
  serializeBuiltin,
} from '../../embeddings/builtin.ts';
import { fitBuiltinOffThread } from '../../embeddings/builtin-fit-thread.ts';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { selectProvider, type SelectDeps } from '../../embeddings/select.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { embeddingText } from '../papers/normalize.ts';
import type { PaperStore } from '../store/paper-store.ts';

/** Store meta key of the built-in embedder's fitted state (base64). */
const BUILTIN_STATE_KEY = 'embeddings.builtin.state';
/** Papers read per page while fitting; the event loop runs between pages. */
const FIT_PAGE = 500;

/** An embedder for a new generation, and what makes it the stored choice once that generation is live. */
export interface EmbedderCandidate {
  embedder: EmbeddingProvider;
  /** Persists what a later start needs to recreate this embedder (the built-in fit). */
  commit(): Promise<void>;
  /** Papers a built-in fit was made on. */
  fitSize?: number;
}

export function embedderSelectDeps(store: PaperStore, log: Logger, mayDownload: boolean): SelectDeps {
  return {
    log,
    loadBuiltinState: async () => {
      const b64 = await store.getMeta(BUILTIN_STATE_KEY);
      return b64 ? Buffer.from(b64, 'base64') : undefined;
    },
    saveBuiltinState: (blob) => store.setMeta(BUILTIN_STATE_KEY, blob.toString('base64')),
    corpus: () => corpusTexts(store),
    corpusSize: () => store.count(),
    mayDownload,
  };
}

/** The embedder a start uses: the configured one, with a built-in fit loaded (or made now). */
export function openingEmbedder(config: Config, store: PaperStore, log: Logger, mayDownload: boolean): Promise<EmbeddingProvider> {
  return selectProvider(config, embedderSelectDeps(store, log, mayDownload));
}

/** A fresh fit of the built-in provider on the stored corpus, in a worker thread; saved only by commit(). */
export async function refitBuiltin(store: PaperStore, signal?: AbortSignal): Promise<EmbedderCandidate> {
  const state = await fitBuiltinOffThread(corpusTexts(store, signal));
  return {
    embedder: createBuiltinProvider(state),
    fitSize: state.docCount,
    commit: () => store.setMeta(BUILTIN_STATE_KEY, serializeBuiltin(state).toString('base64')),
  };
}

/**
 * The embedder for `paperfeed reindex`: the configured provider, where `auto` may now download
 * its model, and for the built-in provider a fresh fit.
 */
export async function reindexEmbedder(
  config: Config,
  store: PaperStore,
  log: Logger,
  opened: EmbeddingProvider,
  reopen: boolean,
  signal?: AbortSignal,
): Promise<EmbedderCandidate> {
  if (config.PAPERFEED_EMBEDDINGS === 'builtin') return refitBuiltin(store, signal);
  // Without corpusSize, selection never refits the built-in state it loads: the fit comes next.
  const { corpusSize: _unused, ...deps } = embedderSelectDeps(store, log, true);
  const embedder = reopen ? await selectProvider(config, deps) : opened;
  if (embedder.id === 'builtin') return refitBuiltin(store, signal);
  return { embedder, commit: async () => {} };
}

/**
 * Tells whether the built-in fit behind an embedder was made on a corpus much smaller than
 * today's. The size a fit saw is remembered per fit: the stored state is megabytes to decode.
 */
export function builtinOutgrownCheck(store: PaperStore) {
  const fitSizes = new Map<string, number | undefined>();
  return {
    remember(candidate: EmbedderCandidate): void {
      if (candidate.fitSize !== undefined) fitSizes.set(candidate.embedder.key, candidate.fitSize);
    },
    async outgrown(embedder: EmbeddingProvider): Promise<boolean> {
      if (embedder.id !== 'builtin') return false;
      if (!fitSizes.has(embedder.key)) {
        const b64 = await store.getMeta(BUILTIN_STATE_KEY);
        fitSizes.set(embedder.key, b64 ? deserializeBuiltin(Buffer.from(b64, 'base64')).docCount : undefined);
      }
      const docCount = fitSizes.get(embedder.key);
      return docCount === undefined || builtinNeedsRefit({ docCount }, await store.count());
    },
  };
}

async function* corpusTexts(store: PaperStore, signal?: AbortSignal): AsyncIterable<string> {
  for await (const page of store.iteratePapers({ pageSize: FIT_PAGE })) {
    signal?.throwIfAborted();
    for (const p of page) yield embeddingText(p);
    await yieldToLoop();
  }
}
