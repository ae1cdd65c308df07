// `mute` / `unmute`: keep an author, a keyword or a topic out of the feed for a while.
import { mute as muteOp, unmute as unmuteOp, type MuteTarget } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import type { Command } from './command.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type MuteCommand = Extract<Command, { name: 'mute' }>;
type UnmuteCommand = Extract<Command, { name: 'unmute' }>;

const targetOf = (c: { kind: MuteCommand['kind']; value: string }): MuteTarget =>
  c.kind === 'author' ? { author: c.value } : c.kind === 'keyword' ? { keyword: c.value } : { topic: c.value };

export async function mute(app: App, ctx: CommandContext, cmd: MuteCommand): Promise<Reply> {
  const m = await muteOp(app, userRecipient(ctx), targetOf(cmd), cmd.days, { now: clockOf(ctx) });
  const unknown = m.stored === false ? ' No stored paper is by them yet (names match as written on the papers).' : '';
  return okReply(`Muted ${m.kind} ${quote(m.value)} for ${cmd.days} ${cmd.days === 1 ? 'day' : 'days'} (until ${m.until.slice(0, 10)}).${unknown}`, 'private');
}

export async function unmute(app: App, ctx: CommandContext, cmd: UnmuteCommand): Promise<Reply> {
  const m = await unmuteOp(app, userRecipient(ctx), targetOf(cmd), { now: clockOf(ctx) });
  return okReply(`Unmuted ${m.kind} ${quote(m.value)}.`, 'private');
}
