// The OpenAI embedding provider as configuration asks for it (PAPERFEED_EMBEDDINGS=openai): the
// client, key check and usage counters live here, with the other OpenAI plumbing, so that
// embeddings/ stays a folder of providers that depend on nothing of the service's.
import { createOpenAiEmbeddingProvider, DEFAULT_OPENAI_EMBED_MODEL, type EmbeddingUsage } from '../../embeddings/openai.ts';
import type { EmbeddingProvider } from '../../embeddings/provider.ts';
import { ConfigError } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { createOpenAiClient, describeEndpoint } from './client.ts';
import { llmEnabled } from './settings.ts';
import { processUsage } from './usage.ts';

export interface OpenAiEmbeddingConfig {
  OPENAI_API_KEY: string | undefined;
  OPENAI_BASE_URL: string | undefined;
  PAPERFEED_OPENAI_EMBED_MODEL: string;
  PAPERFEED_OPENAI_EMBED_DIM: number | undefined;
  PAPERFEED_LLM_TIMEOUT_MS: number;
  PAPERFEED_LLM_RETRIES: number;
}

/** The provider PAPERFEED_EMBEDDINGS=openai asks for, with a line saying where it embeds. */
export async function openAiProviderFromConfig(
  config: Partial<OpenAiEmbeddingConfig>,
  log: Logger,
  usage: EmbeddingUsage = processUsage,
): Promise<{ provider: EmbeddingProvider; summary: string }> {
  if (!llmEnabled(config)) {
    throw new ConfigError([
      'PAPERFEED_EMBEDDINGS=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server such as a local Ollama)',
    ]);
  }
  const provider = await createOpenAiEmbeddingProvider({
    client: createOpenAiClient(
      {
        OPENAI_API_KEY: config.OPENAI_API_KEY,
        OPENAI_BASE_URL: config.OPENAI_BASE_URL,
        PAPERFEED_LLM_TIMEOUT_MS: config.PAPERFEED_LLM_TIMEOUT_MS ?? 20_000,
        PAPERFEED_LLM_RETRIES: config.PAPERFEED_LLM_RETRIES ?? 2,
      },
      log,
    ),
    model: config.PAPERFEED_OPENAI_EMBED_MODEL ?? DEFAULT_OPENAI_EMBED_MODEL,
    ...(config.PAPERFEED_OPENAI_EMBED_DIM !== undefined ? { dimension: config.PAPERFEED_OPENAI_EMBED_DIM } : {}),
    usage,
  });
  return { provider, summary: `OpenAI-compatible ${provider.model} (${provider.dimension}-d) at ${describeEndpoint(config)}` };
}
