import { Argument } from 'commander';
import { FEEDBACK_NAMES, feedbackKindOf, formatFeedback, recordFeedback } from '../../recommend/index.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import type { RegisterCommand } from '../context.ts';

/** Reactions that teach the feed: thumbs up/down, not interested (mutes: derived from their chat commands, ./core.ts). */
export const register: RegisterCommand = (program, ctx) => {
  addRecipientOptions(
    program
      .command('feedback')
      .description('react to a paper, as the buttons do: up and down move similar papers up or down; not-for-me hides it for good'),
  )
    .argument('<paper>', 'arXiv id, URL or paper id')
    .addArgument(new Argument('<reaction>', 'your reaction').choices(FEEDBACK_NAMES))
    .option('--json', 'print the result as JSON')
    .action(async (paper: string, reaction: string, o: RecipientOpts & { json?: boolean }) => {
      await ctx.withApp(async (app) => {
        const r = await recordFeedback(app, recipientFrom(o), paper, feedbackKindOf(reaction)!);
        if (o.json) ctx.printJson(r);
        else ctx.print(formatFeedback(r));
      });
    });
};
