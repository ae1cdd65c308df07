// `topics ...` and `channel topics ...`: free-text topics a feed is scored against.
import { addTopic, formatTopics, listTopics, removeTopic, type Recipient } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import type { Command } from './command.ts';
import { channelRecipient, clockOf, requireChannelAdmin, userRecipient, type CommandContext } from './context.ts';
import { literal } from './markup.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type TopicsCommand = Extract<Command, { name: 'topics' }>;

const whose = (r: Recipient): string => (r.kind === 'user' ? 'Your' : "This channel's");

export async function topics(app: App, ctx: CommandContext, cmd: TopicsCommand): Promise<Reply> {
  const now = clockOf(ctx);
  if (cmd.op === 'list') {
    const r = cmd.scope === 'channel' ? channelRecipient(ctx) : userRecipient(ctx);
    const list = await listTopics(app, r);
    const text = list.length ? `**${whose(r)} topics**\n${formatTopics(list, literal)}` : `${whose(r)} feed has no topics yet. Add one: \`${cmd.scope === 'channel' ? 'channel ' : ''}topics add <text>\``;
    return okReply(text, 'private');
  }
  const r = cmd.scope === 'channel' ? await requireChannelAdmin(ctx, 'the topics') : userRecipient(ctx);
  if (cmd.op === 'add') {
    const res = await addTopic(app, r, cmd.text, { now, ...(cmd.weight !== undefined ? { weight: cmd.weight } : {}) });
    const verb = res.added ? 'Added' : 'Already there:';
    return okReply(`${verb} topic ${res.topic.position}, ${quote(res.topic.text, 120)}${r.kind === 'channel' ? ' (channel)' : ''}.`, 'private');
  }
  const removed = await removeTopic(app, r, cmd.ref, { now });
  return okReply(`Removed topic ${quote(removed.text, 120)}${r.kind === 'channel' ? ' (channel)' : ''}.`, 'private');
}
