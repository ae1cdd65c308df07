// `seed <arXiv id>`: a stored paper that anchors the feed ("more like this one").
import { addSeed, removeSeed } from '../../recommend/index.ts';
import type { CommandDeps } from '../deps.ts';
import { z } from 'zod';
import { COMMAND_LIMITS, scopeSchema, textArg } from '../command.ts';
import { need, textOption } from '../slash-form.ts';
import { wordsOf, type CliForms } from '../cli-form.ts';
import { after, defineCommand, sub } from '../definition.ts';
import { changedRecipient, clockOf, type CommandContext } from '../context.ts';
import { okReply, quote } from '../replies.ts';
import type { Reply } from '../reply.ts';

type SeedCommand = z.output<typeof seedSchema>;

/** What a seed command did, for chat and the CLI to show each in its way (`added` only for `add`). */
type SeedResult = { op: SeedCommand['op']; seed: { paperId: string; title: string; added?: boolean } };

async function applySeed(app: CommandDeps, ctx: CommandContext, cmd: SeedCommand): Promise<SeedResult> {
  const r = await changedRecipient(ctx, cmd.scope, 'the seed papers');
  const now = clockOf(ctx);
  return { op: cmd.op, seed: cmd.op === 'remove' ? await removeSeed(app, r, cmd.paper, { now }) : await addSeed(app, r, cmd.paper, { now }) };
}

export async function seed(app: CommandDeps, ctx: CommandContext, cmd: SeedCommand): Promise<Reply> {
  const { op, seed: s } = await applySeed(app, ctx, cmd);
  if (op === 'remove') return okReply(`Removed seed paper ${quote(s.title)} (${s.paperId}).`, 'private');
  return okReply(
    s.added ? `Seed paper added: ${quote(s.title)} (${s.paperId}). Papers like it will rank high.` : `${quote(s.title)} (${s.paperId}) is already a seed paper.`,
    'private',
  );
}

// Chat seeds are the user's own (no scope); the CLI's --channel sets a channel's.
const seedSchema = z.discriminatedUnion('op', [
  z.object({ name: z.literal('seed'), scope: scopeSchema.optional(), op: z.literal('add'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  z.object({ name: z.literal('seed'), scope: scopeSchema.optional(), op: z.literal('remove'), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
]);

/** `paperfeed seeds add|remove <paper...>`. */
const seedCli: CliForms<z.input<typeof seedSchema>, SeedCommand, SeedResult> = {
  groups: { seeds: 'seed papers: "more like this one"' },
  forms: [
    {
      group: 'seeds',
      name: 'add',
      description: 'add a stored paper as a seed',
      arguments: [{ name: '<paper...>', description: 'arXiv id, URL, paper id or exact title' }],
      build: (i, scope) => ({ name: 'seed', scope, op: 'add', paper: wordsOf(i) }),
    },
    {
      group: 'seeds',
      name: 'remove',
      description: 'remove a seed paper',
      arguments: [{ name: '<paper...>', description: 'paper id, arXiv id, number or title' }],
      build: (i, scope) => ({ name: 'seed', scope, op: 'remove', paper: wordsOf(i) }),
    },
  ],
  run: applySeed,
  print: ({ op, seed: s }) => (op === 'remove' ? `Removed seed: ${s.title} (${s.paperId})` : `${s.added ? 'Added' : 'Already a'} seed: ${s.title} (${s.paperId})`),
  // As the operations return them.
  json: (res) => res.seed,
};

export const seedCommand = defineCommand({
  name: 'seed',
  aliases: ['seeds'],
  schema: seedSchema,
  usage: { section: 'Your feed', forms: ['seed <arXiv id>', 'seed remove <arXiv id>'], summary: '"more like this paper": a paper that anchors your feed' },
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
  cli: seedCli,
  run: seed,
});
