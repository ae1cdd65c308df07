// `history [days]`: what you (in a channel: the channel) were sent, per day, with your reactions.
import { z } from 'zod';
import { deliveryHistory, type HistoryDay, type HistoryPaper, type Recipient } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, scopeSchema } from '../command.ts';
import { channelRecipient, clockOf, scopedRecipient, type CommandContext } from '../context.ts';
import { optional } from '../slash-form.ts';
import { countParser, type CliForms } from '../cli-form.ts';
import { defineCommand } from '../definition.ts';
import { literal } from '../markup.ts';
import { noticeReply, okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

/** Most papers listed in one reply: a long look back says how many more there were. */
export const HISTORY_SHOWN = 60;

const MARKS = { up: '👍', down: '👎', 'not-interested': '🙅 not for me' } as const;

function line(p: HistoryPaper): string {
  const marks = [p.reaction ? MARKS[p.reaction] : undefined, p.saved ? '🔖 saved' : undefined].filter(Boolean).join(' ');
  const title = p.title.length > 120 ? `${p.title.slice(0, 119)}…` : p.title;
  return `• ${literal(title)} (${literal(p.paperId)})${marks ? ` — ${marks}` : ''}`;
}

const historySchema = z.object({
  name: z.literal('history'),
  // Chat leaves it out; the CLI's --channel asks for the channel's deliveries with the channel's own reactions.
  scope: scopeSchema.optional(),
  days: z
    .number()
    .int()
    .min(1, 'history looks back at least 1 day')
    .max(COMMAND_LIMITS.maxHistoryDays, `history looks back at most ${COMMAND_LIMITS.maxHistoryDays} days`)
    .default(COMMAND_LIMITS.historyDays),
});
type HistoryCommand = z.output<typeof historySchema>;

/** What was sent to whom in the last `days` days, with whose reactions. */
interface HistoryResult {
  sentTo: Recipient;
  days: number;
  list: HistoryDay[];
}

async function applyHistory(app: CommandDeps, ctx: CommandContext, cmd: HistoryCommand): Promise<HistoryResult> {
  const me = scopedRecipient(ctx, cmd.scope);
  const sentTo = ctx.channelId ? channelRecipient(ctx) : me;
  return { sentTo, days: cmd.days, list: await deliveryHistory(app, sentTo, me, cmd.days, { now: clockOf(ctx) }) };
}

export async function history(app: CommandDeps, ctx: CommandContext, cmd: HistoryCommand): Promise<Reply> {
  const { sentTo, days, list } = await applyHistory(app, ctx, cmd);
  const whom = sentTo.kind === 'channel' ? 'this channel was' : 'you were';
  const span = `in the last ${days} ${days === 1 ? 'day' : 'days'}`;
  if (list.length === 0) return noticeReply(`Nothing was sent to ${sentTo.kind === 'channel' ? 'this channel' : 'you'} ${span}.`);
  const total = list.reduce((n, d) => n + d.papers.length, 0);
  const lines = [`**Papers ${whom} sent ${span}**: ${total} (days in UTC${sentTo.kind === 'channel' ? '; reactions are yours' : ''})`];
  let shown = 0;
  for (const day of list) {
    if (shown >= HISTORY_SHOWN) break;
    lines.push(`**${day.date}**`);
    for (const p of day.papers.slice(0, HISTORY_SHOWN - shown)) lines.push(line(p));
    shown += Math.min(day.papers.length, HISTORY_SHOWN - shown);
  }
  if (total > shown) lines.push(`_…and ${total - shown} more; ask for fewer days to see them._`);
  return okReply(lines.join('\n'), 'private');
}

/** `paperfeed history [--days n]`. */
const historyCli: CliForms<z.input<typeof historySchema>, HistoryCommand, HistoryResult> = {
  forms: [
    {
      name: 'history',
      description: 'papers delivered per day, with the reactions given',
      options: [
        {
          flags: '--days <n>',
          description: `how many days back (default ${COMMAND_LIMITS.historyDays}, at most ${COMMAND_LIMITS.maxHistoryDays})`,
          parse: countParser(1, COMMAND_LIMITS.maxHistoryDays),
          default: COMMAND_LIMITS.historyDays,
        },
      ],
      jsonWhat: 'the history',
      build: (i, scope) => ({ name: 'history', scope, days: i.opts.days as number }),
    },
  ],
  run: applyHistory,
  print({ days, list }) {
    if (list.length === 0) return `Nothing delivered in the last ${days} days.`;
    return list
      .flatMap((d) => [
        d.date,
        ...d.papers.map((p) => {
          const marks = [p.reaction, p.saved ? 'saved' : undefined].filter(Boolean).join(', ');
          return `  ${p.title} (${p.paperId})${marks ? ` [${marks}]` : ''}`;
        }),
      ])
      .join('\n');
  },
  json: (res) => res.list,
};

export const historyCommand = defineCommand({
  name: 'history',
  schema: historySchema,
  usage: { section: 'Your profile', forms: ['history [days]'], summary: 'what you (in a channel: the channel) were sent, per day, with your reactions (default 7 days, at most 90)' },
  /** `history`, `history 30`, `history 30d`, `history 30 days`. */
  parse(w, { usage }) {
    if (w.args.length === 0) return { name: 'history' as const };
    const m = /^(\d{1,6})(d|days?)?$/i.exec(w.args[0]!);
    const rest = w.args.slice(1).map((a) => a.toLowerCase());
    if (!m || !(rest.length === 0 || (rest.length === 1 && /^days?$/.test(rest[0]!)))) return usage('Say how many days to look back, like `history 30`');
    return { name: 'history' as const, days: Number(m[1]) };
  },
  discord: {
    forms: [
      {
        name: 'history',
        description: 'What you (in a channel: the channel) were sent, per day, with your reactions',
        options: [{ type: 'integer', name: 'days', description: `How many days back (default ${COMMAND_LIMITS.historyDays})`, required: false, min: 1, max: COMMAND_LIMITS.maxHistoryDays }],
        build: (o) => ({ name: 'history' as const, ...optional('days', o.integer('days')) }),
      },
    ],
  },
  cli: historyCli,
  run: history,
});
