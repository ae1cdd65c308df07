import { Argument, Option } from 'commander';
import { FEEDBACK_NAMES, feedbackKindOf, formatFeedback, formatMute, mute, recordFeedback, unmute, type MuteTarget } from '../../recommend/index.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import { UserError } from '../../errors.ts';
import type { RegisterCommand } from '../context.ts';
import { parseCount } from '../options.ts';

interface MuteOpts extends RecipientOpts {
  author?: string;
  keyword?: string;
  topic?: string;
  days: number;
  json?: boolean;
}

function targetFrom(o: MuteOpts): MuteTarget {
  const given = [o.author !== undefined && { author: o.author }, o.keyword !== undefined && { keyword: o.keyword }, o.topic !== undefined && { topic: o.topic }].filter(
    (x): x is MuteTarget => Boolean(x),
  );
  if (given.length !== 1) throw new UserError('give exactly one of --author, --keyword or --topic');
  return given[0]!;
}

/** Reactions that teach the feed: thumbs up/down, not interested, and mutes for N days. */
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

  const muteOptions = (cmd: ReturnType<typeof program.command>) =>
    addRecipientOptions(cmd)
      .addOption(new Option('--author <name>', 'an author'))
      .addOption(new Option('--keyword <phrase>', 'a word or phrase in title or abstract'))
      .addOption(new Option('--topic <text>', 'a topic: papers as close to it as a pick would be to a topic'))
      .option('--json', 'print the result as JSON');

  muteOptions(program.command('mute').description('hide an author, a keyword or a topic for some days'))
    .requiredOption('--days <n>', 'for how many days', parseCount(1, 3650))
    .action(async (o: MuteOpts) => {
      await ctx.withApp(async (app) => {
        const m = await mute(app, recipientFrom(o), targetFrom(o), o.days);
        if (o.json) ctx.printJson(m);
        else ctx.print(formatMute(m));
      });
    });

  muteOptions(program.command('unmute').description('end a mute early')).action(async (o: MuteOpts) => {
    await ctx.withApp(async (app) => {
      const m = await unmute(app, recipientFrom(o), targetFrom(o));
      if (o.json) ctx.printJson(m);
      else ctx.print(`Unmuted ${m.kind} '${m.value}'.`);
    });
  });
};
