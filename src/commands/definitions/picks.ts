// `today` and `why`: a recipient's picks and the reasons behind one paper.
import { z } from 'zod';
import { explainPaper, formatExplanation, formatPicks, getPicks, type CandidateWindow, type PicksResult } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, scopeSchema, type Scope } from '../command.ts';
import { cliOptions, isoDateText, wholeNumberText } from '../cli-form.ts';
import { clockOf, scopedRecipient, userRecipient, type CommandContext } from '../context.ts';
import { defineCommand, noArgs, textCommand } from '../definition.ts';
import { enrichPicks } from '../enrich.ts';
import { literal } from '../markup.ts';
import { cardFromPaper, cardFromPick, noticeReply, okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

function windowWords(w: CandidateWindow, kind: 'user' | 'channel'): string {
  switch (w.kind) {
    case 'date':
      return `from ${w.date}`;
    case 'first-digest':
      return 'from the last 24 hours';
    case 'last-days':
      return `from the last ${w.days} days`;
    case 'since-last-digest':
      return w.capped ? 'from the last 7 days' : `since ${kind === 'user' ? 'your' : 'the'} last digest`;
  }
}

/**
 * Picks as a Reply: cards with their reasons, or the engine's notice when there are none. Used by
 * `today` and by the scheduled digests, so both read the same.
 */
export function picksReply(res: PicksResult, heading: string, visibility: Reply['visibility'] = 'private'): Reply {
  // The engine's words can quote a profile's topics and keywords: literal, like all user text.
  const notes = res.warnings.map((w) => `_Note: ${literal(w)}_`);
  if (res.picks.length === 0) {
    return noticeReply([...notes, literal(res.notice ?? 'No picks right now.')].join('\n'), visibility);
  }
  const count = `${res.picks.length} ${res.picks.length === 1 ? 'paper' : 'papers'}`;
  const lines = [...notes, `**${literal(heading)}**: ${count} ${windowWords(res.window, res.recipient.kind)}`];
  if (res.hint) lines.push(`_${literal(res.hint)}_`);
  return okReply(lines.join('\n'), visibility, res.picks.map(cardFromPick));
}

/** Your picks now; they count as delivered, so neither `today` nor the digest repeats them. */
export async function today(app: CommandDeps, ctx: CommandContext): Promise<Reply> {
  const res = await getPicks(app, userRecipient(ctx), { record: true, now: clockOf(ctx) });
  return enrichPicks(app, res, picksReply(res, 'Your picks'));
}

/** For the user (in chat always) or, with the CLI's --channel, the channel. */
const explainFor = (app: CommandDeps, ctx: CommandContext, paperRef: string, scope?: Scope) =>
  explainPaper(app, scopedRecipient(ctx, scope), paperRef, { now: clockOf(ctx) });

export async function why(app: CommandDeps, ctx: CommandContext, paperRef: string, scope?: Scope): Promise<Reply> {
  const e = await explainFor(app, ctx, paperRef, scope);
  const reasons = e.excluded ? [`not picked: ${e.excluded.text}`] : e.reasons.map((r) => r.text);
  return okReply(literal(formatExplanation(e)), 'private', [cardFromPaper(e.paper, reasons, e.score)]);
}

/** The CLI's `picks`: another day, another count, or a look without recording (chat's `today` takes none of them). */
const PICKS = cliOptions({
  date: { flags: '--date <date>', description: 'papers published or first seen on this day (YYYY-MM-DD) instead', value: isoDateText },
  n: { flags: '-n, --n <n>', description: 'how many picks at most (default PAPERFEED_PICKS_N)', value: wholeNumberText(1, 50) },
  dryRun: { flags: '--dry-run', description: 'show the picks without recording them as delivered' },
});

export const todayCommand = defineCommand({
  name: 'today',
  aliases: ['picks'],
  // The CLI's --channel asks for the channel's picks; chat leaves the scope out.
  schema: z.object({ name: z.literal('today'), scope: scopeSchema.optional() }),
  usage: { section: 'Your picks', forms: ['today'], summary: 'your picks now (papers since your last digest)' },
  parse: (w, call) => noArgs('today', w, call, { name: 'today' as const }),
  discord: { forms: [{ name: 'today' as const, description: 'Your picks now (papers since your last digest)', build: () => ({ name: 'today' as const }) }] },
  cli: {
    forms: [
      {
        name: 'picks',
        description:
          "today's picks with the reason for each: papers first seen since the last digest (first digest: the last 24 hours); " +
          'delivered papers are recorded and never picked again',
        options: PICKS.options,
        jsonWhat: 'the structured result',
        build: (_i, scope) => ({ name: 'today' as const, scope }),
      },
    ],
    extra: PICKS.extra,
    run: (app, ctx, cmd, o: z.output<typeof PICKS.extra>) =>
      getPicks(app, scopedRecipient(ctx, cmd.scope), {
        ...(o.date ? { date: o.date } : {}),
        ...(o.n !== undefined ? { n: o.n } : {}),
        record: !o.dryRun,
        now: clockOf(ctx),
      }),
    print: formatPicks,
  },
  run: (app, ctx) => today(app, ctx),
});

export const whyCommand = textCommand({
  name: 'why',
  field: 'paper',
  what: 'a paper',
  max: COMMAND_LIMITS.paperRef,
  usage: { section: 'Your picks', forms: ['why <arXiv id | title>'], summary: 'why a paper would (or would not) be picked for you' },
  say: 'which paper',
  slash: { description: 'Why a paper would (or would not) be picked for you', option: 'An arXiv id, link or title' },
  cli: {
    name: 'why',
    description: 'why a paper would (or would not) be picked for the recipient',
    argument: { name: '<paper>', description: 'arXiv id, URL, paper id or exact title' },
    run: explainFor,
    print: formatExplanation,
  },
  run: why,
});
