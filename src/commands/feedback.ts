// `up`, `down`, `not for me`: reactions to a paper, typed or clicked (card buttons).
import { z } from 'zod';
import { feedbackKindOf, formatFeedback, recordFeedback, type FeedbackKind } from '../recommend/index.ts';
import { FEEDBACK_KINDS } from '../recommend/profile.ts';
import type { CommandDeps } from './deps.ts';
import { COMMAND_LIMITS, textArg } from './command.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { need, textOption, type OptionReader } from './slash-form.ts';
import { defineCommand } from './definition.ts';
import { literal } from './markup.ts';
import { okReply } from './replies.ts';
import type { Reply } from './reply.ts';

/** Records the reaction on the user's own profile (never a channel's) and says what changed. */
export async function react(app: CommandDeps, ctx: CommandContext, paper: string, kind: FeedbackKind): Promise<Reply> {
  const f = await recordFeedback(app, userRecipient(ctx), paper, kind, { now: clockOf(ctx) });
  return okReply(literal(formatFeedback(f)), 'private');
}

/** `up <paper>`, `down <paper>`, `not for me <paper>` (also `not-for-me`): the card buttons, typed. */
export const feedbackCommand = defineCommand({
  name: 'feedback',
  schema: z.object({ name: z.literal('feedback'), kind: z.enum(FEEDBACK_KINDS), paper: textArg('a paper', COMMAND_LIMITS.paperRef) }),
  usage: {
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
  run: (app, ctx, cmd) => react(app, ctx, cmd.paper, cmd.kind),
});
