// How the Discord bot runs, from configuration.
import { ConfigError, type Config } from '../../src/config/config.ts';
import type { Logger } from '../../src/log.ts';

export interface DiscordBotOptions {
  /** Bot token (secret). */
  token: string;
  /** The application's id: interaction webhooks and command registration are under it. */
  applicationId: string;
  /** REST base URL without the version (default https://discord.com/api): tests and proxies. */
  apiUrl?: string;
  /**
   * A command still running after this long is deferred (callback type 5, "thinking…") and its
   * answer edited in later, well inside Discord's 3-second window. 0 defers every command at once.
   */
  deferAfterMs?: number;
  /** REST request timeout; a rate-limited request waits for its bucket on top of this. */
  restTimeoutMs?: number;
  /** Run the daily-digest scheduler in this process (default true). */
  digests?: boolean;
  /** Where the bot logs (default: the App's logger). */
  log?: Logger;
}

/**
 * Options from DISCORD_* and PAPERFEED_DISCORD_*, with `overrides` on top; every missing value is
 * named, with its variable, in one error. `need.token: false` for what needs no token (invite URL).
 */
export function discordOptionsFromConfig(config: Config, need: { token?: boolean } = {}, overrides: Partial<DiscordBotOptions> = {}): DiscordBotOptions {
  const apiUrl = overrides.apiUrl ?? config.PAPERFEED_DISCORD_API_URL;
  const merged = {
    ...overrides,
    token: overrides.token ?? config.DISCORD_TOKEN ?? '',
    applicationId: overrides.applicationId ?? config.DISCORD_APPLICATION_ID ?? '',
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
  };
  const problems: string[] = [];
  if (need.token !== false && !merged.token) problems.push('DISCORD_TOKEN: required (Developer Portal → your application → Bot → Reset Token)');
  if (!merged.applicationId) problems.push('DISCORD_APPLICATION_ID: required (Developer Portal → your application → General Information → Application ID)');
  if (problems.length) throw new ConfigError(problems);
  return merged;
}
