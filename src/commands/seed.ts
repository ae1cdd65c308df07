// `seed <arXiv id>`: a stored paper that anchors the feed ("more like this one").
import { addSeed, removeSeed } from '../recommend/index.ts';
import type { CommandDeps } from './deps.ts';
import { z } from 'zod';
import { COMMAND_LIMITS, textArg } from './command.ts';
import { need, textOption } from './slash-form.ts';
import { after, defineCommand, sub } from './definition.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { okReply, quote } from './replies.ts';
import type { Reply } from './reply.ts';

type SeedCommand = z.output<typeof seedSchema>;

export async function seed(app: CommandDeps, ctx: CommandContext, cmd: SeedCommand): Promise<Reply> {
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

const seedSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('seed'), op: z.literal('add'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  z.object({ name: z.literal('seed'), op: z.literal('remove'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
]);

export const seedCommand = defineCommand({
  name: 'seed',
  aliases: ['seeds'],
  schema: seedSchema,
  usage: { forms: ['seed <arXiv id>', 'seed remove <arXiv id>'], summary: '"more like this paper": a paper that anchors your feed' },
  parse(w, { usage }) {
    const op = sub(w.args[0]);
    if (op === 'remove' || op === 'add') {
      const paper = after(w.args, 1);
      return paper ? { name: 'seed' as const, op: op as 'add' | 'remove', paper } : usage('Say which paper');
    }
    return w.rest ? { name: 'seed' as const, op: 'add' as const, paper: w.rest } : usage('Say which paper (an arXiv id)');
  },
  discord: {
    groups: { seed: 'Seed papers that anchor your feed' },
    forms: [
      {
        group: 'seed',
        name: 'add',
        description: 'Anchor your feed on a paper: papers like it rank high',
        options: [textOption('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
        build: (o) => ({ name: 'seed' as const, op: 'add' as const, paper: need(o, 'paper') }),
      },
      { group: 'seed', name: 'remove' as const, description: 'Remove a seed paper', options: [textOption('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)], build: (o) => ({ name: 'seed' as const, op: 'remove' as const, paper: need(o, 'paper') }) },
    ],
  },
  run: seed,
});
