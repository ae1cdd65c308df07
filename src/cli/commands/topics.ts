import { InvalidArgumentError, type Command } from 'commander';
import {
  addCategory,
  addKeyword,
  addSeed,
  addTopic,
  followAuthor,
  formatTopics,
  listTopics,
  profileSummary,
  removeCategory,
  removeKeyword,
  removeSeed,
  removeTopic,
  unfollowAuthor,
  weightTopic,
} from '../../recommend/index.ts';
import { addRecipientOptions, joinWords, recipientFrom, type RecipientOpts } from '../../recommend/cli-options.ts';
import type { CliContext, RegisterCommand } from '../context.ts';

interface Opts extends RecipientOpts {
  json?: boolean;
  weight?: number;
}

function parseWeight(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.1 || n > 5) throw new InvalidArgumentError(`expected a weight from 0.1 to 5, got '${v}'`);
  return n;
}

/** A subcommand with the recipient options and --json, whose action gets (words, opts). */
function sub(parent: Command, name: string, description: string): Command {
  return addRecipientOptions(parent.command(name).description(description)).option('--json', 'print the result as JSON');
}

function out(ctx: CliContext, o: Opts, value: unknown, text: string): void {
  if (o.json) ctx.printJson(value);
  else ctx.print(text);
}

/** What a feed is about: topics, keywords, followed authors, categories and seed papers. */
export const register: RegisterCommand = (program, ctx) => {
  const topics = program.command('topics').description("a profile's free-text topics (each embedded; picks are scored by the closest)");
  sub(topics, 'add', 'add a topic, e.g. "diffusion models for inverse problems"')
    .argument('<text...>', 'the topic, in a few words')
    .option('--weight <w>', 'how much it counts, 0.1 to 5 (default 1)', parseWeight)
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await addTopic(app, recipientFrom(o), words.join(' '), o.weight !== undefined ? { weight: o.weight } : {});
        out(ctx, o, r, `${r.added ? 'Added' : 'Updated'} topic ${r.topic.position}: ${r.topic.text}${r.topic.weight === 1 ? '' : ` (weight ${r.topic.weight})`}`);
      });
    });
  sub(topics, 'list', 'list the topics').action(async (o: Opts) => {
    await ctx.withApp(async (app) => {
      const list = await listTopics(app, recipientFrom(o));
      out(ctx, o, list, formatTopics(list));
    });
  });
  sub(topics, 'remove', 'remove a topic, by its number in `topics list` or its text')
    .argument('<topic...>', 'number or text')
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const t = await removeTopic(app, recipientFrom(o), words.join(' '));
        out(ctx, o, t, `Removed topic: ${t.text}`);
      });
    });
  sub(topics, 'weight', "change a topic's weight (its similarity is multiplied by it)")
    .argument('<topic>', 'number or text (quote it)')
    .argument('<weight>', '0.1 to 5', parseWeight)
    .action(async (ref: string, weight: number, o: Opts) => {
      await ctx.withApp(async (app) => {
        const t = await weightTopic(app, recipientFrom(o), ref, weight);
        out(ctx, o, t, `Topic ${t.position} '${t.text}' now has weight ${t.weight}`);
      });
    });

  const keywords = program
    .command('keywords')
    .description("words or phrases matched on title and abstract: 'survey' boosts, '-survey' excludes, '+survey' requires");
  sub(keywords, 'add', "add a keyword: 'phrase' boosts, '-phrase' excludes, '+phrase' requires (one of)")
    .argument('<phrase...>', 'the keyword or phrase')
    .allowUnknownOption()
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const k = await addKeyword(app, recipientFrom(o), joinWords(words, 'a keyword'));
        const what = { boost: 'boosted', exclude: 'excluded', require: 'required' }[k.mode];
        out(ctx, o, k, `Papers mentioning '${k.phrase}' are now ${what}.`);
      });
    });
  sub(keywords, 'remove', 'remove a keyword')
    .argument('<phrase...>', 'the keyword (with or without its - or +)')
    .allowUnknownOption()
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const k = await removeKeyword(app, recipientFrom(o), joinWords(words, 'a keyword'));
        out(ctx, o, k, `Removed keyword ${k.label}`);
      });
    });
  sub(keywords, 'list', 'list the keywords').action(async (o: Opts) => {
    await ctx.withApp(async (app) => {
      const list = (await profileSummary(app, recipientFrom(o))).profile.keywords;
      out(ctx, o, list, list.length ? list.map((k) => k.label).join('\n') : 'No keywords yet.');
    });
  });

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

  const seeds = program.command('seeds').description('seed papers: "more like this one"');
  sub(seeds, 'add', 'add a stored paper as a seed')
    .argument('<paper...>', 'arXiv id, URL, paper id or exact title')
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await addSeed(app, recipientFrom(o), words.join(' '));
        out(ctx, o, r, `${r.added ? 'Added' : 'Already a'} seed: ${r.title} (${r.paperId})`);
      });
    });
  sub(seeds, 'remove', 'remove a seed paper')
    .argument('<paper...>', 'paper id, arXiv id, number or title')
    .action(async (words: string[], o: Opts) => {
      await ctx.withApp(async (app) => {
        const r = await removeSeed(app, recipientFrom(o), words.join(' '));
        out(ctx, o, r, `Removed seed: ${r.title} (${r.paperId})`);
      });
    });
};
