// `similar` and `search`, and the "more like this" button: not personal, so they may be shown to a channel.
import type { CommandDeps } from './deps.ts';
import { COMMAND_LIMITS } from './command.ts';
import { textCommand } from './definition.ts';
import { cardFromScored, noticeReply, okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

/** Papers like a paper (arXiv id, URL, paper id, title) or like a description. */
export async function similar(app: CommandDeps, query: string, visibility: Reply['visibility'] = 'channel'): Promise<Reply> {
  const { query: resolved, results } = await app.search.similar(query, { k: COMMAND_LIMITS.results });
  const like = resolved.kind === 'paper' ? `${quote(resolved.paper.title)} (${resolved.paper.id})` : quote(resolved.text);
  if (results.length === 0) return noticeReply(`No stored papers are like ${like} yet.`, visibility);
  const why = resolved.kind === 'paper' ? `similar to ${quote(resolved.paper.title, 60)}` : `similar to ${quote(resolved.text, 60)}`;
  return okReply(`**Papers like ${like}**`, visibility, results.map((r) => cardFromScored(r, why)));
}

export async function search(app: CommandDeps, query: string): Promise<Reply> {
  const results = await app.search.searchText(query, { k: COMMAND_LIMITS.results });
  if (results.length === 0) return noticeReply(`No stored papers match ${quote(query)}.`, 'channel');
  return okReply(`**Search: ${quote(query)}**`, 'channel', results.map((r) => cardFromScored(r, `matches ${quote(query, 60)}`)));
}

export const similarCommand = textCommand({
  name: 'similar',
  aliases: ['like'],
  field: 'query',
  what: 'what to find papers like',
  max: COMMAND_LIMITS.query,
  usage: { forms: ['similar <arXiv id | URL | title | text>'], summary: 'papers like a paper or a description' },
  say: 'which paper (arXiv id, link or title) or what text',
  slash: { description: 'Papers like a paper (arXiv id, link, title) or a description', option: 'An arXiv id, a link, a title or a few sentences', visibility: 'channel' },
  run: (app, _ctx, query) => similar(app, query),
});

export const searchCommand = textCommand({
  name: 'search',
  aliases: ['find'],
  field: 'query',
  what: 'what to search for',
  max: COMMAND_LIMITS.query,
  usage: { forms: ['search <text>'], summary: 'search titles and abstracts' },
  say: 'what to search for',
  slash: { description: 'Search titles and abstracts', option: 'What to search for', visibility: 'channel' },
  run: (app, _ctx, query) => search(app, query),
});
