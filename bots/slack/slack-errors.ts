/**
 * What a failed Slack Web API call means for us. Rate limits are retried inside the WebClient
 * (its retryConfig, honouring Retry-After); what reaches here is final.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../src/log.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { deadKey, SLACK_NAMESPACE } from '../../src/service/dead-marks.ts';

export type SlackFailureKind =
  /** The bot cannot post there any more: not a member, channel deleted or archived, user gone. */
  | 'dead'
  /** The token was revoked or is invalid: nothing will work until SLACK_BOT_TOKEN is replaced. */
  | 'auth'
  /** Still rate limited after the client's retries. */
  | 'rate-limited'
  | 'other';

const DEAD = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'channel_is_archived',
  'cannot_dm_bot',
  'user_not_found',
  'user_disabled',
  'messages_tab_disabled',
]);
const AUTH = new Set(['token_revoked', 'invalid_auth', 'not_authed', 'account_inactive', 'token_expired', 'no_permission', 'missing_scope', 'org_login_required']);

export interface SlackFailure {
  kind: SlackFailureKind;
  /** Slack's error code (not_in_channel, …) or the client's. */
  code: string;
}

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string; data?: { error?: string }; message?: string };
  if (e?.code === webApi.ErrorCode.PlatformError && typeof e.data?.error === 'string') {
    const code = e.data.error;
    return { kind: DEAD.has(code) ? 'dead' : AUTH.has(code) ? 'auth' : code === 'ratelimited' ? 'rate-limited' : 'other', code };
  }
  if (e?.code === webApi.ErrorCode.RateLimitedError || /rate limit was exceeded/i.test(e?.message ?? '')) {
    return { kind: 'rate-limited', code: 'ratelimited' };
  }
  return { kind: 'other', code: e?.code ?? 'unknown' };
}

/** A Slack call that failed for a reason the caller should act on. */
export class SlackDeliveryError extends Error {
  constructor(
    readonly failure: SlackFailure,
    readonly channel: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack refused to deliver to ${channel}: ${failure.code}`, options);
    this.name = 'SlackDeliveryError';
  }
}

// ---- dead channels -------------------------------------------------------------------------

export interface DeadMark {
  code: string;
  at: string;
}

/** Marks a channel the bot can no longer post to, so digests stop trying; logged for the operator. */
export async function markDead(app: CommandDeps, log: Logger, channel: string, code: string, now = new Date()): Promise<void> {
  await app.kv(SLACK_NAMESPACE).set(deadKey(channel), { code, at: now.toISOString() } satisfies DeadMark);
  log.warn({ channel, code }, 'Slack channel is unreachable; marked dead (invite the bot again to revive it)');
}

export async function deadMark(app: CommandDeps, channel: string): Promise<DeadMark | undefined> {
  const raw: unknown = await app.kv(SLACK_NAMESPACE).get(deadKey(channel));
  const r = raw as Partial<DeadMark> | undefined;
  return r && typeof r.code === 'string' && typeof r.at === 'string' ? { code: r.code, at: r.at } : undefined;
}

/** Someone talks to the bot from the channel again: it is alive. */
export async function reviveChannel(app: CommandDeps, log: Logger, channel: string): Promise<void> {
  if (await deadMark(app, channel)) {
    await app.kv(SLACK_NAMESPACE).delete(deadKey(channel));
    log.info({ channel }, 'Slack channel reachable again; dead mark cleared');
  }
}

/**
 * Logs a failed Slack call with its channel and acts on it: dead channels are marked, a revoked
 * token is reported loudly. Returns the failure for the caller's own decision.
 */
export async function reportSlackError(app: CommandDeps, log: Logger, err: unknown, channel: string, what: string): Promise<SlackFailure> {
  const failure = classifySlackError(err);
  switch (failure.kind) {
    case 'dead':
      await markDead(app, log, channel, failure.code);
      break;
    case 'auth':
      log.error({ channel, code: failure.code, what }, 'Slack rejected the bot token: replace SLACK_BOT_TOKEN (reinstall the app)');
      break;
    case 'rate-limited':
      log.warn({ channel, what }, 'Slack rate limit persisted after retries');
      break;
    default:
      log.error({ channel, code: failure.code, what, err }, 'Slack call failed');
  }
  return failure;
}
