// `digest ...` and `channel digest ...`: when the daily digest goes out, and where.
import { localClock } from '../digests/clock.ts';
import { changeDigest, digestStatus, type DigestStatus } from '../digests/settings.ts';
import type { App } from '../service/app.ts';
import type { Command } from './command.ts';
import { channelRecipient, clockOf, requireChannelAdmin, userRecipient, type CommandContext } from './context.ts';
import { okReply } from './replies.ts';
import type { Reply } from './reply.ts';

type DigestCommand = Extract<Command, { name: 'digest' }>;

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

export async function digest(app: App, ctx: CommandContext, cmd: DigestCommand): Promise<Reply> {
  const now = clockOf(ctx);
  if (cmd.op === 'status') {
    const r = cmd.scope === 'channel' ? channelRecipient(ctx) : userRecipient(ctx);
    return okReply(describeDigest(await digestStatus(app, r, now), now), 'private');
  }
  const r = cmd.scope === 'channel' ? await requireChannelAdmin(ctx, 'the digest') : userRecipient(ctx);
  const { name: _name, scope: _scope, ...change } = cmd;
  const hint = r.kind === 'user' && (cmd.op === 'on' || cmd.op === 'time' || cmd.op === 'weekly') ? await ctx.userTimeZone?.() : undefined;
  const status = await changeDigest(app, r, change, { now, ...(hint ? { timeZoneHint: hint } : {}) });
  return okReply(describeDigest(status, now), 'private');
}
