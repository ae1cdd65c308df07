// `up`, `down`, `not for me`: reactions to a paper, typed or clicked (card buttons).
import { z } from 'zod';
import { FEEDBACK_NAMES, feedbackKindOf, formatFeedback, recordFeedback, type FeedbackKind, type FeedbackResult } from '../../recommend/index.ts';
import { FEEDBACK_KINDS } from '../../recommend/profile.ts';
import type { CommandDeps } from '../deps.ts';
import { COMMAND_LIMITS, scopeSchema, textArg } from '../command.ts';
import { changedRecipient, clockOf, type CommandContext } from '../context.ts';
import type { CliForms } from '../cli-form.ts';
import { need, textOption, type OptionReader } from '../slash-form.ts';
import { defineCommand } from '../definition.ts';
import { literal } from '../markup.ts';
import { okReply } from '../replies.ts';
import type { Reply } from '../reply.ts';

const feedbackSchema = z.object({
  name: z.literal('feedback'),
  // Chat reactions are the user's own (no scope); the CLI's --channel reacts for a channel.
  scope: scopeSchema.optional(),
  kind: z.enum(FEEDBACK_KINDS),
  paper: textArg('a paper', COMMAND_LIMITS.paperRef),
});
type FeedbackCommand = z.output<typeof feedbackSchema>;

/** Records the reaction on the user's own profile (in chat never a channel's; the CLI's --channel can). */
const applyFeedback = async (app: CommandDeps, ctx: CommandContext, cmd: FeedbackCommand): Promise<FeedbackResult> =>
  recordFeedback(app, await changedRecipient(ctx, cmd.scope, 'the reactions'), cmd.paper, cmd.kind, { now: clockOf(ctx) });

/** A reaction, typed or clicked, and what changed. */
export async function react(app: CommandDeps, ctx: CommandContext, paper: string, kind: FeedbackKind): Promise<Reply> {
  return okReply(literal(formatFeedback(await applyFeedback(app, ctx, { name: 'feedback', kind, paper }))), 'private');
}

/** `paperfeed feedback <paper> <reaction>`. */
const feedbackCli: CliForms<z.input<typeof feedbackSchema>, FeedbackCommand, FeedbackResult> = {
  forms: [
    {
      name: 'feedback',
      description: 'react to a paper, as the buttons do: up and down move similar papers up or down; not-for-me hides it for good',
      arguments: [
        { name: '<paper>', description: 'arXiv id, URL or paper id' },
        { name: '<reaction>', description: 'your reaction', choices: FEEDBACK_NAMES },
      ],
      build: (i, scope) => ({ name: 'feedback', scope, paper: i.args[0] as string, kind: feedbackKindOf(i.args[1] as string)! }),
    },
  ],
  run: applyFeedback,
  print: formatFeedback,
};

/** `up <paper>`, `down <paper>`, `not for me <paper>` (also `not-for-me`): the card buttons, typed. */
export const feedbackCommand = defineCommand({
  name: 'feedback',
  schema: feedbackSchema,
  usage: {
    section: 'Your feed',
    forms: ['up <arXiv id | title>', 'down <arXiv id | title>', 'not for me <arXiv id | title>'],
    summary: 'the card buttons, typed: up shows more like it, down fewer, "not for me" hides it for good',
  },
  // Named like the buttons, so read from the first words rather than by the name `feedback`.
  parseWords(words, { usage }) {
    for (const n of [3, 1]) {
      const kind = words.length >= n ? feedbackKindOf(words.slice(0, n).join(' ')) : undefined;
      if (!kind) continue;
      const paper = words.slice(n).join(' ');
      return paper ? { name: 'feedback' as const, kind, paper } : usage('Say which paper (an arXiv id, link or title)');
    }
    return undefined;
  },
  // `/papers up|down|not-for-me paper:…`, named like the buttons.
  discord: {
    forms: (
      [
        ['up', 'up', 'Thumbs up: more papers like this one'],
        ['down', 'down', 'Thumbs down: fewer papers like this one'],
        ['not-for-me', 'not-interested', 'Not for me: never this paper again, similar ones a little lower'],
      ] as const
    ).map(([name, kind, description]) => ({
      name,
      description,
      options: [textOption('paper', 'An arXiv id, link or title', COMMAND_LIMITS.paperRef)],
      build: (o: OptionReader) => ({ name: 'feedback' as const, kind, paper: need(o, 'paper') }),
    })),
  },
  cli: feedbackCli,
  run: (app, ctx, cmd) => react(app, ctx, cmd.paper, cmd.kind),
});
