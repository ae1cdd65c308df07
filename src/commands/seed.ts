// `seed <arXiv id>`: a stored paper that anchors the feed ("more like this one").
import { addSeed, removeSeed } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import type { Command } from './command.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type SeedCommand = Extract<Command, { name: 'seed' }>;

export async function seed(app: App, ctx: CommandContext, cmd: SeedCommand): Promise<Reply> {
  const r = userRecipient(ctx);
  if (cmd.op === 'remove') {
    const s = await removeSeed(app, r, cmd.paper, { now: clockOf(ctx) });
    return okReply(`Removed seed paper ${quote(s.title)} (${s.paperId}).`, 'private');
  }
  const s = await addSeed(app, r, cmd.paper, { now: clockOf(ctx) });
  return okReply(
    s.added ? `Seed paper added: ${quote(s.title)} (${s.paperId}). Papers like it will rank high.` : `${quote(s.title)} (${s.paperId}) is already a seed paper.`,
    'private',
  );
}
