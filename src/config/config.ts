import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting, by its environment variable. `.env.example` lists the same names; a test keeps
 * the two in step. Values may also come from a JSON file named by PAPERFEED_CONFIG (env wins).
 */
export const envSchema = z.object({
  PAPERFEED_DATA_DIR: z.string().min(1).default('./.paperfeed'),
  PAPERFEED_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Folders and files ingested by `paperfeed ingest` with no arguments and by the schedule. */
  PAPERFEED_SAMPLE_DIR: z.string().min(1).default('./data'),

  /** auto never picks openai: a paid API is used only when named here. */
  PAPERFEED_EMBEDDINGS: z.enum(['auto', 'builtin', 'transformers', 'openai']).default('auto'),
  PAPERFEED_MODEL: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
  /** A local directory holding models as <dir>/<model id>/ (config, tokenizer, onnx/). */
  PAPERFEED_MODEL_DIR: z.string().min(1).default('./models'),
  PAPERFEED_MODEL_CACHE_DIR: z.string().min(1).default('./.paperfeed/model-cache'),
  /** Never touch the network for model files. */
  PAPERFEED_OFFLINE: bool.default(false),
  PAPERFEED_EMBED_BATCH: int(1, 1024).default(32),

  PAPERFEED_HNSW_M: int(4, 128).default(16),
  PAPERFEED_HNSW_EF_CONSTRUCTION: int(10, 2000).default(200),
  PAPERFEED_HNSW_EF_SEARCH: int(10, 2000).default(100),
  /** hybrid fuses dense and BM25 rankings (reciprocal rank fusion); measured best by bench/quality.bench.ts. */
  PAPERFEED_SEARCH_MODE: z.enum(['hybrid', 'dense', 'lexical']).default('hybrid'),
  /** Weight of the BM25 ranking in hybrid fusion (the dense ranking weighs 1). */
  PAPERFEED_HYBRID_LEXICAL_WEIGHT: z.coerce.number().min(0).max(10).default(0.3),

  PAPERFEED_HF_URL: z.url().default('https://huggingface.co'),
  PAPERFEED_ARXIV_API_URL: z.url().default('https://export.arxiv.org'),
  PAPERFEED_ARXIV_RSS_URL: z.url().default('https://rss.arxiv.org'),
  PAPERFEED_ARXIV_CATEGORIES: z.string().default('cs.LG,cs.CL,cs.CV,cs.AI'),
  PAPERFEED_HTTP_TIMEOUT_MS: int(100, 600_000).default(20_000),
  PAPERFEED_HTTP_RETRIES: int(0, 10).default(3),
  /** arXiv asks for no more than one request every three seconds. */
  PAPERFEED_ARXIV_MIN_INTERVAL_MS: int(0, 60_000).default(3_000),

  /** keyv store for user and channel state: sqlite (default, in the data dir), redis://, postgres://. */
  PAPERFEED_KV_URL: z.string().optional(),

  /** Picks per digest when the caller does not say. */
  PAPERFEED_PICKS_N: int(1, 50).default(5),
  /** Least personal relevance (topic similarity plus boosts) a pick needs: a quiet day yields fewer picks. */
  PAPERFEED_PICKS_THRESHOLD: z.coerce.number().min(-1).max(3).default(0.3),
  /** MMR trade-off: 1 ranks by relevance only, lower values favour picks unlike each other. */
  PAPERFEED_PICKS_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.7),
  /** Weight of the popularity prior, per natural-log unit of (1 + Hugging Face upvotes). */
  PAPERFEED_PICKS_POPULARITY_WEIGHT: z.coerce.number().min(0).max(1).default(0.02),
  /** Half-life in days of the small recency prior (by publication date, else first seen). */
  PAPERFEED_PICKS_RECENCY_HALF_LIFE_DAYS: z.coerce.number().gt(0).max(3650).default(7),

  /** Language-model features are on only when this or OPENAI_BASE_URL is set (secret: redacted in logs). */
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible endpoint, with its /v1 (e.g. http://127.0.0.1:11434/v1 for a local Ollama). */
  OPENAI_BASE_URL: z.url().optional(),
  /** Chat model for TL;DRs, "why this matters to you" lines and `ask`. */
  PAPERFEED_LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Embedding model used when PAPERFEED_EMBEDDINGS=openai. */
  PAPERFEED_OPENAI_EMBED_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** Vector size asked of that model (text-embedding-3 models can shorten); unset: the model's own size. */
  PAPERFEED_OPENAI_EMBED_DIM: int(8, 8192).optional(),
  /** Per API request; the SDK retries timeouts, 429 and 5xx answers PAPERFEED_LLM_RETRIES times. */
  PAPERFEED_LLM_TIMEOUT_MS: int(100, 600_000).default(20_000),
  PAPERFEED_LLM_RETRIES: int(0, 10).default(2),
  /** Chat tokens (prompt + completion) the whole service may spend per UTC day; 0 spends none. */
  PAPERFEED_LLM_DAILY_TOKEN_BUDGET: int(0, 1_000_000_000).default(200_000),
  /** `ask` questions one chat user may put to the model per rolling hour. */
  PAPERFEED_LLM_USER_RATE_PER_HOUR: int(0, 10_000).default(20),
  /** `ask` calls the model only when the best retrieved paper's cosine to the question reaches this. */
  PAPERFEED_ASK_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.3),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  dataDir: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration; every problem is named with its variable. */
/** Raw settings as the environment would give them (strings), e.g. from CLI options. */
export type EnvOverrides = Partial<Record<keyof Env, string>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: EnvOverrides = {}): Config {
  let fileValues: Record<string, unknown> = {};
  const file = env.PAPERFEED_CONFIG;
  if (file) {
    try {
      fileValues = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError([`PAPERFEED_CONFIG: cannot read ${file}: ${(err as Error).message}`]);
    }
  }
  const raw: Record<string, unknown> = { ...fileValues };
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  Object.assign(raw, overrides);
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.PAPERFEED_DATA_DIR) };
}
