// `digest ...` and `channel digest ...`: when the daily digest goes out, and where.
import { z } from 'zod';
import { localClock, WEEKDAYS } from '../../digests/clock.ts';
import { changeDigest, digestStatus, type DigestStatus } from '../../digests/settings.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, scopeSchema, timeArg, timeZoneArg } from '../command.ts';
import { choiceOption, need, oneOf, textOption, whoseFeed, type SlashForm, type SlashOption } from '../slash-form.ts';
import { after, defineCommand, sub, type ParseCall, type Words } from '../definition.ts';
import { changedRecipient, clockOf, scopedRecipient, type CommandContext } from '../context.ts';
import { okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

type DigestCommand = z.output<typeof digestSchema>;

/** " Next: today at 08:00." */
function nextWords(s: DigestStatus, now: Date): string {
  if (!s.next) return '';
  const next = new Date(s.next);
  const day = localClock(next, s.timeZone).date;
  const today = localClock(now, s.timeZone).date;
  const tomorrow = localClock(new Date(now.getTime() + 86_400_000), s.timeZone).date;
  const when = day === today ? 'today' : day === tomorrow ? 'tomorrow' : day;
  return ` Next: ${when} at ${s.time}.`;
}

/** One line on a recipient's digest, for `digest` and `profile`. */
export function describeDigest(s: DigestStatus, now: Date): string {
  const user = s.recipient.kind === 'user';
  const cadence = s.weekday ? 'weekly' : 'daily';
  const subject = user ? `Your ${cadence} digest` : `This channel's ${cadence} digest`;
  if (!s.enabled) {
    const why = s.disabledReason ? ` (turned off: ${s.disabledReason})` : '';
    const how = user ? '`digest on` or `digest time HH:MM`' : '`channel digest time HH:MM`';
    return `${subject} is off${why}. Turn it on with ${how}.`;
  }
  const where = user ? 'by direct message' : 'in this channel';
  if (s.weekday) {
    const day = `${s.weekday.charAt(0).toUpperCase()}${s.weekday.slice(1)}`;
    return `${subject} is on: every ${day} at ${s.time} (${s.timeZone}) ${where}, the week's best papers; a quiet week sends nothing.${nextWords(s, now)}`;
  }
  return `${subject} is on: every day at ${s.time} (${s.timeZone}) ${where}; quiet days send nothing.${nextWords(s, now)}`;
}

export async function digest(app: CommandDeps, ctx: CommandContext, cmd: DigestCommand): Promise<Reply> {
  const now = clockOf(ctx);
  if (cmd.op === 'status') {
    const r = scopedRecipient(ctx, cmd.scope);
    return okReply(describeDigest(await digestStatus(app, r, now), now), 'private');
  }
  const r = await changedRecipient(ctx, cmd.scope, 'the digest');
  const { name: _name, scope: _scope, ...change } = cmd;
  const hint = r.kind === 'user' && (cmd.op === 'on' || cmd.op === 'time' || cmd.op === 'weekly') ? await ctx.userTimeZone?.() : undefined;
  const status = await changeDigest(app, r, change, { now, ...(hint ? { timeZoneHint: hint } : {}) });
  return okReply(describeDigest(status, now), 'private');
}

const digestSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.literal('status') }),
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.enum(['on', 'off']) }),
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.literal('time'), time: timeArg }),
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.literal('timezone'), timeZone: timeZoneArg }),
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.literal('daily') }),
  z.object({ name: z.literal('digest'), scope: scopeSchema, op: z.literal('weekly'), day: z.enum(WEEKDAYS, 'a day is monday, tuesday, ... or sunday') }),
]);

/** "mon", "Monday", "mondays" → "monday". */
function weekdayWord(w: string | undefined): string | undefined {
  const s = w?.toLowerCase().replace(/s$/, '');
  if (!s || s.length < 3) return s;
  return WEEKDAYS.find((d) => d.startsWith(s)) ?? s;
}

function parseDigest(w: Words, { scope, usage }: ParseCall): z.input<typeof digestSchema> | Reply {
  const op = sub(w.args[0]) ?? 'status';
  const value = after(w.args, 1);
  switch (op) {
    case 'status':
    case 'on':
    case 'off':
      return w.args.length > 1 ? usage(`\`digest ${op}\` takes nothing more`) : { name: 'digest', scope, op };
    case 'time':
    case 'at':
      return value ? { name: 'digest', scope, op: 'time', time: value } : usage('Say the time, as HH:MM (24-hour)');
    case 'timezone':
      return value ? { name: 'digest', scope, op: 'timezone', timeZone: value } : usage('Say the time zone, like Europe/Berlin');
    case 'daily':
      return w.args.length > 1 ? usage('`digest daily` takes nothing more') : { name: 'digest', scope, op: 'daily' };
    case 'weekly':
      return w.args.length === 2
        ? { name: 'digest', scope, op: 'weekly', day: weekdayWord(w.args[1]) as 'monday' }
        : usage('Say the day, like `digest weekly monday`');
    default:
      return usage(`\`digest ${op.slice(0, 40)}\` is not a digest command`);
  }
}

export const digestCommand = defineCommand({
  name: 'digest',
  aliases: ['digests'],
  schema: digestSchema,
  usage: {
    section: 'Your feed',
    forms: ['digest', 'digest on', 'digest off', 'digest time HH:MM', 'digest timezone <Area/City>', 'digest weekly <day>', 'digest daily'],
    summary: "your digest by direct message, daily or weekly (the week's best), at your time in your time zone",
  },
  channelForms: [
    'channel digest',
    'channel digest time HH:MM',
    'channel digest timezone <Area/City>',
    'channel digest weekly <day>',
    'channel digest daily',
    'channel digest off',
  ],
  parse: parseDigest,
  discord: {
    groups: { digest: 'Your digest by direct message, daily or weekly' },
    forms: (scope) => {
      const whose = whoseFeed(scope);
      const form = (name: string, description: string, build: SlashForm<z.input<typeof digestSchema>>['build'], options: SlashOption[] = []) => ({
        group: 'digest',
        name,
        description,
        options,
        build,
      });
      return [
        { ...form('status', `When ${whose} daily digest goes out`, () => ({ name: 'digest' as const, scope, op: 'status' as const })), channelName: 'digest' },
        form('on', `Turn ${whose} daily digest on`, () => ({ name: 'digest' as const, scope, op: 'on' as const })),
        form('off', `Turn ${whose} daily digest off`, () => ({ name: 'digest' as const, scope, op: 'off' as const })),
        form('time', `Set the local time of ${whose} daily digest (turns it on)`, (o) => ({ name: 'digest' as const, scope, op: 'time' as const, time: need(o, 'time') }), [
          textOption('time', 'Local time, HH:MM 24-hour (e.g. 08:30)', 5),
        ]),
        form('timezone', `Set the time zone of ${whose} daily digest`, (o) => ({ name: 'digest' as const, scope, op: 'timezone' as const, timeZone: need(o, 'zone') }), [
          textOption('zone', 'IANA time zone, e.g. Europe/Berlin', COMMAND_LIMITS.timeZone, { autocomplete: true }),
        ]),
        form('weekly', `Make ${whose} digest weekly, the week's best on one day (turns it on)`, (o) => ({ name: 'digest' as const, scope, op: 'weekly' as const, day: oneOf(o, 'day', WEEKDAYS) }), [
          choiceOption('day', 'The local day the weekly digest goes out', WEEKDAYS),
        ]),
        form('daily', `Make ${whose} digest daily again (turns it on)`, () => ({ name: 'digest' as const, scope, op: 'daily' as const })),
      ];
    },
  },
  run: digest,
});
