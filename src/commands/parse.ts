/**
 * Text → Command: `/papers topics add diffusion models`, an app mention, a DM, or `paperfeed chat`.
 * Anything malformed becomes a short usage Reply naming the right form. Nothing here looks up,
 * runs or fetches what the user typed; URLs stay text (the search service only reads ids out of them).
 * How each command's words are read is in its definition (registry.ts finds them). The `parseText`
 * hooks run first, then the `parseWords` hooks, then the command the first word names; at most one
 * hook claims any text (test/commands-discovery.test.ts checks each against the others' forms), so
 * the registry's order among them does not matter.
 */
import { COMMAND_LIMITS, type Scope } from './command.ts';
import type { CommandDefinition, ParseCall } from './definition.ts';
import { CATALOG, type Catalog, type Command, type CommandInput } from './registry.ts';
import { usageReply } from './replies.ts';
import type { Reply } from './reply.ts';
import { unknownCommand, usageFor } from './usage.ts';

/** True for a Reply from `parseCommand`, false for a Command. */
export function isReply(x: Command | Reply): x is Reply {
  return 'cards' in x && 'visibility' in x;
}

const isParsedReply = (p: CommandInput | Reply): p is Reply => 'cards' in p && 'visibility' in p;

/** The usage a malformed form gets: the command's own, or the `channel ...` usage. */
const callFor = (d: CommandDefinition, scope: Scope, catalog: Catalog): ParseCall => ({
  scope,
  usage: (problem) => usageFor(scope === 'channel' ? 'channel' : d.name, problem, catalog),
});

/** Parses and validates command text (as the registry's commands, unless given another catalog); returns the Command or a usage Reply. */
export function parseCommand(text: string, catalog: Catalog = CATALOG): Command | Reply {
  for (const d of catalog.commands) {
    const call = callFor(d, 'user', catalog);
    const parsed = d.parseText?.(text, call);
    if (parsed) return finish(parsed, call, catalog);
  }
  if (text.length > COMMAND_LIMITS.input) {
    return usageReply(`That command is ${text.length} characters long; commands are at most ${COMMAND_LIMITS.input}.`);
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  // "/papers today" typed into a DM or a mention: the slash command name is noise.
  if (words[0]?.toLowerCase() === '/papers') words.shift();
  if (words.length === 0) return checked({ name: 'help' }, (problem) => usageFor('help', problem, catalog), catalog);
  const first = words[0]!.toLowerCase();
  if (first === 'channel') return parseChannel(words.slice(1), catalog);
  for (const d of catalog.commands) {
    const call = callFor(d, 'user', catalog);
    const parsed = d.parseWords?.(words, call);
    if (parsed) return finish(parsed, call, catalog);
  }
  const d = catalog.typed(first);
  if (!d?.parse) return unknownCommand(words[0]!, catalog);
  return parseArgs(d, words.slice(1), 'user', catalog);
}

function parseChannel(words: string[], catalog: Catalog): Command | Reply {
  const first = words[0]?.toLowerCase();
  const d = first ? catalog.typed(first) : undefined;
  if (!d?.parse || !d.channelForms) {
    return usageFor('channel', first ? `\`channel ${first.slice(0, 40)}\` is not a channel command` : undefined, catalog);
  }
  return parseArgs(d, words.slice(1), 'channel', catalog);
}

function parseArgs(d: CommandDefinition, args: string[], scope: Scope, catalog: Catalog): Command | Reply {
  const call = callFor(d, scope, catalog);
  return finish(d.parse!({ args, rest: args.join(' ') }, call), call, catalog);
}

function finish(parsed: { name: string } | Reply, call: ParseCall, catalog: Catalog): Command | Reply {
  return isParsedReply(parsed as CommandInput | Reply) ? (parsed as Reply) : checked(parsed as CommandInput, call.usage, catalog);
}

/** Runs the command schema on a parsed command: its message names the problem. */
function checked(input: CommandInput, usage: (problem?: string) => Reply, catalog: Catalog): Command | Reply {
  const result = catalog.schema.safeParse(input);
  if (result.success) return result.data;
  const problem = result.error.issues[0]?.message ?? 'invalid command';
  return usage(capitalize(problem));
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
