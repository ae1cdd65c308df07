/**
 * Every chat command, found rather than listed. Each `.ts` file in ./definitions/ is imported and
 * every value it exports that `defineCommand` made is a command (a file may export helpers too).
 * Adding a command touches only its file, plus its test: the parser, dispatch, help, the Discord
 * slash-command spec and (with a `cli` block) the `paperfeed` subcommand follow from the definition.
 *
 * Order, the same for help, the parse hooks, the Discord spec and help's Discord choices: by the
 * help section the definition's usage names (SECTIONS in definition.ts), then by file name, then
 * in the order the file defines them. A file that exports no definition, an unknown section, or a
 * word (name or alias) two definitions claim stops the load with an error naming the files.
 *
 * `CATALOG` holds them with the lookups and the one schema parse.ts, execute.ts and usage.ts use;
 * `catalogOf` makes a catalog of other definitions (test/commands-discovery.test.ts: a fixture folder).
 *
 * Nothing a definition file imports may import this module (or parse.ts, execute.ts, usage.ts,
 * index.ts, which do): the load awaits the definitions, so they would wait for each other forever
 * (test/layering.test.ts checks it).
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Scope } from './command.ts';
import { definedOrder, isCommandDefinition, SECTIONS, type CommandDefinition } from './definition.ts';

/** A parsed, validated command: its name and its own fields (a handler sees its definition's typed command). */
export type Command = { name: string; scope?: Scope } & Record<string, unknown>;
/** A command as an adapter may build it (defaults such as mute days may be left out). */
export type CommandInput = Command;

/** The command words nothing may define: `channel ...` prefixes a command. */
const RESERVED = ['channel'];

/** The definitions the `.ts` files in `dir` export, in help order (see the header). */
export async function loadDefinitions(dir: URL): Promise<CommandDefinition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const where = (file: string): string => fileURLToPath(new URL(file, dir));
  const found = await Promise.all(
    files.map(async (file) => {
      const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      const definitions = [...new Set(Object.values(module).filter(isCommandDefinition))];
      if (!definitions.length) throw new Error(`${where(file)} is in the command definitions folder but exports no command (made with defineCommand)`);
      return definitions.sort((a, b) => definedOrder(a) - definedOrder(b)).map((d) => ({ d, file }));
    }),
  );
  const owners = new Map<string, string>(RESERVED.map((w) => [w, 'the parser (reserved)']));
  for (const { d, file } of found.flat()) {
    if (!SECTIONS.includes(d.usage.section)) throw new Error(`${where(file)}: command '${d.name}' names the help section '${d.usage.section}', not one of ${SECTIONS.join(', ')}`);
    for (const word of [d.name, ...(d.aliases ?? [])]) {
      const owner = owners.get(word);
      if (owner) throw new Error(`the command word '${word}' is defined twice: in ${owner} and in ${where(file)}`);
      owners.set(word, where(file));
    }
  }
  const section = (d: CommandDefinition): number => SECTIONS.indexOf(d.usage.section);
  // A stable sort: within a section, file name and then definition order stay as found.
  return found.flat().sort((a, b) => section(a.d) - section(b.d)).map(({ d }) => d);
}

/** A set of commands with what parsing, dispatch and help look up in it. */
export interface Catalog {
  /** In help order. */
  readonly commands: readonly CommandDefinition[];
  /** The one check every command passes before it runs, whether parsed from text or built from options. */
  readonly schema: z.ZodType<Command, CommandInput>;
  /** A command by its name (not its aliases). */
  named(name: string): CommandDefinition | undefined;
  /** The command a typed word names, by name or alias. */
  typed(word: string): CommandDefinition | undefined;
}

/** The catalog of these definitions, taken in the order given. */
export function catalogOf(commands: readonly CommandDefinition[]): Catalog {
  const byName = new Map(commands.map((d) => [d.name, d]));
  const schema = z.discriminatedUnion(
    'name',
    commands.map((d) => d.schema) as unknown as [z.ZodObject<{ name: z.ZodLiteral<string> }>],
  ) as unknown as z.ZodType<Command, CommandInput>;
  return {
    commands,
    schema,
    named: (name) => byName.get(name),
    typed: (word) => byName.get(word) ?? commands.find((d) => d.aliases?.includes(word)),
  };
}

/** Every chat command: the definitions in ./definitions/. */
export const CATALOG = catalogOf(await loadDefinitions(new URL('./definitions/', import.meta.url)));
export const COMMANDS = CATALOG.commands;
