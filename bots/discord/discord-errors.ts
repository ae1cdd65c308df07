/**
 * What a failed Discord REST call means for us. Rate limits (429 with retry_after) are waited out
 * inside discord.js's REST client, per bucket; what reaches here is final.
 */
import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes } from 'discord.js';
import type { Logger } from '../../src/log.ts';

export type DiscordFailureKind =
  /** The bot cannot post there any more: removed from the server, channel deleted, DMs closed. */
  | 'dead'
  /** The interaction's token is spent or older than its window: the user has to run the command again. */
  | 'expired'
  /** The token was rejected: nothing works until DISCORD_TOKEN is replaced. */
  | 'auth'
  | 'rate-limited'
  | 'other';

export interface DiscordFailure {
  kind: DiscordFailureKind;
  /** Discord's JSON error code (50001, 10003, …), or the HTTP status / library error name. */
  code: number | string;
  status?: number;
  message: string;
}

const DEAD = new Set<number>([
  RESTJSONErrorCodes.MissingAccess, // 50001: not in the server or cannot see the channel
  RESTJSONErrorCodes.UnknownChannel, // 10003: channel deleted
  RESTJSONErrorCodes.MissingPermissions, // 50013: Send Messages or Embed Links taken away
  RESTJSONErrorCodes.CannotSendMessagesToThisUser, // 50007: DMs closed, or no shared server any more
  RESTJSONErrorCodes.UnknownUser, // 10013
  RESTJSONErrorCodes.UnknownGuild, // 10004
]);

const EXPIRED = new Set<number>([
  RESTJSONErrorCodes.UnknownInteraction, // 10062: answered too late (3 s) or twice
  RESTJSONErrorCodes.UnknownWebhook, // 10015: interaction token older than 15 minutes
  RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, // 40060
]);

/** Interaction and webhook tokens sit in REST paths; they never go to a log. */
export function redactUrl(url: string): string {
  return url.replace(/(\/interactions\/\d+\/)[^/?]+/g, '$1[redacted]').replace(/(\/webhooks\/\d+\/)[^/?]+/g, '$1[redacted]');
}

export function classifyDiscordError(err: unknown): DiscordFailure {
  if (err instanceof DiscordAPIError) {
    const code = err.code;
    const kind: DiscordFailureKind =
      typeof code === 'number' && DEAD.has(code)
        ? 'dead'
        : typeof code === 'number' && EXPIRED.has(code)
          ? 'expired'
          : err.status === 401
            ? 'auth'
            : err.status === 429
              ? 'rate-limited'
              : 'other';
    return { kind, code, status: err.status, message: err.message };
  }
  if (err instanceof RateLimitError) return { kind: 'rate-limited', code: 429, status: 429, message: `rate limited for ${err.retryAfter} ms` };
  if (err instanceof HTTPError) return { kind: err.status === 401 ? 'auth' : 'other', code: err.status, status: err.status, message: err.message };
  const e = err as { name?: string; code?: string; message?: string };
  return { kind: 'other', code: e?.code ?? e?.name ?? 'unknown', message: e?.message ?? String(err) };
}

/** A Discord call that failed; `failure` says what to do about it. */
export class DiscordDeliveryError extends Error {
  constructor(
    readonly failure: DiscordFailure,
    readonly target: string,
    options?: { cause?: unknown },
  ) {
    super(`Discord refused ${target}: ${failure.code} ${failure.message}`, options);
    this.name = 'DiscordDeliveryError';
  }
}

/** Logs a failed call at the level its kind deserves; returns the failure for the caller's decision. */
export function reportDiscordError(log: Logger, err: unknown, what: string, fields: Record<string, unknown> = {}): DiscordFailure {
  const failure = classifyDiscordError(err);
  const url = err instanceof DiscordAPIError || err instanceof HTTPError ? redactUrl(err.url) : undefined;
  const entry = { what, code: failure.code, status: failure.status, ...(url ? { url } : {}), ...fields };
  switch (failure.kind) {
    case 'dead':
      log.warn(entry, `Discord: no access any more (${failure.message})`);
      break;
    case 'expired':
      log.warn(entry, `Discord: interaction expired before it was answered (${failure.message})`);
      break;
    case 'auth':
      log.error(entry, 'Discord rejected the bot token: replace DISCORD_TOKEN');
      break;
    case 'rate-limited':
      log.warn(entry, 'Discord rate limit');
      break;
    default:
      log.error({ ...entry, err: failure.message }, 'Discord call failed');
  }
  return failure;
}
