/**
 * Posting outside interactions, through discord.js's REST client: channel digests into their
 * channel, personal digests by DM (`POST /users/@me/channels`, then a message there). Failures are
 * logged with their target and come back as a DiscordDeliveryError for the caller to decide.
 */
import { Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { z } from 'zod';
import type { Reply } from '../../src/commands/index.ts';
import { digestSender, type DigestSender } from '../../src/digests/index.ts';
import type { Logger } from '../../src/log.ts';
import { DiscordDeliveryError, reportDiscordError } from './discord-errors.ts';
import { renderReply, type DiscordMessage } from './render.ts';

export interface DiscordOut {
  rest: REST;
  log: Logger;
  /** DM channel per user: Discord answers the same channel every time, so once per process is enough. */
  dmChannels?: Map<string, string>;
}

/** Nothing we post can ping: echoed text may hold @everyone or <@id>. */
export const NO_MENTIONS = { parse: [] as [] };

export function messageBody(m: DiscordMessage): RESTPostAPIChannelMessageJSONBody {
  return { ...(m.content ? { content: m.content } : {}), embeds: m.embeds, components: m.components, allowed_mentions: NO_MENTIONS };
}

const dmChannelSchema = z.object({ id: z.string().regex(/^\d+$/), type: z.number() });

async function call<T>(out: DiscordOut, target: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const failure = reportDiscordError(out.log, err, what, { target });
    throw new DiscordDeliveryError(failure, target, { cause: err });
  }
}

/** Posts a reply into a channel (or DM channel), as many messages as its size takes. */
export async function postReply(out: DiscordOut, channelId: string, reply: Reply): Promise<void> {
  for (const m of renderReply(reply)) {
    await call(out, `channel ${channelId}`, 'message create', () => out.rest.post(Routes.channelMessages(channelId), { body: messageBody(m) }));
  }
}

/** The DM channel with a user. */
export async function openDm(out: DiscordOut, userId: string): Promise<string> {
  const known = out.dmChannels?.get(userId);
  if (known) return known;
  const raw = await call(out, `user ${userId}`, 'DM channel create', () => out.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }));
  const parsed = dmChannelSchema.safeParse(raw);
  if (!parsed.success) {
    const failure = { kind: 'other' as const, code: 'bad-answer', message: `POST ${Routes.userChannels()} answered without a channel id` };
    out.log.error({ user: userId }, failure.message);
    throw new DiscordDeliveryError(failure, `user ${userId}`);
  }
  out.dmChannels?.set(userId, parsed.data.id);
  return parsed.data.id;
}

/** Discord's side of the digests (src/digests/sender.ts): a DM channel by REST (remembered), dead destinations by their error code. */
export function discordDigestSender(out: DiscordOut): DigestSender {
  return digestSender({
    openDm: (user) => openDm(out, user),
    post: (channel, reply) => postReply(out, channel, reply),
    isGone: (err) => err instanceof DiscordDeliveryError && err.failure.kind === 'dead',
    forgetDm: (user) => void out.dmChannels?.delete(user),
  });
}
