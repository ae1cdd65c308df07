// The embedder of a corpus: chosen from configuration at open, and for the built-in provider a
// fit of the stored corpus, persisted in the store's metadata and refitted when the corpus has
// outgrown it.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  builtinNeedsRefit,
  createBuiltinProvider,
  serializeBuiltin,
} from '../../embeddings/builtin.ts';
import { blobChecksum, blobFingerprint, stateDocCount } from '../../embeddings/builtin-codec.ts';
import { fitBuiltinOffThread } from '../../embeddings/builtin-fit-thread.ts';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { selectProvider, type SelectDeps } from '../../embeddings/select.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { embeddingText } from '../papers/normalize.ts';
import type { PaperStore } from '../store/paper-store.ts';

/** Store meta key of the built-in embedder's fitted state (base64). */
const BUILTIN_STATE_KEY = 'embeddings.builtin.state';
/** Store meta key of that state's fingerprint, as `<blob checksum>:<fingerprint>`. */
const BUILTIN_FINGERPRINT_KEY = 'embeddings.builtin.fingerprint';
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

export function embedderSelectDeps(config: Config, store: PaperStore, log: Logger, mayDownload: boolean): SelectDeps {
  return {
    log,
    // Loaded only when configured: the openai client is 150 modules that every other start would load for nothing.
    openai: async () => (await import('../llm/openai-embeddings.ts')).openAiProviderFromConfig(config, log),
    loadBuiltinState: async () => {
      const b64 = await store.getMeta(BUILTIN_STATE_KEY);
      return b64 ? Buffer.from(b64, 'base64') : undefined;
    },
    saveBuiltinState: (blob) => saveFit(store, blob),
    builtinFingerprint: async (blob) => {
      const recorded = await store.getMeta(BUILTIN_FINGERPRINT_KEY);
      const [checksum, fingerprint] = recorded?.split(':') ?? [];
      return checksum === blobChecksum(blob) ? fingerprint : undefined;
    },
    recordBuiltinFingerprint: (blob, fingerprint) => store.setMeta(BUILTIN_FINGERPRINT_KEY, `${blobChecksum(blob)}:${fingerprint}`),
    corpus: () => corpusTexts(store),
    mayDownload,
  };
}

/**
 * The embedder a start uses: the configured one, with the stored built-in fit however much the
 * corpus has grown since (the corpus owner refits beside it), or one made now if none is stored.
 */
export async function openingEmbedder(
  config: Config,
  store: PaperStore,
  log: Logger,
  mayDownload: boolean,
  /** Told the size of the built-in fit the returned embedder uses (loaded, or fitted and saved now). */
  onFitSize?: (papers: number) => void,
): Promise<EmbeddingProvider> {
  const deps = embedderSelectDeps(config, store, log, mayDownload);
  let fitSize: number | undefined;
  // An unreadable state is selection's to report (it refits and saves a new one, seen here too).
  const seen = (blob: Uint8Array) => {
    try {
      fitSize = stateDocCount(blob);
    } catch {
      fitSize = undefined;
    }
  };
  const embedder = await selectProvider(config, {
    ...deps,
    loadBuiltinState: async () => {
      const blob = await deps.loadBuiltinState();
      if (blob) seen(blob);
      return blob;
    },
    saveBuiltinState: async (blob) => {
      await deps.saveBuiltinState(blob);
      seen(blob);
    },
  });
  if (embedder.id === 'builtin' && fitSize !== undefined) onFitSize?.(fitSize);
  return embedder;
}

/** A fresh fit of the built-in provider on the stored corpus, in a worker thread; saved only by commit(). */
export async function refitBuiltin(store: PaperStore, signal?: AbortSignal): Promise<EmbedderCandidate> {
  const state = await fitBuiltinOffThread(corpusTexts(store, signal));
  return {
    embedder: createBuiltinProvider(state),
    fitSize: state.docCount,
    commit: () => saveFit(store, serializeBuiltin(state)),
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
  // Selection (no corpusSize) never refits the built-in state it loads: the fit comes next.
  const deps = embedderSelectDeps(config, store, log, true);
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
    remember(candidate: Pick<EmbedderCandidate, 'embedder' | 'fitSize'>): void {
      if (candidate.fitSize !== undefined) fitSizes.set(candidate.embedder.key, candidate.fitSize);
    },
    async outgrown(embedder: EmbeddingProvider): Promise<boolean> {
      if (embedder.id !== 'builtin') return false;
      if (!fitSizes.has(embedder.key)) {
        const b64 = await store.getMeta(BUILTIN_STATE_KEY);
        fitSizes.set(embedder.key, b64 ? stateDocCount(Buffer.from(b64, 'base64')) : undefined);
      }
      const docCount = fitSizes.get(embedder.key);
      return docCount === undefined || builtinNeedsRefit({ docCount }, await store.count());
    },
  };
}

/** Saves a fit with its fingerprint (the hash of the blob this process just encoded). */
async function saveFit(store: PaperStore, blob: Buffer): Promise<void> {
  await store.setMeta(BUILTIN_STATE_KEY, blob.toString('base64'));
  await store.setMeta(BUILTIN_FINGERPRINT_KEY, `${blobChecksum(blob)}:${blobFingerprint(blob)}`);
}

async function* corpusTexts(store: PaperStore, signal?: AbortSignal): AsyncIterable<string> {
  for await (const page of store.iteratePapers({ pageSize: FIT_PAGE })) {
    signal?.throwIfAborted();
    for (const p of page) yield embeddingText(p);
    await yieldToLoop();
  }
}
