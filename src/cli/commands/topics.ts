import type { Command } from 'commander';
import { addCategory, followAuthor, removeCategory, unfollowAuthor } from '../../recommend/index.ts';
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

/** What a feed is about besides topics and keywords (derived from their chat commands: ./core.ts): followed authors and categories. */
export const register: RegisterCommand = (program, ctx) => {
  const authors = program.command('authors').description('followed authors: their papers get a boost');
  sub(authors, 'follow', 'follow an author')
    .argument('<name...>', 'the author, as written on papers')
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await followAuthor(app, recipientFrom(o), words.join(' '));
        const none = r.stored ? '' : ' No stored paper is by them yet; check the spelling (names match as written on the papers).';
        out(ctx, o, r, r.added ? `Following ${r.author}.${none}` : `Already following ${r.author}.`);
      });
    });
  sub(authors, 'unfollow', 'stop following an author')
    .argument('<name...>', 'the author')
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await unfollowAuthor(app, recipientFrom(o), words.join(' '));
        out(ctx, o, r, `No longer following ${r.author}.`);
      });
    });

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
