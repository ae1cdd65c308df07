// `follow` / `unfollow`: authors whose papers get a boost.
import { followAuthor, unfollowAuthor } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
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
