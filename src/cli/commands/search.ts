import { type Command, Option } from 'commander';
import type { SearchMode } from '../../search/search-types.ts';
import type { RegisterCommand } from '../context.ts';
import { scoredJson, scoredLine } from '../format.ts';
import { parseCount, parseDate } from '../options.ts';

const modeOption = () =>
  new Option('--mode <mode>', 'ranking: dense vectors, lexical BM25, or both fused (default from PAPERFEED_SEARCH_MODE)').choices([
    'hybrid',
    'dense',
    'lexical',
  ]);

/** The options `similar` and `search` share. */
const withQueryOptions = (cmd: Command): Command =>
  cmd
    .option('-k, --k <n>', 'how many', parseCount(1, 1_000), 10)
    .option('--since <date>', 'only papers from this date on (YYYY-MM-DD)', parseDate)
    .addOption(modeOption())
    .option('--json', 'print JSON: an array of {id, title, score, url, ...}');

interface QueryOpts {
  k: number;
  since?: string;
  mode?: SearchMode;
  json?: boolean;
}

/** Query commands: similar, search, reindex. */
export const register: RegisterCommand = (program, ctx) => {
  withQueryOptions(
    program
      .command('similar')
      .description('papers like this one: an arXiv id, URL, paper id, title, or free text')
      .argument('<query...>', 'what to find papers like'),
  ).action(async (words: string[], o: QueryOpts) => {
      await ctx.withApp(async (app) => {
        const { query, results } = await app.search.similar(words.join(' '), {
          k: o.k,
          mode: o.mode,
          filter: { since: o.since },
        });
        if (o.json) return ctx.printJson(results.map(scoredJson));
        ctx.print(query.kind === 'paper' ? `Papers like ${query.paper.id} "${query.paper.title}":` : `Papers like "${query.text}":`);
        ctx.print(results.length ? results.map((r, i) => scoredLine(r, i + 1)).join('\n') : 'No similar papers found.');
      }, { oneQuery: true });
    });

  withQueryOptions(
    program
      .command('search')
      .description('free-text search over titles and abstracts')
      .argument('<text...>', 'words to search for'),
  ).action(async (words: string[], o: QueryOpts) => {
      await ctx.withApp(async (app) => {
        const results = await app.search.searchText(words.join(' '), { k: o.k, mode: o.mode, filter: { since: o.since } });
        if (o.json) return ctx.printJson(results.map(scoredJson));
        ctx.print(results.length ? results.map((r, i) => scoredLine(r, i + 1)).join('\n') : 'No matching papers.');
      }, { oneQuery: true });
    });

  program
    .command('reindex')
    .description('re-embed every paper with the configured provider and rebuild the index')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const r = await app.reindex();
        if (o.json) ctx.printJson(r);
        else ctx.print(`reindexed ${r.papers} papers with ${r.provider} (${r.embedded} embedded, the rest from the cache)`);
      }, { forReindex: true });
    });
};
