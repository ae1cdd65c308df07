import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cron } from 'croner';
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
  /** Unset: warn for one-shot commands (a person sees only the answer), info for serve and the bots. */
  PAPERFEED_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** auto: readable lines for commands run at a terminal, JSON lines for serve, the bots and pipes. */
  PAPERFEED_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
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
  /** Graphs the vector index is split into when rebuilt (built in parallel, searched together); auto: from 100k papers, one per core and per 250k papers. */
  PAPERFEED_HNSW_SHARDS: z.union([z.literal('auto'), int(1, 64)]).default('auto'),
  /** hybrid fuses dense and BM25 results (relative score fusion); measured best by bench/quality.bench.ts. */
  PAPERFEED_SEARCH_MODE: z.enum(['hybrid', 'dense', 'lexical']).default('hybrid'),
  /** Weight of BM25 in hybrid fusion: the best BM25 hit adds this, the best dense hit adds 1. */
  PAPERFEED_HYBRID_LEXICAL_WEIGHT: z.coerce.number().min(0).max(10).default(0.5),

  PAPERFEED_HF_URL: z.url().default('https://huggingface.co'),
  PAPERFEED_ARXIV_API_URL: z.url().default('https://export.arxiv.org'),
  PAPERFEED_ARXIV_RSS_URL: z.url().default('https://rss.arxiv.org'),
  /** arXiv's OAI-PMH endpoint, for `ingest --source oai` backfills. */
  PAPERFEED_OAI_URL: z.url().default('https://export.arxiv.org/oai2'),
  PAPERFEED_ARXIV_CATEGORIES: z.string().default('cs.LG,cs.CL,cs.CV,cs.AI'),
  PAPERFEED_HTTP_TIMEOUT_MS: int(100, 600_000).default(20_000),
  PAPERFEED_HTTP_RETRIES: int(0, 10).default(3),
  /** arXiv asks for no more than one request every three seconds. */
  PAPERFEED_ARXIV_MIN_INTERVAL_MS: int(0, 60_000).default(3_000),

  /** keyv store for user and channel state: sqlite (default, in the data dir), redis://, postgres://. */
  PAPERFEED_KV_URL: z.string().optional(),

  /** Picks per digest when the caller does not say. */
  PAPERFEED_PICKS_N: int(1, 50).default(5),
  /** Relative threshold: a pick needs this fraction of the day's best personal relevance (a quiet day yields fewer picks). */
  PAPERFEED_PICKS_THRESHOLD: z.coerce.number().min(0).max(1).default(0.15),
  /** A muted topic hides papers at least this similar to it (independent of the pick threshold). */
  PAPERFEED_PICKS_MUTE_SIMILARITY: z.coerce.number().min(0).max(1).default(0.3),
  /** MMR trade-off: 1 ranks by relevance only, lower values favour picks unlike each other. */
  PAPERFEED_PICKS_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.7),
  /** Weight of the popularity prior, per natural-log unit of (1 + Hugging Face upvotes). */
  PAPERFEED_PICKS_POPULARITY_WEIGHT: z.coerce.number().min(0).max(1).default(0.02),
  /** Half-life in days of the small recency prior (by publication date, else first seen). */
  PAPERFEED_PICKS_RECENCY_HALF_LIFE_DAYS: z.coerce.number().gt(0).max(3650).default(7),

  // --- Chat commands, digests and the Slack bot ---
  /** Default local time (HH:MM, 24-hour) of a new daily digest; each user and channel can change theirs. */
  PAPERFEED_DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM, 24-hour').default('08:00'),
  /** Default time zone (IANA) of a new digest when the platform does not know the user's. */
  PAPERFEED_DIGEST_TIMEZONE: z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
  /** Slack bot token, xoxb-… (secret: redacted in logs). Needed by `paperfeed slack start`. */
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-\S+$/, 'expected a bot token (xoxb-…)').optional(),
  /** Slack signing secret, for HTTP mode: verifies that requests come from Slack (secret). */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  /** Slack app-level token, xapp-… with connections:write, for Socket Mode (secret). */
  SLACK_APP_TOKEN: z.string().regex(/^xapp-\S+$/, 'expected an app-level token (xapp-…)').optional(),
  /** socket: no public URL needed (app token); http: Slack posts to PAPERFEED_SLACK_HOST:PAPERFEED_SLACK_PORT/slack/events. */
  PAPERFEED_SLACK_MODE: z.enum(['socket', 'http']).default('socket'),
  /** Address the Slack HTTP receiver listens on (HTTP mode). */
  PAPERFEED_SLACK_HOST: z.string().min(1).default('0.0.0.0'),
  /** Port of the Slack HTTP receiver (HTTP mode; 0: any free port). */
  PAPERFEED_SLACK_PORT: int(0, 65_535).default(3000),
  /** Slack Web API base URL, ending in /api/ (tests and proxies; default https://slack.com/api/). */
  PAPERFEED_SLACK_API_URL: z.url().optional(),
  /** Comma-separated Slack user ids who may change channel settings, besides workspace admins and owners. */
  PAPERFEED_SLACK_ADMINS: z.string().regex(/^[\sA-Z0-9,]*$/, 'expected comma-separated Slack user ids (U…)').default(''),
  /** Slack Web API retries after a rate limit (honouring Retry-After) or a network error. */
  PAPERFEED_SLACK_RETRIES: int(0, 10).default(3),

  // --- The Discord bot ---
  /** Discord bot token (Developer Portal → Bot → Reset Token; secret: redacted in logs). Needed by `paperfeed discord ...`. */
  DISCORD_TOKEN: z.string().regex(/^[\w.-]{20,200}$/, 'expected a bot token (three dot-separated parts)').optional(),
  /** The Discord application's id (a snowflake), for command registration, interaction webhooks and the invite URL. */
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{15,22}$/, 'expected an application id (digits)').optional(),
  /** Discord REST base URL without the version, e.g. http://127.0.0.1:8080/api (tests and proxies; default https://discord.com/api). */
  PAPERFEED_DISCORD_API_URL: z.url().optional(),

  // --- The service (`paperfeed serve`) ---
  /** Paper store: unset → SQLite in the data dir; postgres://… → PostgreSQL, shared by every replica. */
  PAPERFEED_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://user@host:port/db (or leave unset for SQLite)')
    .optional(),
  /** Where scheduled-job locks live: redis://, postgres://; unset → the database URL, else a redis kv URL, else the data dir. */
  PAPERFEED_LOCK_URL: z
    .string()
    .regex(/^(redis|rediss|postgres|postgresql):\/\/\S+$/, 'expected redis://… or postgres://…')
    .optional(),
  /** How long a scheduled-job lock, or the data dir's index-build lock, outlives a process that stopped renewing it (crash, hang; a build lock's holder on this host that is gone frees it at once). */
  PAPERFEED_LOCK_TTL_MS: int(1_000, 3_600_000).default(30_000),
  /** Time zone of the service's cron schedules and of the console digest's date (IANA name). */
  PAPERFEED_SCHEDULE_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
  /** When to ingest (cron, in PAPERFEED_SCHEDULE_TIMEZONE). */
  PAPERFEED_INGEST_CRON: z.string().refine(isCron, 'expected a cron expression such as "0 6 * * *"').default('0 6 * * *'),
  /** When the console digest is printed, with no bot configured (cron, in PAPERFEED_SCHEDULE_TIMEZONE). */
  PAPERFEED_CONSOLE_DIGEST_CRON: z.string().refine(isCron, 'expected a cron expression such as "0 8 * * *"').default('0 8 * * *'),
  /** What the scheduled ingest reads, comma-separated: sample (PAPERFEED_SAMPLE_DIR), hf, arxiv. */
  PAPERFEED_INGEST_SOURCES: z
    .string()
    .regex(/^\s*(sample|hf|arxiv)\s*(,\s*(sample|hf|arxiv)\s*)*$/, 'expected a comma-separated list of sample, hf, arxiv')
    .default('sample'),
  /** Delivery attempts per digest before the outbox marks it failed. */
  PAPERFEED_OUTBOX_MAX_ATTEMPTS: int(1, 100).default(5),
  /** Address of the local HTTP API; anything but loopback requires PAPERFEED_API_TOKEN. */
  PAPERFEED_API_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the local HTTP API (0: any free port). */
  PAPERFEED_API_PORT: int(0, 65_535).default(8787),
  /** Bearer token for /api/* and /metrics (required when the API is bound beyond loopback). */
  PAPERFEED_API_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** How often a replica checks the shared store's checksum and brings its index in step (0: only after its own ingest). */
  PAPERFEED_INDEX_FOLLOW_SECONDS: int(0, 86_400).default(30),
  /** CPU niceness of a CLI ingest or reindex (0-19; 0 leaves it), so that a serve beside it answers first. */
  PAPERFEED_BATCH_NICE: int(0, 19).default(10),
  /** How long shutdown waits for in-flight work before closing anyway. */
  PAPERFEED_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(20_000),

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

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isCron(expr: string): boolean {
  try {
    new Cron(expr, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

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
