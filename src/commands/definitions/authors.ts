// `follow` / `unfollow`: authors whose papers get a boost.
import { followAuthor, unfollowAuthor } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, type Scope } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { profileChange, textCommand } from '../definition.ts';
import { okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

const WHAT = 'the followed authors';

const applyFollow = profileChange(WHAT, followAuthor);

const applyUnfollow = profileChange(WHAT, unfollowAuthor);

export async function follow(app: CommandDeps, ctx: CommandContext, author: string, scope?: Scope): Promise<Reply> {
  const r = await applyFollow(app, ctx, author, scope);
  const effect = r.stored
    ? 'their papers get a boost.'
    : 'no stored paper is by them yet, so nothing changes until one arrives (check the spelling: names match as written on the papers).';
  return okReply(r.added ? `Following ${quote(r.author)}: ${effect}` : `Already following ${quote(r.author)}.`, 'private');
}

export async function unfollow(app: CommandDeps, ctx: CommandContext, author: string, scope?: Scope): Promise<Reply> {
  const r = await applyUnfollow(app, ctx, author, scope);
  return okReply(`No longer following ${quote(r.author)}.`, 'private');
}

const AUTHORS = { name: 'authors', description: 'followed authors: their papers get a boost' };

export const followCommand = textCommand({
  name: 'follow',
  field: 'author',
  what: 'an author',
  max: COMMAND_LIMITS.author,
  usage: { section: 'Your feed', forms: ['follow <author>'], summary: "boost an author's papers" },
  say: 'which author',
  slash: { description: "Boost an author's papers", option: 'The author, as written on papers' },
  cli: {
    group: AUTHORS,
    name: 'follow',
    description: 'follow an author',
    argument: { name: '<name...>', description: 'the author, as written on papers' },
    run: applyFollow,
    print(r) {
      const none = r.stored ? '' : ' No stored paper is by them yet; check the spelling (names match as written on the papers).';
      return r.added ? `Following ${r.author}.${none}` : `Already following ${r.author}.`;
    },
  },
  run: follow,
});

export const unfollowCommand = textCommand({
  name: 'unfollow',
  field: 'author',
  what: 'an author',
  max: COMMAND_LIMITS.author,
  usage: { section: 'Your feed', forms: ['unfollow <author>'], summary: 'stop following an author' },
  say: 'which author',
  slash: { description: 'Stop following an author', option: 'The author' },
  cli: {
    group: AUTHORS,
    name: 'unfollow',
    description: 'stop following an author',
    argument: { name: '<name...>', description: 'the author' },
    run: applyUnfollow,
    print: (r) => `No longer following ${r.author}.`,
  },
  run: unfollow,
});
