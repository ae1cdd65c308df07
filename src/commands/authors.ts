// `follow` / `unfollow`: authors whose papers get a boost.
import { followAuthor, unfollowAuthor } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

export async function follow(app: App, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await followAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  return okReply(r.added ? `Following ${quote(r.author)}: their papers get a boost.` : `Already following ${quote(r.author)}.`, 'private');
}

export async function unfollow(app: App, ctx: CommandContext, author: string): Promise<Reply> {
  const r = await unfollowAuthor(app, userRecipient(ctx), author, { now: clockOf(ctx) });
  return okReply(`No longer following ${quote(r.author)}.`, 'private');
}
