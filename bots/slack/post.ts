/**
 * Posting replies through the Web API. Every failure is reported with its channel (dead channels
 * marked, a revoked token logged) and rethrown as a SlackDeliveryError for the caller to decide.
 */
import type { webApi } from '@slack/bolt';
import type { Reply } from '../../src/commands/reply.ts';
import { digestSender, type DigestSender } from '../../src/digests/index.ts';
import type { Logger } from '../../src/log.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { replyMessages } from './blocks.ts';
import { reportSlackError, SlackDeliveryError } from './slack-errors.ts';

export interface SlackOut {
  app: CommandDeps;
  client: webApi.WebClient;
  log: Logger;
}

async function call<T>(out: SlackOut, channel: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const failure = await reportSlackError(out.app, out.log, err, channel, what);
    throw new SlackDeliveryError(failure, channel, { cause: err });
  }
}

/** Posts a reply into a conversation (a channel, a thread, or a DM), as many messages as it takes. */
export async function postReply(out: SlackOut, channel: string, reply: Reply, opts: { threadTs?: string } = {}): Promise<void> {
  for (const m of replyMessages(reply)) {
    await call(out, channel, 'chat.postMessage', () =>
      out.client.chat.postMessage({
        channel,
        text: m.text,
        blocks: m.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
      }),
    );
  }
}

/** Posts a reply only `user` can see, in a channel. */
export async function postEphemeralReply(out: SlackOut, channel: string, user: string, reply: Reply, opts: { threadTs?: string } = {}): Promise<void> {
  for (const m of replyMessages(reply)) {
    await call(out, channel, 'chat.postEphemeral', () =>
      out.client.chat.postEphemeral({ channel, user, text: m.text, blocks: m.blocks, ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) }),
    );
  }
}

/** The DM conversation with a user (conversations.open). */
export async function openDm(out: SlackOut, user: string): Promise<string> {
  const res = await call(out, user, 'conversations.open', () => out.client.conversations.open({ users: user }));
  const id = res.channel?.id;
  if (!id) throw new SlackDeliveryError({ kind: 'other', code: 'no_channel_in_answer' }, user);
  return id;
}

/** Slack's side of the digests (src/digests/sender.ts): a DM by conversations.open, dead destinations by their error code. */
export function slackDigestSender(out: SlackOut): DigestSender {
  return digestSender({
    openDm: (user) => openDm(out, user),
    post: (channel, reply) => postReply(out, channel, reply),
    isGone: (err) => err instanceof SlackDeliveryError && err.failure.kind === 'dead',
  });
}
