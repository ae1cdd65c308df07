import type { Command } from 'commander';
import { addCategory, removeCategory } from '../../recommend/index.ts';
import { addRecipientOptions, recipientFrom, type RecipientOpts } from '../recipient-options.ts';
import type { CliContext, RegisterCommand } from '../context.ts';

interface Opts extends RecipientOpts {
  json?: boolean;
}

/** A subcommand with the recipient options and --json, whose action gets (words, opts). */
function sub(parent: Command, name: string, description: string): Command {
  return addRecipientOptions(parent.command(name).description(description)).option('--json', 'print the result as JSON');
}

function out(ctx: CliContext, o: Opts, value: unknown, text: string): void {
  if (o.json) ctx.printJson(value);
  else ctx.print(text);
}

/** Followed arXiv categories (topics, keywords, authors and seeds are derived from their chat commands: ./core.ts). */
export const register: RegisterCommand = (program, ctx) => {
  const categories = program.command('categories').description('followed arXiv categories (cs.CL, stat.ML, ...): a small boost');
  sub(categories, 'add', 'follow a category')
    .argument('<category>')
    .action(async (name: string, o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await addCategory(app, recipientFrom(o), name);
        out(ctx, o, r, r.added ? `Following ${r.category}.` : `Already following ${r.category}.`);
      });
    });
  sub(categories, 'remove', 'stop following a category')
    .argument('<category>')
    .action(async (name: string, o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await removeCategory(app, recipientFrom(o), name);
        out(ctx, o, r, `No longer following ${r.category}.`);
      });
    });
};
