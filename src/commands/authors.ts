// `follow` / `unfollow`: authors whose papers get a boost.
import { followAuthor, unfollowAuthor } from '../recommend/index.ts';
import type { CommandDeps } from './deps.ts';
import { COMMAND_LIMITS } from './command.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { textCommand } from './definition.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

export async function follow(app: CommandDeps, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await followAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  const effect = r.stored
    ? 'their papers get a boost.'
    : 'no stored paper is by them yet, so nothing changes until one arrives (check the spelling: names match as written on the papers).';
  return okReply(r.added ? `Following ${quote(r.author)}: ${effect}` : `Already following ${quote(r.author)}.`, 'private');
}

export async function unfollow(app: CommandDeps, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await unfollowAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  return okReply(`No longer following ${quote(r.author)}.`, 'private');
}

export const followCommand = textCommand({
  name: 'follow',
  field: 'author',
  what: 'an author',
  max: COMMAND_LIMITS.author,
  usage: { forms: ['follow <author>'], summary: "boost an author's papers" },
  say: 'which author',
  slash: { description: "Boost an author's papers", option: 'The author, as written on papers' },
  run: follow,
});

export const unfollowCommand = textCommand({
  name: 'unfollow',
  field: 'author',
  what: 'an author',
  max: COMMAND_LIMITS.author,
  usage: { forms: ['unfollow <author>'], summary: 'stop following an author' },
  say: 'which author',
  slash: { description: 'Stop following an author', option: 'The author' },
  run: unfollow,
});
