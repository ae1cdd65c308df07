import type { Config } from '../config/config.ts';

/** The settings the language-model features read. */
export type LlmConfig = Pick<
  Config,
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'PAPERFEED_LLM_MODEL'
  | 'PAPERFEED_LLM_TIMEOUT_MS'
  | 'PAPERFEED_LLM_RETRIES'
  | 'PAPERFEED_LLM_DAILY_TOKEN_BUDGET'
  | 'PAPERFEED_LLM_USER_RATE_PER_HOUR'
  | 'PAPERFEED_ASK_MIN_SIMILARITY'
>;

/** The endpoint used when only an API key is configured. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Off unless a key or a compatible server is configured: with neither, no client is ever built. */
export function llmEnabled(config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>): boolean {
  return Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
}

/**
 * OpenAI's own API wants `max_completion_tokens` (its newer models reject `max_tokens`), while
 * compatible servers (Ollama, llama.cpp, older vLLM) only know `max_tokens`.
 */
export function maxTokensField(baseURL: string): 'max_tokens' | 'max_completion_tokens' {
  try {
    return new URL(baseURL).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  } catch {
    return 'max_tokens';
  }
}
