/**
 * Answering an interaction with a Reply. A command answers directly when it is done quickly;
 * otherwise it is deferred (callback type 5, Discord shows "thinking…") well before the 3-second
 * window closes, and the answer is edited into the original response (PATCH
 * /webhooks/{app}/{token}/messages/@original). Messages beyond the first go out as follow-ups
 * (POST /webhooks/{app}/{token}). Personal replies are ephemeral (flags 64).
 */
import { MessageFlags, type InteractionEditReplyOptions, type InteractionReplyOptions, type RepliableInteraction } from 'discord.js';
import type { Reply } from '../../src/commands/index.ts';
import { NO_MENTIONS } from './deliver.ts';
import { renderReply, type DiscordMessage } from './render.ts';

export function editOptions(m: DiscordMessage): InteractionEditReplyOptions {
  // An edit without content would leave old content in place; '' clears it.
  return { content: m.content ?? '', embeds: m.embeds, components: m.components, allowedMentions: NO_MENTIONS };
}

export function replyOptions(m: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...(m.content ? { content: m.content } : {}),
    embeds: m.embeds,
    components: m.components,
    allowedMentions: NO_MENTIONS,
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** The value of `pending` if it settles within `ms`, else undefined (the work goes on). */
export async function within<T>(pending: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** First answer to an interaction that was not deferred: type 4, then follow-ups. */
export async function sendFresh(i: RepliableInteraction, reply: Reply): Promise<void> {
  const ephemeral = reply.visibility === 'private';
  const [first, ...rest] = renderReply(reply);
  await i.reply(replyOptions(first!, ephemeral));
  for (const m of rest) await i.followUp(replyOptions(m, ephemeral));
}

/**
 * The answer to a deferred interaction. A private answer to a public deferral (a search that
 * failed with a usage message, say) must not show in the channel: the public "thinking…" is
 * deleted and the answer goes out as ephemeral follow-ups.
 */
export async function sendDeferred(i: RepliableInteraction, reply: Reply, deferredEphemeral: boolean): Promise<void> {
  const messages = renderReply(reply);
  if (reply.visibility === 'private' && !deferredEphemeral) {
    await i.deleteReply();
    for (const m of messages) await i.followUp(replyOptions(m, true));
    return;
  }
  const [first, ...rest] = messages;
  await i.editReply(editOptions(first!));
  for (const m of rest) await i.followUp(replyOptions(m, deferredEphemeral));
}

/**
 * Runs `work` and answers with its Reply, deferring if it is not done after `deferAfterMs`.
 * `ephemeral` is decided before the work runs, because a deferral cannot change it later.
 */
export async function respond(i: RepliableInteraction, work: () => Promise<Reply>, opts: { ephemeral: boolean; deferAfterMs: number }): Promise<void> {
  const pending = work();
  // Without a handler here, a rejection while the deferral is in flight would be "unhandled".
  pending.catch(() => undefined);
  const early = await within(pending, opts.deferAfterMs);
  if (early) return sendFresh(i, early);
  await i.deferReply(opts.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  await sendDeferred(i, await pending, opts.ephemeral);
}
