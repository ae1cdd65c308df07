// `ask <question>`: an answer from the stored papers with numbered citations, the cited papers as cards.
import { UserError } from '../../errors.ts';
import { ask as askModel, ASK_DEFAULT_K, ASK_MAX_K, type AskResult, type Citation } from '../../llm/index.ts';
import { MAX_QUERY_INPUT_CHARS } from '../../search/search-types.ts';
import type { Paper } from '../../papers/paper.ts';
import { recipientKey } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS } from '../command.ts';
import { cliOptions, wholeNumberText } from '../cli-form.ts';
import { userRecipient, type CommandContext } from '../context.ts';
import { textCommand } from '../definition.ts';
import { cardFromPaper, noticeReply, okReply, quote } from '../replies.ts';
import type { PaperCard, Reply } from '../reply.ts';

/** Said when no model is configured; `search` needs none. */
export const ASK_NEEDS_MODEL =
  '`ask` needs a language model, and none is configured here (whoever runs paperfeed can set OPENAI_API_KEY, ' +
  'or OPENAI_BASE_URL for a compatible server). Meanwhile `search <words>` finds papers without one.';

/**
 * The model's text as plain words: a markdown link it wrote (perhaps copied from an abstract) is
 * shown as its label and URL, never as a masked link on Slack or Discord.
 */
export function modelText(s: string): string {
  return s.replace(/\[([^\]\n]*)\]\(([^)\s]*)\)/g, (_m, label: string, url: string) => (label ? `${label} (${url})` : url));
}

async function cards(app: CommandDeps, shown: readonly Citation[], why: (c: Citation) => string, score: (c: Citation) => number | undefined): Promise<PaperCard[]> {
  const papers = new Map<string, Paper>((await app.store.getPapers(shown.map((c) => c.paperId))).map((p) => [p.id, p]));
  // A paper removed since it was retrieved simply has no card.
  return shown.flatMap((c) => {
    const paper = papers.get(c.paperId);
    return paper ? [cardFromPaper(paper, [why(c)], score(c))] : [];
  });
}

/** The result as a Reply: the answer, then the cited papers (or, when there is no answer, the relevant ones). */
export async function askReply(app: CommandDeps, question: string, r: AskResult): Promise<Reply> {
  if (r.status === 'nothing-relevant') return noticeReply(r.answer, 'private');
  const similarity = new Map(r.sources.map((s) => [s.n, s.similarity]));
  const sim = (c: Citation) => similarity.get(c.n);
  const simText = (c: Citation) => (sim(c) !== undefined ? ` (similarity ${sim(c)!.toFixed(2)})` : '');
  if (r.status === 'answered') {
    const lines = [`**Answer** to ${quote(question, 200)}:`, modelText(r.answer)];
    if (r.dropped.length) {
      const which = r.dropped.map((n) => `[${n}]`).join(' ');
      const what = r.dropped.length === 1 ? 'a citation to a paper that was' : 'citations to papers that were';
      lines.push(`_Removed ${what} not found: ${which}_`);
    }
    // The cards carry the answer's numbers: Slack does not number cards, and Discord numbers them by position.
    return okReply(lines.join('\n'), 'private', await cards(app, r.citations, (c) => `cited as [${c.n}]${simText(c)}`, sim));
  }
  // unavailable or rate-limited: the answer text already ends with "These papers look relevant:".
  return okReply(r.answer, 'private', await cards(app, r.sources, (c) => `relevant to your question${simText(c)}`, sim));
}

/**
 * Private: the question is the asker's, and so is the per-user hourly limit it counts against.
 * Without a model the reply says so at once; nothing is searched or sent.
 */
export async function ask(app: CommandDeps, ctx: CommandContext, question: string): Promise<Reply> {
  const { llm } = app;
  if (!llm) return noticeReply(ASK_NEEDS_MODEL, 'private');
  const result = await askModel(app, llm, question, { user: recipientKey(userRecipient(ctx)), k: ASK_DEFAULT_K });
  return askReply(app, question, result);
}

/** The CLI's answer, then the papers: the cited ones under "Sources", else those retrieved. */
function askText(r: AskResult): string {
  if (r.status === 'unavailable' && r.reason === 'off') {
    throw new UserError(
      '`ask` needs a language model: set OPENAI_API_KEY, or OPENAI_BASE_URL for a compatible server ' +
        '(`paperfeed search` finds papers without one)',
    );
  }
  const lines = [r.answer];
  const shown = r.status === 'answered' ? r.citations : r.status === 'nothing-relevant' ? [] : r.sources;
  if (shown.length) {
    lines.push('', r.status === 'answered' ? 'Sources:' : 'Papers:');
    for (const c of shown) lines.push(`[${c.n}] ${c.title}\n    ${c.url}`);
  }
  if (r.dropped.length) lines.push('', `(removed citation${r.dropped.length === 1 ? '' : 's'} to papers not retrieved: ${r.dropped.map((n) => `[${n}]`).join(' ')})`);
  return lines.join('\n');
}

const ASK = cliOptions({
  k: { flags: '-k, --k <n>', description: `papers to retrieve and answer from (at most ${ASK_MAX_K})`, value: wholeNumberText(1, ASK_MAX_K), default: ASK_DEFAULT_K },
});

export const askCommand = textCommand({
  name: 'ask',
  field: 'question',
  what: 'a question',
  max: COMMAND_LIMITS.question,
  usage: { section: 'Finding papers', forms: ['ask <question>'], summary: 'an answer from the stored papers, citing them (needs a language model)' },
  say: 'what you want to know',
  // The question and the hourly limit it counts against are the asker's: private.
  slash: { description: 'An answer from the stored papers, citing them (needs a language model)', option: 'Your question, e.g. "how can diffusion models sample faster?"' },
  cli: {
    name: 'ask',
    description: 'answer a question from the stored papers, citing them (needs OPENAI_API_KEY or OPENAI_BASE_URL)',
    argument: { name: '<question...>', description: 'the question' },
    // As long as the CLI always took; the prompt reads the start of it.
    max: MAX_QUERY_INPUT_CHARS,
    options: ASK.options,
    extra: ASK.extra,
    recipient: false,
    jsonWhat: 'the result ({status, answer, citations[{n, paperId, title, url}], sources, dropped})',
    // The operator's own CLI is under the daily budget but not a per-user rate limit.
    run: (app, _ctx, question, _scope, o) => askModel(app, app.llm, question, { k: o.k }),
    print: askText,
  },
  run: ask,
});
