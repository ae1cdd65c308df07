// `follow` / `unfollow`: authors whose papers get a boost.
import { z } from 'zod';
import { followAuthor, unfollowAuthor } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import { COMMAND_LIMITS, textArg } from './command.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { need, textOption } from './slash-form.ts';
import { defineCommand, needRest } from './definition.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

export async function follow(app: App, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await followAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  const effect = r.stored
    ? 'their papers get a boost.'
    : 'no stored paper is by them yet, so nothing changes until one arrives (check the spelling: names match as written on the papers).';
  return okReply(r.added ? `Following ${quote(r.author)}: ${effect}` : `Already following ${quote(r.author)}.`, 'private');
}

export async function unfollow(app: App, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await unfollowAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  return okReply(`No longer following ${quote(r.author)}.`, 'private');
}

export const followCommand = defineCommand({
  name: 'follow',
  schema: z.object({ name: z.literal('follow'), author: textArg('an author', COMMAND_LIMITS.author) }),
  usage: { forms: ['follow <author>'], summary: "boost an author's papers" },
  parse: (w, call) => needRest(w, call, (author) => ({ name: 'follow' as const, author }), 'which author'),
  discord: {
    forms: [
      {
        name: 'follow',
        description: "Boost an author's papers",
        options: [textOption('author', 'The author, as written on papers', COMMAND_LIMITS.author)],
        build: (o) => ({ name: 'follow' as const, author: need(o, 'author') }),
      },
    ],
  },
  run: (app, ctx, cmd) => follow(app, ctx, cmd.author),
});

export const unfollowCommand = defineCommand({
  name: 'unfollow',
  schema: z.object({ name: z.literal('unfollow'), author: textArg('an author', COMMAND_LIMITS.author) }),
  usage: { forms: ['unfollow <author>'], summary: 'stop following an author' },
  parse: (w, call) => needRest(w, call, (author) => ({ name: 'unfollow' as const, author }), 'which author'),
  discord: {
    forms: [{ name: 'unfollow' as const, description: 'Stop following an author', options: [textOption('author', 'The author', COMMAND_LIMITS.author)], build: (o) => ({ name: 'unfollow' as const, author: need(o, 'author') }) }],
  },
  run: (app, ctx, cmd) => unfollow(app, ctx, cmd.author),
});
