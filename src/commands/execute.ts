/**
 * Runs a Command for a user and returns a platform-neutral Reply. Errors never escape: a user's
 * mistake becomes a short error reply; anything else is logged and answered without internals.
 */
import { UserError } from '../errors.ts';
import type { App } from '../service/app.ts';
import { ask } from './ask.ts';
import { follow, unfollow } from './authors.ts';
import { commandSchema, type Command, type CommandInput, type CommandName } from './command.ts';
import type { CommandContext } from './context.ts';
import { digest } from './digest.ts';
import { react } from './feedback.ts';
import { search, similar } from './find.ts';
import { keywords } from './keywords.ts';
import { mute, unmute } from './mute.ts';
import { today, why } from './picks.ts';
import { forgetMe, profile } from './profile.ts';
import { library } from './library.ts';
import { literal } from './markup.ts';
import { errorReply } from './replies.ts';
import type { Reply } from './reply.ts';
import { history } from './history.ts';
import { save, saved, unsave } from './saved.ts';
import { seed } from './seed.ts';
import { topics } from './topics.ts';
import { helpReply, USAGE, usageFor } from './usage.ts';

function dispatch(app: App, ctx: CommandContext, cmd: Command): Promise<Reply> | Reply {
  switch (cmd.name) {
    case 'help':
      return helpReply(cmd.topic);
    case 'today':
      return today(app, ctx);
    case 'similar':
      return similar(app, cmd.query);
    case 'search':
      return search(app, cmd.query);
    case 'ask':
      return ask(app, ctx, cmd.question);
    case 'why':
      return why(app, ctx, cmd.paper);
    case 'feedback':
      return react(app, ctx, cmd.paper, cmd.kind);
    case 'topics':
      return topics(app, ctx, cmd);
    case 'keywords':
      return keywords(app, ctx, cmd);
    case 'follow':
      return follow(app, ctx, cmd.author);
    case 'unfollow':
      return unfollow(app, ctx, cmd.author);
    case 'mute':
      return mute(app, ctx, cmd);
    case 'unmute':
      return unmute(app, ctx, cmd);
    case 'seed':
      return seed(app, ctx, cmd);
    case 'digest':
      return digest(app, ctx, cmd);
    case 'profile':
      return profile(app, ctx);
    case 'forget-me':
      return forgetMe(app, ctx);
    case 'library':
      return library(app, ctx, cmd);
    case 'save':
      return save(app, ctx, cmd.paper);
    case 'unsave':
      return unsave(app, ctx, cmd.paper);
    case 'saved':
      return saved(app, ctx, cmd);
    case 'history':
      return history(app, ctx, cmd.days);
  }
}

/** Turns any failure into a Reply: UserErrors as they are, others logged. */
export async function guard(app: App, what: Record<string, unknown>, run: () => Promise<Reply> | Reply): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    // The message may quote what the user typed: shown literally, like all user text.
    if (err instanceof UserError) return errorReply(literal(err.message));
    app.log.error({ err, ...what }, 'chat command failed');
    return errorReply('Something went wrong on our side; the error was logged. Please try again later.');
  }
}

/**
 * Runs a command. `command` may come from `parseCommand` or be built by an adapter from typed
 * options: either way it is validated here first.
 */
export async function executeCommand(app: App, ctx: CommandContext, command: Command | CommandInput): Promise<Reply> {
  const parsed = commandSchema.safeParse(command);
  if (!parsed.success) {
    const c = command as { name?: unknown; scope?: unknown };
    const problem = parsed.error.issues[0]?.message ?? 'invalid command';
    const problemText = problem.charAt(0).toUpperCase() + problem.slice(1);
    if (c.scope === 'channel') return usageFor('channel', problemText);
    if (typeof c.name === 'string' && Object.hasOwn(USAGE, c.name)) return usageFor(c.name as CommandName, problemText);
    return usageFor('help', problemText);
  }
  const cmd = parsed.data;
  return guard(app, { command: cmd.name, platform: ctx.platform, user: ctx.userId, channel: ctx.channelId }, () => dispatch(app, ctx, cmd));
}

