// Chooses the embedding provider from configuration (PAPERFEED_EMBEDDINGS = auto | builtin |
// transformers | openai; auto never picks openai) and says which and why in one log line. transformers.js and onnxruntime are only
// loaded when the transformers provider is actually created.
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../src/log.ts';
import type { EmbeddingProvider } from './provider.ts';
import {
  type BuiltinParams,
  type BuiltinState,
  builtinNeedsRefit,
  createBuiltinProvider,
  DEFAULT_BUILTIN_PARAMS,
  describeBuiltin,
  builtinParamsSchema,
  deserializeBuiltin,
  fitBuiltinAsync,
  serializeBuiltin,
} from './builtin.ts';
import { decodeState } from './builtin-codec.ts';
import { DEFAULT_PROBE_TIMEOUT_MS, probeModelDownload } from './hub-probe.ts';
import { findLocalModel, howToGetModel } from './model-files.ts';
import { createTransformersProvider, ModelUnavailableError } from './transformers.ts';

/** The settings the choice reads (the App's validated configuration has them: src/config/config.ts). */
export interface EmbeddingConfig {
  PAPERFEED_EMBEDDINGS: 'auto' | 'builtin' | 'transformers' | 'openai';
  PAPERFEED_MODEL: string;
  PAPERFEED_MODEL_DIR: string;
  PAPERFEED_MODEL_CACHE_DIR: string;
  PAPERFEED_OFFLINE: boolean;
  PAPERFEED_EMBED_BATCH: number;
}

export interface SelectDeps {
  log: Logger;
  /**
   * The API provider PAPERFEED_EMBEDDINGS=openai asks for, with a line saying where it embeds.
   * Made by the caller (src/llm/openai-embeddings.ts): the client, key and counters are the service's.
   */
  openai?(): Promise<{ provider: EmbeddingProvider; summary: string }>;
  /** The persisted built-in state (serializeBuiltin's output), if any. */
  loadBuiltinState(): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  /**
   * The fingerprint recorded with this stored blob, if any: decoding then skips recomputing it
   * (which re-encodes the whole state). Recorded after a full decode with recordBuiltinFingerprint.
   */
  builtinFingerprint?(blob: Uint8Array): Promise<string | undefined>;
  recordBuiltinFingerprint?(blob: Uint8Array, fingerprint: string): Promise<void>;
  saveBuiltinState(blob: Buffer): Promise<void> | void;
  /** Texts of the stored corpus (embeddingText of each paper), to fit the built-in provider on. */
  corpus(): AsyncIterable<string> | Iterable<string>;
  /** Number of stored papers; when given, a state fitted on a much smaller corpus is refitted. */
  corpusSize?(): Promise<number> | number;
  /** Model hub base URL (default the Hugging Face hub). */
  hub?: string;
  /** How long `auto` waits to learn whether the model can be downloaded. */
  probeTimeoutMs?: number;
  builtinParams?: BuiltinParams;
  /**
   * Whether `auto` may download the model. The caller allows it only when switching is harmless
   * (an empty store, or a reindex): a download in the middle of normal use would change the
   * provider under an index built with another one.
   */
  mayDownload?: boolean;
}

/** Fits the built-in provider on the corpus and persists the state (also for `paperfeed reindex`). */
export async function fitAndSaveBuiltin(deps: Pick<SelectDeps, 'corpus' | 'saveBuiltinState' | 'builtinParams'>): Promise<BuiltinState> {
  const state = await fitBuiltinAsync(deps.corpus(), deps.builtinParams ?? DEFAULT_BUILTIN_PARAMS);
  await deps.saveBuiltinState(serializeBuiltin(state));
  return state;
}

async function builtin(deps: SelectDeps): Promise<{ provider: EmbeddingProvider; summary: string }> {
  const blob = await deps.loadBuiltinState();
  let state: BuiltinState | undefined;
  let origin = 'loaded';
  if (blob) {
    try {
      const known = await deps.builtinFingerprint?.(blob);
      state = known ? { ...(await decodeState(blob, builtinParamsSchema)), fingerprint: known } : await deserializeBuiltin(blob);
      // Best effort: a store that cannot take the record now decodes the long way again next time.
      if (!known) await Promise.resolve(deps.recordBuiltinFingerprint?.(blob, state.fingerprint)).catch(() => {});
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'embeddings: stored built-in state is unreadable; refitting on the corpus');
    }
  }
  // A fit made with other parameters (an older release's defaults) embeds differently from what
  // this release measured: refit, which also re-embeds the corpus (cheap for this provider).
  if (state && !isDeepStrictEqual(state.params, deps.builtinParams ?? DEFAULT_BUILTIN_PARAMS)) {
    origin = 'refitted now: the built-in parameters changed';
    state = undefined;
  }
  if (state && deps.corpusSize) {
    const size = await deps.corpusSize();
    if (builtinNeedsRefit(state, size)) {
      origin = `refitted now: the corpus grew from ${state.docCount} to ${size} papers`;
      state = undefined;
    }
  }
  if (!state) {
    state = await fitAndSaveBuiltin(deps);
    origin = origin === 'loaded' ? 'fitted now' : origin;
  }
  return { provider: createBuiltinProvider(state), summary: describeBuiltin(state, origin) };
}

