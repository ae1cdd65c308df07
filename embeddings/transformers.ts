// Sentence embeddings with transformers.js (@huggingface/transformers): feature-extraction
// pipeline, mean pooling over real tokens, L2 normalization. The library (and onnxruntime with it)
// is imported only when this provider is created, so the built-in path starts fast.
import { resolve } from 'node:path';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Logger } from '../src/log.ts';
import { type EmbeddingProvider, providerKey } from './provider.ts';
import { DEFAULT_MODEL_HUB } from './hub-probe.ts';
import { findLocalModel, howToGetModel, missingModelFiles, type ModelDtype } from './model-files.ts';

export const DEFAULT_TRANSFORMERS_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface TransformersOptions {
  /** Hub model id; files are looked up as `<modelDir>/<model>/…`, then `<cacheDir>/<model>/…`. */
  model: string;
  modelDir: string;
  cacheDir: string;
  /** Never touch the network: a model missing locally is an error. */
  offline: boolean;
  batchSize: number;
  log?: Logger;
  /** Weight file variant (fp32 → onnx/model.onnx, q8 → onnx/model_quantized.onnx). */
  dtype?: ModelDtype;
  /** Where downloads come from when not offline (a mirror or a local test server). */
  hub?: string;
}

/** The model is neither present locally nor obtainable under the current settings. */
export class ModelUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelUnavailableError';
  }
}

export async function createTransformersProvider(opts: TransformersOptions): Promise<EmbeddingProvider> {
  const dtype = opts.dtype ?? 'fp32';
  const modelDir = resolve(opts.modelDir);
  const cacheDir = resolve(opts.cacheDir);
  const batchSize = Math.max(1, Math.floor(opts.batchSize));
  const local = findLocalModel(opts.model, modelDir, cacheDir, dtype);
  if (!local && opts.offline) {
    // Fail before loading the library: offline must not even try, and the message must say how to fix it.
    const missing = missingModelFiles(opts.model, modelDir, dtype).join(', ');
    throw new ModelUnavailableError(
      `embedding model ${opts.model} is not available offline: missing ${missing} in ${resolve(modelDir, opts.model)} ` +
        `(and not in the cache ${resolve(cacheDir, opts.model)}). To fix: ${howToGetModel(opts.model, opts.modelDir)}`,
    );
  }

  const { env, pipeline } = await import('@huggingface/transformers');
  // env is process-wide; it is read while the pipeline loads its files, and a loaded pipeline
  // never fetches again, so setting it here per provider is enough.
  env.allowLocalModels = true;
  env.localModelPath = modelDir;
  env.cacheDir = cacheDir;
  env.useFSCache = true;
  env.allowRemoteModels = !opts.offline;
  env.remoteHost = opts.hub ?? DEFAULT_MODEL_HUB;

  let extractor: FeatureExtractionPipeline;
  const started = Date.now();
  try {
    extractor = await pipeline('feature-extraction', opts.model, {
      dtype,
      local_files_only: opts.offline,
      cache_dir: cacheDir,
    });
  } catch (err) {
    const where = local ?? `${resolve(modelDir, opts.model)} or the hub ${env.remoteHost}`;
    throw new ModelUnavailableError(
      `cannot load embedding model ${opts.model} from ${where}: ${(err as Error).message}. ` +
        `To fix: ${howToGetModel(opts.model, opts.modelDir)}`,
      { cause: err },
    );
  }

  const run = async (texts: string[]): Promise<Float32Array[]> => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    const [rows, dim] = out.dims as [number, number];
    const data = out.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let r = 0; r < rows; r++) vectors.push(data.slice(r * dim, (r + 1) * dim));
    out.dispose();
    return vectors;
  };

  const hidden = (extractor.model.config as unknown as Record<string, unknown>).hidden_size;
  const dimension = typeof hidden === 'number' && hidden > 0 ? hidden : (await run(['dimension probe']))[0]!.length;
  opts.log?.debug({ model: opts.model, dimension, dtype, ms: Date.now() - started }, 'embedding model loaded');

  // One inference at a time: onnxruntime already uses every core for a batch.
  let queue: Promise<unknown> = Promise.resolve();
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    if (texts.length === 0) return [];
    // Batches of similar length waste less compute on padding; results go back in input order.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const result = new Array<Float32Array>(texts.length);
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      const vectors = await run(idx.map((j) => texts[j]!));
      for (let k = 0; k < idx.length; k++) {
        const v = vectors[k]!;
        if (v.length !== dimension) throw new Error(`model ${opts.model} returned ${v.length}-d vectors, expected ${dimension}`);
        result[idx[k]!] = v;
      }
    }
    return result;
  };

  // Another weight variant gives (slightly) other vectors: it is another vector space.
  const model = dtype === 'fp32' ? opts.model : `${opts.model}@${dtype}`;
  return {
    id: 'transformers',
    model,
    dimension,
    key: providerKey('transformers', model, dimension),
    embed(texts: string[]) {
      const next = queue.then(() => embed(texts));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await extractor.dispose();
    },
  };
}
