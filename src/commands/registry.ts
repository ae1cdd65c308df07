/**
 * Every chat command, in the order help lists them. Adding a command: define it in its family's
 * file with `defineCommand` and list it here; the parser, dispatch, help, the Discord
 * slash-command spec and (with a `cli` block) the `paperfeed` subcommand follow from the definition.
 */
import { z } from 'zod';
import { askCommand } from './ask.ts';
import { followCommand, unfollowCommand } from './authors.ts';
import type { CommandDefinition } from './definition.ts';
import { digestCommand } from './digest.ts';
import { feedbackCommand } from './feedback.ts';
import { searchCommand, similarCommand } from './find.ts';
import { historyCommand } from './history.ts';
import { keywordsCommand } from './keywords.ts';
import { libraryCommand } from './library.ts';
import { muteCommand, unmuteCommand } from './mute.ts';
import { todayCommand, whyCommand } from './picks.ts';
import { forgetMeCommand, profileCommand } from './profile.ts';
import { saveCommand, savedCommand, unsaveCommand } from './saved.ts';
import { seedCommand } from './seed.ts';
import { topicsCommand } from './topics.ts';
import { helpCommand } from './usage.ts';

export const COMMANDS = [
  todayCommand,
  similarCommand,
  searchCommand,
  askCommand,
  whyCommand,
  feedbackCommand,
  topicsCommand,
  keywordsCommand,
  followCommand,
  unfollowCommand,
  muteCommand,
  unmuteCommand,
  seedCommand,
  digestCommand,
  profileCommand,
  forgetMeCommand,
  libraryCommand,
  saveCommand,
  unsaveCommand,
  savedCommand,
  historyCommand,
  helpCommand,
] as const;

type Schemas = (typeof COMMANDS)[number]['schema'];
/** A parsed, validated command. `scope: 'channel'` is the `channel ...` form. */
export type Command = z.output<Schemas>;
/** A command as an adapter may build it (defaults such as mute days may be left out). */
export type CommandInput = z.input<Schemas>;
export type CommandName = Command['name'];

/** The one check every command passes before it runs, whether parsed from text or built from options. */
export const commandSchema = z.discriminatedUnion(
  'name',
  COMMANDS.map((d) => d.schema) as unknown as [z.ZodObject<{ name: z.ZodLiteral<string> }>],
) as unknown as z.ZodType<Command, CommandInput>;

const BY_NAME = new Map<string, CommandDefinition>(COMMANDS.map((d) => [d.name, d as CommandDefinition]));

/** The definition of a command by its name (not its aliases). */
export function definitionOf(name: string): CommandDefinition | undefined {
  return BY_NAME.get(name);
}

/** The definition a typed word names, by name or alias. */
export function definitionFor(word: string): CommandDefinition | undefined {
  return BY_NAME.get(word) ?? COMMANDS.find((d) => (d.aliases as readonly string[] | undefined)?.includes(word));
}

/** Every command's name, in help order. */
export const commandNames = (): string[] => COMMANDS.map((d) => d.name);