/** The underlying failure, without our own "how to fix" wrapping (the log line stays short). */
function rootMessage(err: unknown): string {
  const e = err as Error;
  return e.cause instanceof Error ? e.cause.message : e.message;
}

function announce(deps: SelectDeps, provider: EmbeddingProvider, line: string, reason: string): EmbeddingProvider {
  deps.log.info({ provider: provider.id, model: provider.model, dimension: provider.dimension, reason }, line);
  return provider;
}

/** Returns the configured provider; logs exactly one info line naming it and why. */
export async function selectProvider(config: EmbeddingConfig, deps: SelectDeps): Promise<EmbeddingProvider> {
  const model = config.PAPERFEED_MODEL;
  const modelDir = config.PAPERFEED_MODEL_DIR;
  const cacheDir = config.PAPERFEED_MODEL_CACHE_DIR;
  const offline = config.PAPERFEED_OFFLINE;
  const transformers = (allowDownload: boolean) =>
    createTransformersProvider({
      model,
      modelDir,
      cacheDir,
      offline: offline || !allowDownload,
      batchSize: config.PAPERFEED_EMBED_BATCH,
      log: deps.log,
      ...(deps.hub ? { hub: deps.hub } : {}),
    });
  const mode = config.PAPERFEED_EMBEDDINGS;

  if (mode === 'openai') {
    if (!deps.openai) throw new Error('PAPERFEED_EMBEDDINGS=openai: this caller cannot make the OpenAI provider');
    const { provider, summary } = await deps.openai();
    return announce(deps, provider, `embeddings: ${summary}; PAPERFEED_EMBEDDINGS=openai`, 'configured');
  }

  if (mode === 'builtin') {
    const { provider, summary } = await builtin(deps);
    return announce(deps, provider, `embeddings: ${summary}; PAPERFEED_EMBEDDINGS=builtin`, 'configured');
  }

  const local = findLocalModel(model, modelDir, cacheDir);
  if (mode === 'transformers') {
    if (!local && !offline) {
      const probe = await probeModelDownload(model, deps.hub, deps.probeTimeoutMs ?? 10_000);
      if (!probe.ok) {
        throw new ModelUnavailableError(
          `PAPERFEED_EMBEDDINGS=transformers but model ${model} is not in ${resolve(modelDir, model)} ` +
            `(nor the cache ${resolve(cacheDir, model)}) and cannot be downloaded: ${probe.reason}. To fix: ${howToGetModel(model, modelDir)}`,
        );
      }
    }
    const provider = await transformers(true);
    const from = local ?? `the hub, cached in ${resolve(cacheDir)}`;
    return announce(deps, provider, `embeddings: transformers.js ${model} (${provider.dimension}-d) from ${from}; PAPERFEED_EMBEDDINGS=transformers`, 'configured');
  }

  // auto: a local model, else a downloadable one, else the built-in provider.
  let why: string;
  if (local) {
    try {
      const provider = await transformers(false);
      return announce(deps, provider, `embeddings: transformers.js ${model} (${provider.dimension}-d) from ${local}`, 'local model');
    } catch (err) {
      why = `model ${model} in ${local} failed to load (${rootMessage(err)})`;
    }
  } else if (offline) {
    why = `no local model ${model} in ${modelDir} or ${cacheDir} and PAPERFEED_OFFLINE is set`;
  } else if (deps.mayDownload === false) {
    why = `no local model ${model} in ${modelDir} or ${cacheDir} (the store is already indexed with the built-in provider; \`paperfeed reindex\` tries a download)`;
  } else {
    const probe = await probeModelDownload(model, deps.hub, deps.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    if (probe.ok) {
      try {
        const provider = await transformers(true);
        return announce(
          deps,
          provider,
          `embeddings: transformers.js ${model} (${provider.dimension}-d), downloaded to ${resolve(cacheDir, model)}`,
          'downloaded',
        );
      } catch (err) {
        why = `model ${model} could not be downloaded (${rootMessage(err)})`;
      }
    } else {
      why = `no local model ${model} in ${modelDir} or ${cacheDir}, and ${probe.reason}`;
    }
  }
  const { provider, summary } = await builtin(deps);
  return announce(deps, provider, `embeddings: ${summary}; ${why}`, 'fallback');
}
