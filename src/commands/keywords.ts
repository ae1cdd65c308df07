// `keywords ...` and `channel keywords ...`: words matched in titles and abstracts.
import { addKeyword, profileSummary, removeKeyword } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import type { Command } from './command.ts';
import { channelRecipient, clockOf, requireChannelAdmin, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type KeywordsCommand = Extract<Command, { name: 'keywords' }>;

const EFFECT = { boost: 'now get a boost', exclude: 'are now never picked', require: 'are now required (any one of the required words)' } as const;

export async function keywords(app: App, ctx: CommandContext, cmd: KeywordsCommand): Promise<Reply> {
  const now = clockOf(ctx);
  if (cmd.op === 'list') {
    const r = cmd.scope === 'channel' ? channelRecipient(ctx) : userRecipient(ctx);
    const list = (await profileSummary(app, r, { now })).profile.keywords;
    return okReply(list.length ? `**Keywords**\n${list.map((k) => quote(k.label)).join(', ')}` : 'No keywords yet.', 'private');
  }
  const r = cmd.scope === 'channel' ? await requireChannelAdmin(ctx, 'the keywords') : userRecipient(ctx);
  if (cmd.op === 'add') {
    const k = await addKeyword(app, r, cmd.phrase, { now });
    return okReply(`Papers mentioning ${quote(k.phrase)} ${EFFECT[k.mode]}.`, 'private');
  }
  const k = await removeKeyword(app, r, cmd.phrase, { now });
  return okReply(`Removed keyword ${quote(k.label)}.`, 'private');
}
