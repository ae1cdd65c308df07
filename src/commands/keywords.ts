// `keywords ...` and `channel keywords ...`: words matched in titles and abstracts.
import { addKeyword, profileSummary, removeKeyword } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import { z } from 'zod';
import { COMMAND_LIMITS, scopeSchema, textArg } from './command.ts';
import { after, defineCommand, sub, type ParseCall, type Words } from './definition.ts';
import { channelRecipient, clockOf, requireChannelAdmin, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type KeywordsCommand = z.output<typeof keywordsSchema>;

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

const keywordsSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('keywords'), scope: scopeSchema, op: z.literal('list') }),
  z.object({ name: z.literal('keywords'), scope: scopeSchema, op: z.literal('add'), phrase: textArg('a keyword', COMMAND_LIMITS.keyword) }),
  z.object({ name: z.literal('keywords'), scope: scopeSchema, op: z.literal('remove'), phrase: textArg('a keyword', COMMAND_LIMITS.keyword) }),
]);

function parseKeywords(w: Words, { scope, usage }: ParseCall): z.input<typeof keywordsSchema> | Reply {
  const op = sub(w.args[0]) ?? 'list';
  const phrase = after(w.args, 1);
  switch (op) {
    case 'list':
      return { name: 'keywords', scope, op: 'list' };
    case 'add':
    case 'remove':
      return phrase ? { name: 'keywords', scope, op, phrase } : usage(`Say which keyword to ${op}`);
    default:
      return usage(`\`keywords ${op.slice(0, 40)}\` is not a keywords command`);
  }
}

export const keywordsCommand = defineCommand({
  name: 'keywords',
  aliases: ['keyword'],
  schema: keywordsSchema,
  usage: {
    forms: ['keywords add <word>', 'keywords add -<word>', 'keywords add +<word>', 'keywords remove <word>', 'keywords list'],
    summary: "words matched in titles and abstracts: 'word' boosts, '-word' excludes, '+word' requires",
  },
  channelForms: ['channel keywords add|remove <word>', 'channel keywords list'],
  parse: parseKeywords,
  run: keywords,
});
