import { formatPicks, getPicks } from '../../recommend/index.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import type { RegisterCommand } from '../context.ts';
import { parseCount, parseDate } from '../options.ts';

interface PicksOpts extends RecipientOpts {
  date?: string;
  n?: number;
  json?: boolean;
  dryRun?: boolean;
}

/** `paperfeed picks`: the day's picks for a user or channel, with a reason for each. */
export const register: RegisterCommand = (program, ctx) => {
  addRecipientOptions(
    program
      .command('picks')
      .description(
        "today's picks with the reason for each: papers first seen since the last digest (first digest: the last 24 hours); " +
          'delivered papers are recorded and never picked again',
      ),
  )
    .option('--date <date>', 'papers published or first seen on this day (YYYY-MM-DD) instead', parseDate)
    .option('-n, --n <n>', 'how many picks at most (default PAPERFEED_PICKS_N)', parseCount(1, 50))
    .option('--dry-run', 'show the picks without recording them as delivered')
    .option('--json', 'print the structured result as JSON')
    .action(async (o: PicksOpts) => {
      await ctx.withApp(async (app) => {
        const result = await getPicks(app, recipientFrom(o), {
          ...(o.date ? { date: o.date } : {}),
          ...(o.n !== undefined ? { n: o.n } : {}),
          record: !o.dryRun,
        });
        if (o.json) ctx.printJson(result);
        else ctx.print(formatPicks(result));
      });
    });
};
