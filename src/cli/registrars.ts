// Which command files a run of the CLI loads. A one-shot command loads only the file that defines
// it: loading all of them (their chat, recommend, service and LLM modules, the openai client) took
// most of a second of a cold `similar`, mostly in tsx's module hooks. Help, an unknown command or
// anything unusual loads every file, so commander's help and errors are the same as before.
import { commandOf } from '../../bin/command-word.js';
import type { RegisterCommand } from './context.ts';
import { definitionsIn } from './derived.ts';

interface CommandFile {
  /**
   * The top-level commands the file registers, in registration order (test/cli-registrars.test.ts
   * checks them); absent for ./commands/core.ts, which lists its own (`commands`).
   */
  commands?: readonly string[];
  load(): Promise<{ register: RegisterCommand; commands?: readonly string[] }>;
}

/**
 * Every command file, in the order `paperfeed --help` lists them. Only commands without a chat
 * twin are written by hand; every other is derived from its chat command definition by core.ts.
 */
export const COMMAND_FILES: readonly CommandFile[] = [
  // The corpus: no chat command reads files, exports or rebuilds the index.
  { commands: ['ingest', 'list', 'show', 'stats', 'export', 'reindex'], load: () => import('./commands/papers.ts') },
  // Derived from the chat command definitions (src/commands/definitions/*: a `cli` block), in registry order.
  { load: () => import('./commands/core.ts') },
  // Followed arXiv categories: a profile setting chat does not offer.
  { commands: ['categories'], load: () => import('./commands/topics.ts') },
  // The chat front end itself, the service and the bots: processes, not commands.
  { commands: ['chat'], load: () => import('./commands/chat.ts') },
  { commands: ['serve'], load: () => import('./commands/serve.ts') },
  { commands: ['slack'], load: () => import('./commands/slack.ts') },
  { commands: ['discord'], load: () => import('./commands/discord.ts') },
];

/**
 * Derived commands registered from the one chat command file that defines them (the definitions it
 * exports, in any order: only one of them runs). Only a shortcut, so that a cold `similar` or
 * `search` does not load every command's modules: a derived command not listed here is found by
 * core.ts.
 */
export const LIGHT_FILES: readonly Required<CommandFile>[] = [
  { commands: ['search', 'similar'], load: () => definitionsIn(import('../commands/definitions/find.ts')) },
  { commands: ['picks', 'why'], load: () => definitionsIn(import('../commands/definitions/picks.ts')) },
];

/**
 * The registrars this command line needs: the one file defining its command, or every file when
 * its command is not one of theirs or not known (an option first: --help, --version, a typo).
 */
export async function registrarsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const name = commandOf(argv.slice(2));
  if (name !== undefined) {
    const listed = [...LIGHT_FILES, ...COMMAND_FILES].find((f) => f.commands?.includes(name));
    if (listed) return [(await listed.load()).register];
    const derived = await COMMAND_FILES.find((f) => !f.commands)!.load();
    if (derived.commands?.includes(name)) return [derived.register];
  }
  return (await Promise.all(COMMAND_FILES.map((f) => f.load()))).map((m) => m.register);
}
