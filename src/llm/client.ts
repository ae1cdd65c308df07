import OpenAI from 'openai';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { OPENAI_DEFAULT_BASE_URL } from './settings.ts';

export type ClientConfig = Pick<
  Config,
  'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'PAPERFEED_LLM_TIMEOUT_MS' | 'PAPERFEED_LLM_RETRIES'
>;

/**
 * The SDK client for the configured endpoint. Key and URL are always passed explicitly, so the
 * SDK never falls back to process.env on its own; timeouts and retries (with backoff, honouring
 * Retry-After) are the SDK's own.
 */
export function createOpenAiClient(config: ClientConfig, log: Logger): OpenAI {
  const baseURL = config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
  return new OpenAI({
    // A compatible local server needs no key, but the SDK insists on one; it is sent and ignored there.
    apiKey: config.OPENAI_API_KEY ?? 'unused',
    baseURL,
    organization: null,
    project: null,
    timeout: config.PAPERFEED_LLM_TIMEOUT_MS,
    maxRetries: config.PAPERFEED_LLM_RETRIES,
    logLevel: 'warn',
    logger: sdkLogger(log),
  });
}

/** The SDK logs as console does (message, ...details); pino wants (details, message). */
function sdkLogger(log: Logger) {
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, ...rest: unknown[]) =>
      log[level]({ component: 'openai-sdk', ...(rest.length ? { details: rest.map(String) } : {}) }, message);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** Where requests go, for log lines (never the key). */
export function describeEndpoint(config: Pick<Config, 'OPENAI_BASE_URL'>): string {
  try {
    const url = new URL(config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  } catch {
    return '(invalid OPENAI_BASE_URL)';
  }
}
