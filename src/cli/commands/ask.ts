import { UserError } from '../../errors.ts';
import { ask, ASK_DEFAULT_K, ASK_MAX_K, type AskResult } from '../../llm/ask.ts';
import type { RegisterCommand } from '../context.ts';
import { parseCount } from '../options.ts';

/** The answer, then the papers: the cited ones under "Sources", else those retrieved. */
export function askText(r: AskResult): string {
  const lines = [r.answer];
  const shown = r.status === 'answered' ? r.citations : r.status === 'nothing-relevant' ? [] : r.sources;
  if (shown.length) {
    lines.push('', r.status === 'answered' ? 'Sources:' : 'Papers:');
    for (const c of shown) lines.push(`[${c.n}] ${c.title}\n    ${c.url}`);
  }
  if (r.dropped.length) lines.push('', `(removed citation${r.dropped.length === 1 ? '' : 's'} to papers not retrieved: ${r.dropped.map((n) => `[${n}]`).join(' ')})`);
  return lines.join('\n');
}

/** `paperfeed ask "<question>"`: an answer from the index's papers, with numbered citations. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('ask')
    .description('answer a question from the stored papers, citing them (needs OPENAI_API_KEY or OPENAI_BASE_URL)')
    .argument('<question...>', 'the question')
    .option('-k, --k <n>', `papers to retrieve and answer from (at most ${ASK_MAX_K})`, parseCount(1, ASK_MAX_K), ASK_DEFAULT_K)
    .option('--json', 'print JSON: {status, answer, citations[{n, paperId, title, url}], sources, dropped}')
    .action(async (words: string[], o: { k: number; json?: boolean }) => {
      await ctx.withApp(async (app) => {
        // The operator's own CLI is under the daily budget but not a per-user rate limit.
        const result = await ask(app, app.llm, words.join(' '), { k: o.k });
        if (o.json) return ctx.printJson(result);
        if (result.status === 'unavailable' && result.reason === 'off') {
          throw new UserError(
            '`ask` needs a language model: set OPENAI_API_KEY, or OPENAI_BASE_URL for a compatible server ' +
              '(`paperfeed search` finds papers without one)',
          );
        }
        ctx.print(askText(result));
      });
    });
};
