// Which command files a run of the CLI loads. A one-shot command loads only the file that defines
// it: loading all of them (their chat, recommend, service and LLM modules, the openai client) took
// most of a second of a cold `similar`, mostly in tsx's module hooks. Help, an unknown command or
// anything unusual loads every file, so commander's help and errors are the same as before.
import { commandOf } from '../../bin/command-word.js';
import type { RegisterCommand } from './context.ts';

interface CommandFile {
  /** The top-level commands the file registers, in registration order (test/cli-registrars.test.ts checks them). */
  commands: readonly string[];
  load(): Promise<{ register: RegisterCommand }>;
}

/** In the order `paperfeed --help` lists them. */
export const COMMAND_FILES: readonly CommandFile[] = [
  { commands: ['ingest', 'list', 'show', 'stats', 'export'], load: () => import('./commands/papers.ts') },
  { commands: ['similar', 'search', 'reindex'], load: () => import('./commands/search.ts') },
  { commands: ['picks'], load: () => import('./commands/picks.ts') },
  // Derived from the chat command definitions (src/commands/*: a `cli` block), in registry order.
  {
    commands: ['why', 'feedback', 'topics', 'keywords', 'authors', 'mute', 'unmute', 'seeds', 'save', 'unsave', 'history'],
    load: () => import('./commands/core.ts'),
  },
  { commands: ['categories'], load: () => import('./commands/topics.ts') },
  { commands: ['saved'], load: () => import('./commands/saved.ts') },
  { commands: ['profile'], load: () => import('./commands/profile.ts') },
  { commands: ['ask'], load: () => import('./commands/ask.ts') },
  { commands: ['chat'], load: () => import('./commands/chat.ts') },
  { commands: ['serve'], load: () => import('./commands/serve.ts') },
  { commands: ['slack'], load: () => import('./commands/slack.ts') },
  { commands: ['discord'], load: () => import('./commands/discord.ts') },
  { commands: ['library'], load: () => import('./commands/library.ts') },
];

/**
 * The registrars this command line needs: the one file defining its command, or every file when
 * its command is not one of theirs or not known (an option first: --help, --version, a typo).
 */
export async function registrarsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const name = commandOf(argv.slice(2));
  const files = COMMAND_FILES.filter((f) => name !== undefined && f.commands.includes(name));
  const chosen = files.length ? files : COMMAND_FILES;
  return (await Promise.all(chosen.map((f) => f.load()))).map((m) => m.register);
}
