// `similar` and `search`, and the "more like this" button: not personal, so they may be shown to a channel.
import { z } from 'zod';
import { paperLink } from '../../papers/links.ts';
import type { QueryOptions } from '../../search/search-service.ts';
import { MAX_QUERY_INPUT_CHARS, SEARCH_MODES, type ScoredPaper } from '../../search/search-types.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS } from '../command.ts';
import { cliOptions, isoDateText, wholeNumberText } from '../cli-form.ts';
import { textCommand } from '../definition.ts';
import { cardFromScored, noticeReply, okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

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

// The CLI's `similar` and `search`: more results, a date floor and a ranking mode, which chat leaves at their defaults.
const QUERY = cliOptions({
  k: { flags: '-k, --k <n>', description: 'how many', value: wholeNumberText(1, 1_000), default: 10 },
  since: { flags: '--since <date>', description: 'only papers from this date on (YYYY-MM-DD)', value: isoDateText },
  mode: {
    flags: '--mode <mode>',
    description: 'ranking: dense vectors, lexical BM25, or both fused (default from PAPERFEED_SEARCH_MODE)',
    choices: SEARCH_MODES,
    value: z.enum(SEARCH_MODES),
  },
});
type QueryExtra = z.output<typeof QUERY.extra>;

const searchOptions = (o: QueryExtra): QueryOptions => ({ k: o.k, mode: o.mode, filter: { since: o.since } });

/** The stable JSON shape of a search result: what scripts and the HTTP API rely on. */
function scoredJson(r: ScoredPaper) {
  return {
    id: r.paper.id,
    title: r.paper.title,
    score: Number(r.score.toFixed(6)),
    ...(r.cosine !== undefined ? { cosine: Number(r.cosine.toFixed(6)) } : {}),
    url: paperLink(r.paper),
    authors: r.paper.authors,
    published: r.paper.published ?? null,
  };
}

function scoredLine(r: ScoredPaper, rank: number): string {
  return `${String(rank).padStart(2)}. ${r.score.toFixed(3)}  ${r.paper.id.padEnd(18)}  ${r.paper.title}`;
}

const scoredLines = (results: readonly ScoredPaper[], none: string): string => (results.length ? results.map((r, i) => scoredLine(r, i + 1)).join('\n') : none);

const QUERY_JSON = 'an array of {id, title, score, url, ...}';

export const similarCommand = textCommand({
  name: 'similar',
  aliases: ['like'],
  field: 'query',
  what: 'what to find papers like',
  max: COMMAND_LIMITS.query,
  usage: { section: 'Finding papers', forms: ['similar <arXiv id | URL | title | text>'], summary: 'papers like a paper or a description' },
  say: 'which paper (arXiv id, link or title) or what text',
  slash: { description: 'Papers like a paper (arXiv id, link, title) or a description', option: 'An arXiv id, a link, a title or a few sentences', visibility: 'channel' },
  cli: {
    name: 'similar',
    description: 'papers like this one: an arXiv id, URL, paper id, title, or free text',
    argument: { name: '<query...>', description: 'what to find papers like' },
    // The whole of a pasted abstract, as much as the search reads.
    max: MAX_QUERY_INPUT_CHARS,
    options: QUERY.options,
    extra: QUERY.extra,
    recipient: false,
    jsonWhat: QUERY_JSON,
    run: (app, _ctx, query, _scope, o) => app.search.similar(query, searchOptions(o)),
    print: ({ query, results }) =>
      [
        query.kind === 'paper' ? `Papers like ${query.paper.id} "${query.paper.title}":` : `Papers like "${query.text}":`,
        scoredLines(results, 'No similar papers found.'),
      ].join('\n'),
    json: ({ results }) => results.map(scoredJson),
  },
  run: (app, _ctx, query) => similar(app, query),
});

export const searchCommand = textCommand({
  name: 'search',
  aliases: ['find'],
  field: 'query',
  what: 'what to search for',
  max: COMMAND_LIMITS.query,
  usage: { section: 'Finding papers', forms: ['search <text>'], summary: 'search titles and abstracts' },
  say: 'what to search for',
  slash: { description: 'Search titles and abstracts', option: 'What to search for', visibility: 'channel' },
  cli: {
    name: 'search',
    description: 'free-text search over titles and abstracts',
    argument: { name: '<text...>', description: 'words to search for' },
    max: MAX_QUERY_INPUT_CHARS,
    options: QUERY.options,
    extra: QUERY.extra,
    recipient: false,
    jsonWhat: QUERY_JSON,
    run: (app, _ctx, query, _scope, o) => app.search.searchText(query, searchOptions(o)),
    print: (results) => scoredLines(results, 'No matching papers.'),
    json: (results) => results.map(scoredJson),
  },
  run: (app, _ctx, query) => search(app, query),
});
