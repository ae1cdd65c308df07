// `similar` and `search`, and the "more like this" button: not personal, so they may be shown to a channel.
import { z } from 'zod';
import type { App } from '../service/app.ts';
import { COMMAND_LIMITS, textArg } from './command.ts';
import { need, textOption } from './slash-form.ts';
import { defineCommand, needRest } from './definition.ts';
import { cardFromScored, noticeReply, okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

/** Papers like a paper (arXiv id, URL, paper id, title) or like a description. */
export async function similar(app: App, query: string, visibility: Reply['visibility'] = 'channel'): Promise<Reply> {
  const { query: resolved, results } = await app.search.similar(query, { k: COMMAND_LIMITS.results });
  const like = resolved.kind === 'paper' ? `${quote(resolved.paper.title)} (${resolved.paper.id})` : quote(resolved.text);
  if (results.length === 0) return noticeReply(`No stored papers are like ${like} yet.`, visibility);
  const why = resolved.kind === 'paper' ? `similar to ${quote(resolved.paper.title, 60)}` : `similar to ${quote(resolved.text, 60)}`;
  return okReply(`**Papers like ${like}**`, visibility, results.map((r) => cardFromScored(r, why)));
}

export async function search(app: App, query: string): Promise<Reply> {
  const results = await app.search.searchText(query, { k: COMMAND_LIMITS.results });
  if (results.length === 0) return noticeReply(`No stored papers match ${quote(query)}.`, 'channel');
  return okReply(`**Search: ${quote(query)}**`, 'channel', results.map((r) => cardFromScored(r, `matches ${quote(query, 60)}`)));
}

export const similarCommand = defineCommand({
  name: 'similar',
  aliases: ['like'],
  schema: z.object({ name: z.literal('similar'), query: textArg('what to find papers like', COMMAND_LIMITS.query) }),
  usage: { forms: ['similar <arXiv id | URL | title | text>'], summary: 'papers like a paper or a description' },
  parse: (w, call) => needRest(w, call, (query) => ({ name: 'similar' as const, query }), 'which paper (arXiv id, link or title) or what text'),
  discord: {
    forms: [
      {
        name: 'similar',
        description: 'Papers like a paper (arXiv id, link, title) or a description',
        options: [textOption('query', 'An arXiv id, a link, a title or a few sentences', COMMAND_LIMITS.query)],
        visibility: 'channel',
        build: (o) => ({ name: 'similar' as const, query: need(o, 'query') }),
      },
    ],
  },
  run: (app, _ctx, cmd) => similar(app, cmd.query),
});

export const searchCommand = defineCommand({
  name: 'search',
  aliases: ['find'],
  schema: z.object({ name: z.literal('search'), query: textArg('what to search for', COMMAND_LIMITS.query) }),
  usage: { forms: ['search <text>'], summary: 'search titles and abstracts' },
  parse: (w, call) => needRest(w, call, (query) => ({ name: 'search' as const, query }), 'what to search for'),
  discord: {
    forms: [
      {
        name: 'search',
        description: 'Search titles and abstracts',
        options: [textOption('query', 'What to search for', COMMAND_LIMITS.query)],
        visibility: 'channel',
        build: (o) => ({ name: 'search' as const, query: need(o, 'query') }),
      },
    ],
  },
  run: (app, _ctx, cmd) => search(app, cmd.query),
});
