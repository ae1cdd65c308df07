/**
 * The Bolt listeners: /papers, app mentions, DMs, and card buttons. Each acknowledges first (Slack
 * wants an answer within 3 seconds), then runs the command core and replies through the response
 * URL or the Web API. Nothing thrown here escapes: failures are logged and the user told.
 */
import type { App as BoltApp, RespondFn } from '@slack/bolt';
import { runAction } from '../../src/commands/actions.ts';
import { executeCommand } from '../../src/commands/execute.ts';
import { isReply, parseCommand } from '../../src/commands/parse.ts';
import type { CardAction, Reply } from '../../src/commands/reply.ts';
import type { Logger } from '../../src/log.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { markFeedback, parseActionId, replyMessages, type Block } from './blocks.ts';
import { isDmChannel, slackContext } from './context.ts';
import { slackAttachments, type SlackFileAccess } from './files.ts';
import { slackToPlain, stripMention } from './mrkdwn.ts';
import { postEphemeralReply, postReply, type SlackOut } from './post.ts';
import { reportSlackError, reviveChannel } from './slack-errors.ts';
import type { SlackUsers } from './users.ts';

export interface ListenerDeps {
  app: CommandDeps;
  log: Logger;
  users: SlackUsers;
  /** How shared files are downloaded (`library import` with a file). */
  files: SlackFileAccess;
}

async function run(deps: ListenerDeps, userId: string, channelId: string | undefined, text: string, files?: unknown): Promise<Reply> {
  const attachments = files === undefined ? [] : slackAttachments(files, deps.files);
  // A file shared with no command is a library to import.
  const command = attachments.length && !text.trim() ? 'library import' : text;
  const parsed = parseCommand(slackToPlain(command));
  if (isReply(parsed)) return parsed;
  const ctx = slackContext(deps.users, userId, channelId);
  return executeCommand(deps.app, attachments.length ? { ...ctx, attachments } : ctx, parsed);
}

/** The `files` of an event or message, when it has them (a file share). */
const filesOf = (e: object): unknown => ('files' in e ? e.files : undefined);

async function respondAll(deps: ListenerDeps, respond: RespondFn, reply: Reply, inChannel: boolean, where: string): Promise<void> {
  try {
    for (const m of replyMessages(reply)) {
      await respond({ response_type: inChannel ? 'in_channel' : 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
    }
  } catch (err) {
    deps.log.error({ channel: where, err: (err as Error).message }, 'Slack response_url post failed');
  }
}

/** Swallows what post* already reported: a reply that cannot be delivered must not crash the bot. */
async function quietly(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    // reported (and dead channels marked) by post.ts
  }
}

export function registerListeners(bolt: BoltApp, deps: ListenerDeps, out: SlackOut): void {
  // /papers <command>: ack at once (an empty ack shows nothing), then answer through response_url.
  bolt.command('/papers', async ({ command, ack, respond }) => {
    await ack();
    const reply = await run(deps, command.user_id, command.channel_id, command.text ?? '');
    await respondAll(deps, respond, reply, reply.visibility === 'channel' && !isDmChannel(command.channel_id), command.channel_id);
  });

  // @paperfeed <command> in a channel: public answers go in a thread, personal ones ephemeral.
  bolt.event('app_mention', async ({ event, context }) => {
    const user = event.user;
    if (!user) return;
    await reviveChannel(deps.app, deps.log, event.channel);
    const reply = await run(deps, user, event.channel, stripMention(event.text, context.botUserId), filesOf(event));
    const threadTs = event.thread_ts ?? event.ts;
    await quietly(() =>
      reply.visibility === 'channel'
        ? postReply(out, event.channel, reply, { threadTs })
        : postEphemeralReply(out, event.channel, user, reply, { threadTs: event.thread_ts }),
    );
  });

  // Direct messages to the bot: the whole message is the command; everything is private there.
  bolt.message(async ({ message }) => {
    // Only people's own messages in a DM (a file shared there too): edits, joins and bot posts (ours included) are not commands.
    const ownMessage = message.subtype === undefined || message.subtype === 'file_share';
    if (message.channel_type !== 'im' || !ownMessage || !('user' in message) || !message.user) return;
    if ('bot_id' in message && message.bot_id) return;
    const reply = await run(deps, message.user, message.channel, message.text ?? '', filesOf(message));
    await quietly(() => postReply(out, message.channel, reply));
  });

  bolt.action(/^pf:/, async ({ ack, body, action, respond, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const cardAction = parseActionId(action.action_id);
    const paperId = action.value ?? '';
    const user = body.user.id;
    const channel = body.container?.channel_id ?? body.channel?.id;
    if (!cardAction) return;
    const reply = await runAction(deps.app, slackContext(deps.users, user, channel), { action: cardAction, paperId });
    if (cardAction === 'more-like-this' || reply.kind !== 'ok') {
      await respondAll(deps, respond, reply, false, channel ?? user);
      return;
    }
    await confirmFeedback(deps, { respond, client, body, cardAction, paperId, channel, reply });
  });

  bolt.error(async (err) => {
    deps.log.error({ err: err.message, code: err.code }, 'Slack listener failed');
  });
}

interface FeedbackClick {
  respond: RespondFn;
  client: SlackOut['client'];
  body: { container?: Record<string, unknown>; message?: { ts?: string; text?: string; blocks?: unknown[] } };
  cardAction: Exclude<CardAction, 'more-like-this'>;
  paperId: string;
  channel: string | undefined;
  reply: Reply;
}

/**
 * The message is updated in place where only the clicker sees it (their DM, or an ephemeral
 * message). On a message the whole channel sees, one person's rating is theirs alone: they get an
 * ephemeral confirmation and the shared message stays as it was.
 */
async function confirmFeedback(deps: ListenerDeps, c: FeedbackClick): Promise<void> {
  const ephemeral = c.body.container?.is_ephemeral === true;
  const privateMessage = ephemeral || (c.channel !== undefined && isDmChannel(c.channel));
  const blocks = c.body.message?.blocks as Block[] | undefined;
  const updated = privateMessage && blocks ? markFeedback(blocks, c.paperId, c.cardAction) : undefined;
  if (updated && c.channel) {
    const text = c.body.message?.text ?? c.reply.text;
    if (!ephemeral && c.body.message?.ts) {
      try {
        await c.client.chat.update({ channel: c.channel, ts: c.body.message.ts, text, blocks: updated });
        return;
      } catch (err) {
        await reportSlackError(deps.app, deps.log, err, c.channel, 'chat.update');
      }
    } else {
      try {
        await c.respond({ replace_original: true, text, blocks: updated });
        return;
      } catch (err) {
        deps.log.error({ channel: c.channel, err: (err as Error).message }, 'Slack response_url update failed');
      }
    }
  }
  await respondAll(deps, c.respond, c.reply, false, c.channel ?? 'unknown');
}
