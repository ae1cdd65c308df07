/**
 * Text → Command: `/papers topics add diffusion models`, an app mention, a DM, or `paperfeed chat`.
 * Anything malformed becomes a short usage Reply naming the right form. Nothing here looks up,
 * runs or fetches what the user typed; URLs stay text (the search service only reads ids out of them).
 * How each command's words are read is in its definition (registry.ts lists them).
 */
import { COMMAND_LIMITS, type Scope } from './command.ts';
import type { CommandDefinition, ParseCall } from './definition.ts';
import { COMMANDS, commandSchema, definitionFor, type Command, type CommandInput } from './registry.ts';
import { usageReply } from './replies.ts';
import type { Reply } from './reply.ts';
import { unknownCommand, usageFor } from './usage.ts';

/** True for a Reply from `parseCommand`, false for a Command. */
export function isReply(x: Command | Reply): x is Reply {
  return 'cards' in x && 'visibility' in x;
}

const isParsedReply = (p: CommandInput | Reply): p is Reply => 'cards' in p && 'visibility' in p;

/** The usage a malformed form gets: the command's own, or the `channel ...` usage. */
const callFor = (d: CommandDefinition, scope: Scope): ParseCall => ({
  scope,
  usage: (problem) => usageFor(scope === 'channel' ? 'channel' : d.name, problem),
});

/** Parses and validates command text; returns the Command or a usage Reply. */
export function parseCommand(text: string): Command | Reply {
  for (const d of COMMANDS) {
    const call = callFor(d, 'user');
    const parsed = d.parseText?.(text, call);
    if (parsed) return finish(parsed, call);
  }
  if (text.length > COMMAND_LIMITS.input) {
    return usageReply(`That command is ${text.length} characters long; commands are at most ${COMMAND_LIMITS.input}.`);
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  // "/papers today" typed into a DM or a mention: the slash command name is noise.
  if (words[0]?.toLowerCase() === '/papers') words.shift();
  if (words.length === 0) return checked({ name: 'help' }, (problem) => usageFor('help', problem));
  const first = words[0]!.toLowerCase();
  if (first === 'channel') return parseChannel(words.slice(1));
  for (const d of COMMANDS) {
    const call = callFor(d, 'user');
    const parsed = d.parseWords?.(words, call);
    if (parsed) return finish(parsed, call);
  }
  const d = definitionFor(first);
  if (!d?.parse) return unknownCommand(words[0]!);
  return parseArgs(d, words.slice(1), 'user');
}

function parseChannel(words: string[]): Command | Reply {
  const first = words[0]?.toLowerCase();
  const d = first ? definitionFor(first) : undefined;
  if (!d?.parse || !d.channelForms) {
    return usageFor('channel', first ? `\`channel ${first.slice(0, 40)}\` is not a channel command` : undefined);
  }
  return parseArgs(d, words.slice(1), 'channel');
}

function parseArgs(d: CommandDefinition, args: string[], scope: Scope): Command | Reply {
  const call = callFor(d, scope);
  return finish(d.parse!({ args, rest: args.join(' ') }, call), call);
}

function finish(parsed: { name: string } | Reply, call: ParseCall): Command | Reply {
  return isParsedReply(parsed as CommandInput | Reply) ? (parsed as Reply) : checked(parsed as CommandInput, call.usage);
}

/** Runs the command schema on a parsed command: its message names the problem. */
function checked(input: CommandInput, usage: (problem?: string) => Reply): Command | Reply {
  const result = commandSchema.safeParse(input);
  if (result.success) return result.data;
  const problem = result.error.issues[0]?.message ?? 'invalid command';
  return usage(capitalize(problem));
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
