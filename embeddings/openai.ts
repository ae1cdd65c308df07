// Embeddings from the OpenAI API or any compatible server (OPENAI_BASE_URL), behind the same
// interface as the local providers. Chosen only by PAPERFEED_EMBEDDINGS=openai: `auto` never
// picks a paid API. Its key `openai:<model>:<dim>` keeps its vectors apart from every other space.
import OpenAI from 'openai';
import { z } from 'zod';
import { type EmbeddingProvider, l2normalize, providerKey } from './provider.ts';

export const DEFAULT_OPENAI_EMBED_MODEL = 'text-embedding-3-small';

/** Native sizes of OpenAI's models; any other model's size is learnt from one probe request. */
const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
/** Only these accept a `dimensions` parameter (shortened, renormalized vectors). */
const SHORTENS = /^text-embedding-3-/;

/** Per input: ~4k tokens of English, safely under the 8,191-token input limit. */
const MAX_INPUT_CHARS = 16_000;
/** Per request: well under the API's 2,048 inputs and 300k tokens. */
const MAX_REQUEST_INPUTS = 256;
const MAX_REQUEST_CHARS = 400_000;

/** Where requests and tokens are counted (src/llm/usage.ts's UsageCounters in the App). */
export interface EmbeddingUsage {
  add(name: 'embedding_requests' | 'embedding_errors' | 'embedding_tokens', n?: number): void;
}

export interface OpenAiEmbeddingOptions {
  client: OpenAI;
  model: string;
  /** Vector size to ask for; omitted: the model's own (known, or probed once). */
  dimension?: number;
  /** Counters to add requests and tokens to. */
  usage?: EmbeddingUsage;
}

/** The API or server failed, or answered something that is not an embeddings response of the expected size. */
export class EmbeddingApiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddingApiError';
  }
}

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ total_tokens: z.number().nonnegative() }).partial().nullish(),
});

/** Inputs grouped into requests under the count and size caps. */
function requests(texts: string[]): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let chars = 0;
  for (const t of texts) {
    if (batch.length && (batch.length >= MAX_REQUEST_INPUTS || chars + t.length > MAX_REQUEST_CHARS)) {
      out.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(t);
    chars += t.length;
  }
  if (batch.length) out.push(batch);
  return out;
}

export async function createOpenAiEmbeddingProvider(opts: OpenAiEmbeddingOptions): Promise<EmbeddingProvider> {
  const { client, model, usage } = opts;
  const askDimension = opts.dimension !== undefined && SHORTENS.test(model) ? opts.dimension : undefined;

  const call = async (inputs: string[], expect: number | undefined): Promise<Float32Array[]> => {
    usage?.add('embedding_requests');
    let raw: unknown;
    try {
      raw = await client.embeddings.create({
        model,
        // The API refuses empty strings; texts are capped to stay under its per-input token limit.
        input: inputs.map((t) => (t.trim() ? t.slice(0, MAX_INPUT_CHARS) : ' ')),
        // float, not the SDK's default base64: every compatible server speaks it.
        encoding_format: 'float',
        ...(askDimension !== undefined ? { dimensions: askDimension } : {}),
      });
    } catch (err) {
      usage?.add('embedding_errors');
      const status = err instanceof OpenAI.APIError && err.status ? ` (HTTP ${err.status})` : '';
      throw new EmbeddingApiError(`OpenAI embeddings with ${model} failed${status}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = responseSchema.safeParse(raw);
    const fail = (why: string) => {
      usage?.add('embedding_errors');
      return new EmbeddingApiError(`OpenAI embeddings with ${model}: ${why}`);
    };
    if (!parsed.success) throw fail(`the answer is not an embeddings response (${parsed.error.issues[0]?.message})`);
    usage?.add('embedding_tokens', parsed.data.usage?.total_tokens ?? 0);
    const byIndex = new Map(parsed.data.data.map((d) => [d.index, d.embedding]));
    return inputs.map((_, i) => {
      const v = byIndex.get(i);
      if (!v) throw fail(`the answer has no vector for input ${i} of ${inputs.length}`);
      if (expect !== undefined && v.length !== expect) {
        throw fail(`got a ${v.length}-d vector for input ${i}, expected ${expect} (PAPERFEED_OPENAI_EMBED_DIM)`);
      }
      if (!v.every(Number.isFinite)) throw fail(`the vector for input ${i} holds a non-number`);
      return l2normalize(Float32Array.from(v));
    });
  };

  const dimension = askDimension ?? opts.dimension ?? KNOWN_DIMENSIONS[model] ?? (await call(['dimension probe'], undefined))[0]!.length;
  if (!(dimension > 0)) throw new EmbeddingApiError(`OpenAI embeddings with ${model}: returned an empty vector`);

  return {
    id: 'openai',
    model,
    dimension,
    key: providerKey('openai', model, dimension),
    async embed(texts) {
      const out: Float32Array[] = [];
      for (const batch of requests(texts)) out.push(...(await call(batch, dimension)));
      return out;
    },
  };
}
