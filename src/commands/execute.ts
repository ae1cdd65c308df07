/**
 * Runs a Command for a user and returns a platform-neutral Reply. Errors never escape: a user's
 * mistake becomes a short error reply; anything else is logged and answered without internals.
 */
import type { CommandDeps } from './deps.ts';
import type { CommandContext } from './context.ts';
import { guard } from './guard.ts';
import { CATALOG, type Catalog, type Command, type CommandInput } from './registry.ts';
import type { Reply } from './reply.ts';
import { usageFor } from './usage.ts';

/**
 * Runs a command (of the registry's, unless given another catalog). `command` may come from
 * `parseCommand` or be built by an adapter from typed options: either way it is validated here first.
 */
export async function executeCommand(app: CommandDeps, ctx: CommandContext, command: Command | CommandInput, catalog: Catalog = CATALOG): Promise<Reply> {
  const parsed = catalog.schema.safeParse(command);
  if (!parsed.success) {
    const c = command as { name?: unknown; scope?: unknown };
    const problem = parsed.error.issues[0]?.message ?? 'invalid command';
    const problemText = problem.charAt(0).toUpperCase() + problem.slice(1);
    if (c.scope === 'channel') return usageFor('channel', problemText, catalog);
    return usageFor(typeof c.name === 'string' && catalog.named(c.name) ? c.name : 'help', problemText, catalog);
  }
  const cmd = parsed.data;
  return guard(app, { command: cmd.name, platform: ctx.platform, user: ctx.userId, channel: ctx.channelId }, () => catalog.named(cmd.name)!.run(app, ctx, cmd));
}

