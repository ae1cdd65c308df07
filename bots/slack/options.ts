// How the Slack bot runs, from configuration: Socket Mode (app token) or HTTP (signing secret).
import type { webApi } from '@slack/bolt';
import { ConfigError, type Config } from '../../src/config/config.ts';
import type { Logger } from '../../src/log.ts';

export interface SlackBotOptions {
  mode: 'socket' | 'http';
  /** xoxb-… */
  botToken: string;
  /** HTTP mode: verifies each request's X-Slack-Signature. */
  signingSecret?: string;
  /** Socket Mode: xapp-… with connections:write. */
  appToken?: string;
  /** HTTP mode: where the receiver listens (POST /slack/events). */
  host?: string;
  port?: number;
  /** Web API base URL, ending in /api/ (tests, proxies). */
  apiUrl?: string;
  /** User ids allowed to change channel settings besides workspace admins and owners. */
  admins?: readonly string[];
  /** WebClient retry policy (rate limits honour Retry-After, then count as a retry). */
  retryConfig?: webApi.RetryOptions;
  /** Run the daily-digest scheduler in this process (default true). */
  digests?: boolean;
  /** Where the bot logs (default: the App's logger). */
  log?: Logger;
}

/** Options from PAPERFEED_SLACK_* and SLACK_*; every missing variable is named in one error. */
export function slackOptionsFromConfig(config: Config): SlackBotOptions {
  const problems: string[] = [];
  const mode = config.PAPERFEED_SLACK_MODE;
  if (!config.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required to run the Slack bot (xoxb-…)');
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: required when PAPERFEED_SLACK_MODE=http');
  if (mode === 'socket' && !config.SLACK_APP_TOKEN) problems.push('SLACK_APP_TOKEN: required when PAPERFEED_SLACK_MODE=socket (xapp-…, scope connections:write)');
  if (problems.length) throw new ConfigError(problems);
  const admins = config.PAPERFEED_SLACK_ADMINS.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    mode,
    botToken: config.SLACK_BOT_TOKEN!,
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    host: config.PAPERFEED_SLACK_HOST,
    port: config.PAPERFEED_SLACK_PORT,
    ...(config.PAPERFEED_SLACK_API_URL ? { apiUrl: config.PAPERFEED_SLACK_API_URL } : {}),
    admins,
    // Interactive replies should not hang for half an hour behind a rate limit: a few quick retries.
    retryConfig: { retries: config.PAPERFEED_SLACK_RETRIES, factor: 2, minTimeout: 1_000, maxTimeout: 30_000, randomize: true },
  };
}
