import type { NetworkConfig } from '../../src/sources/network.ts';

/** Every network source pointed at one local server, with short timeouts and no pause between requests. */
export function networkConfig(url: string, overrides: Partial<NetworkConfig> = {}): NetworkConfig {
  return {
    PAPERFEED_HF_URL: url,
    PAPERFEED_ARXIV_API_URL: url,
    PAPERFEED_ARXIV_RSS_URL: url,
    PAPERFEED_OAI_URL: `${url}/oai2`,
    PAPERFEED_ARXIV_CATEGORIES: 'cs.LG',
    PAPERFEED_HTTP_TIMEOUT_MS: 2_000,
    PAPERFEED_HTTP_RETRIES: 0,
    PAPERFEED_ARXIV_MIN_INTERVAL_MS: 0,
    ...overrides,
  };
}
