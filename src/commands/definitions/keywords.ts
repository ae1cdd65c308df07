// `keywords ...` and `channel keywords ...`: words matched in titles and abstracts.
import { addKeyword, profileSummary, removeKeyword, type KeywordView } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { z } from 'zod';
import { COMMAND_LIMITS, scopeSchema, textArg } from '../command.ts';
import { choiceOption, need, oneOf, textOption, whoseFeed, type OptionReader } from '../slash-form.ts';
import { wordsOf, type CliForms } from '../cli-form.ts';
import { after, defineCommand, sub, type ParseCall, type Words } from '../definition.ts';
import { changedRecipient, clockOf, scopedRecipient, type CommandContext } from '../context.ts';
import { okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

type KeywordsCommand = z.output<typeof keywordsSchema>;

const EFFECT = { boost: 'now get a boost', exclude: 'are now never picked', require: 'are now required (any one of the required words)' } as const;

/** What a keywords command did, for chat and the CLI to show each in its way. */
type KeywordsResult =
  | { op: 'list'; list: KeywordView[] }
  | { op: 'add'; keyword: KeywordView }
  | { op: 'remove'; keyword: KeywordView };

async function applyKeywords(app: CommandDeps, ctx: CommandContext, cmd: KeywordsCommand): Promise<KeywordsResult> {
  const now = clockOf(ctx);
  if (cmd.op === 'list') {
    const r = scopedRecipient(ctx, cmd.scope);
    return { op: 'list', list: (await profileSummary(app, r, { now })).profile.keywords };
  }
  const r = await changedRecipient(ctx, cmd.scope, 'the keywords');
  return cmd.op === 'add'
    ? { op: 'add', keyword: await addKeyword(app, r, cmd.phrase, { now }) }
    : { op: 'remove', keyword: await removeKeyword(app, r, cmd.phrase, { now }) };
}

export async function keywords(app: CommandDeps, ctx: CommandContext, cmd: KeywordsCommand): Promise<Reply> {
  const res = await applyKeywords(app, ctx, cmd);
  switch (res.op) {
    case 'list':
      return okReply(res.list.length ? `**Keywords**\n${res.list.map((k) => quote(k.label)).join(', ')}` : 'No keywords yet.', 'private');
    case 'add':
      return okReply(`Papers mentioning ${quote(res.keyword.phrase)} ${EFFECT[res.keyword.mode]}.`, 'private');
    case 'remove':
      return okReply(`Removed keyword ${quote(res.keyword.label)}.`, 'private');
  }
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

const KEYWORD_MODES = { boost: '', require: '+', exclude: '-' } as const;

/** The slash options as the core's phrase syntax: '+word' requires, '-word' excludes. */
function keywordPhrase(o: OptionReader): string {
  const word = need(o, 'word');
  if (o.string('mode') === undefined) return word;
  const mode = oneOf(o, 'mode', Object.keys(KEYWORD_MODES) as (keyof typeof KEYWORD_MODES)[]);
  return `${KEYWORD_MODES[mode]}${word.replace(/^[+-]/, '')}`;
}

const keywordsCli: CliForms<z.input<typeof keywordsSchema>, KeywordsCommand, KeywordsResult> = {
  groups: { keywords: "words or phrases matched on title and abstract: 'survey' boosts, '-survey' excludes, '+survey' requires" },
  forms: [
    {
      group: 'keywords',
      name: 'add',
      description: "add a keyword: 'phrase' boosts, '-phrase' excludes, '+phrase' requires (one of)",
      arguments: [{ name: '<phrase...>', description: 'the keyword or phrase' }],
      optionLikeWords: 'a keyword',
      build: (i, scope) => ({ name: 'keywords', scope, op: 'add', phrase: wordsOf(i) }),
    },
    {
      group: 'keywords',
      name: 'remove',
      description: 'remove a keyword',
      arguments: [{ name: '<phrase...>', description: 'the keyword (with or without its - or +)' }],
      optionLikeWords: 'a keyword',
      build: (i, scope) => ({ name: 'keywords', scope, op: 'remove', phrase: wordsOf(i) }),
    },
    { group: 'keywords', name: 'list', description: 'list the keywords', build: (_i, scope) => ({ name: 'keywords', scope, op: 'list' }) },
  ],
  run: applyKeywords,
  print(res) {
    switch (res.op) {
      case 'list':
        return res.list.length ? res.list.map((k) => k.label).join('\n') : 'No keywords yet.';
      case 'add':
        return `Papers mentioning '${res.keyword.phrase}' are now ${{ boost: 'boosted', exclude: 'excluded', require: 'required' }[res.keyword.mode]}.`;
      case 'remove':
        return `Removed keyword ${res.keyword.label}`;
    }
  },
  json: (res) => (res.op === 'list' ? res.list : res.keyword),
};

export const keywordsCommand = defineCommand({
  name: 'keywords',
  aliases: ['keyword'],
  schema: keywordsSchema,
  usage: {
    section: 'Your feed',
    forms: ['keywords add <word>', 'keywords add -<word>', 'keywords add +<word>', 'keywords remove <word>', 'keywords list'],
    summary: "words matched in titles and abstracts: 'word' boosts, '-word' excludes, '+word' requires",
  },
  channelForms: ['channel keywords add|remove <word>', 'channel keywords list'],
  parse: parseKeywords,
  discord: {
    groups: { keywords: 'Words that boost, require or exclude papers' },
    forms: (scope) => [
      {
        group: 'keywords',
        name: 'add',
        description: `Add a keyword to ${whoseFeed(scope)} feed`,
        // The mode becomes the core's '+'/'-' prefix, so the word itself gets one character less.
        options: [
          textOption('word', 'A word or short phrase', COMMAND_LIMITS.keyword - 1),
          choiceOption('mode', 'boost (default), require (only papers with it), or exclude (never papers with it)', Object.keys(KEYWORD_MODES), false),
        ],
        build: (o) => ({ name: 'keywords' as const, scope, op: 'add' as const, phrase: keywordPhrase(o) }),
      },
      { group: 'keywords', name: 'list', description: `List ${whoseFeed(scope)} keywords`, build: () => ({ name: 'keywords' as const, scope, op: 'list' as const }) },
      {
        group: 'keywords',
        name: 'remove',
        description: `Remove one of ${whoseFeed(scope)} keywords`,
        options: [textOption('word', 'The keyword to remove', COMMAND_LIMITS.keyword)],
        build: (o) => ({ name: 'keywords' as const, scope, op: 'remove' as const, phrase: need(o, 'word') }),
      },
    ],
  },
  cli: keywordsCli,
  run: keywords,
});
