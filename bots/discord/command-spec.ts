/**
 * The `/papers` slash command, derived from the command definitions (src/commands/registry.ts, in its order):
 * what is registered with Discord (subcommands, typed options, limits, choices) and how a
 * chat-input interaction's typed options become a `Command` for the core. Discord allows two
 * levels (group → subcommand), so the three-word channel forms are flattened: `channel topics add`
 * is `/papers channel topics-add`.
 */
import { ApplicationCommandOptionType, type APIApplicationCommandBasicOption } from 'discord.js';
import { COMMANDS, type CommandDefinition, type CommandInput } from '../../src/commands/index.ts';
import type { Scope } from '../../src/commands/command.ts';
import type { OptionReader, SlashForm, SlashOption } from '../../src/commands/slash-form.ts';

export { MalformedOption, type OptionReader } from '../../src/commands/slash-form.ts';

export interface SubcommandSpec {
  /** Subcommand group, when the subcommand sits in one. */
  group?: string;
  name: string;
  description: string;
  options: APIApplicationCommandBasicOption[];
  /** Which usage text a malformed form gets: a command's name, or 'channel'. */
  usage: string;
  /** Personal reply (ephemeral) or one the channel may see. */
  visibility: 'private' | 'channel';
  build(o: OptionReader): CommandInput;
}

const CHANNEL_GROUP = "This channel's feed and daily digest (changes: Manage Server or Manage Channels)";

const OPTION_TYPES = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  attachment: ApplicationCommandOptionType.Attachment,
} as const;

/** A definition's option as Discord's JSON: string limits are lengths, number limits values. */
function discordOption(o: SlashOption, names: readonly string[]): APIApplicationCommandBasicOption {
  const choices = typeof o.choices === 'function' ? o.choices(names) : o.choices;
  return {
    type: OPTION_TYPES[o.type],
    name: o.name,
    description: o.description,
    required: o.required ?? true,
    ...(o.maxLength !== undefined ? { max_length: o.maxLength } : {}),
    ...(o.min !== undefined ? { min_value: o.min } : {}),
    ...(o.max !== undefined ? { max_value: o.max } : {}),
    ...(choices ? { choices: choices.map((c) => ({ name: c, value: c })) } : {}),
    ...(o.autocomplete ? { autocomplete: true } : {}),
  } as APIApplicationCommandBasicOption;
}

function spec(d: CommandDefinition, f: SlashForm<CommandInput>, scope: Scope, names: readonly string[]): SubcommandSpec {
  const at =
    scope === 'channel' ? { group: 'channel', name: f.channelName ?? (f.group ? `${f.group}-${f.name}` : f.name) } : { ...(f.group ? { group: f.group } : {}), name: f.name };
  return {
    ...at,
    description: f.description,
    options: (f.options ?? []).map((o) => discordOption(o, names)),
    usage: scope === 'channel' ? 'channel' : d.name,
    visibility: f.visibility ?? 'private',
    build: f.build,
  };
}

function specsOf(d: CommandDefinition, scope: Scope, names: readonly string[]): SubcommandSpec[] {
  const forms = d.discord?.forms;
  if (!forms) return [];
  const list = typeof forms === 'function' ? forms(scope) : forms;
  return list.map((f) => spec(d, f as SlashForm<CommandInput>, scope, names));
}

/** The subcommands of these definitions, in their order: each one's forms, then the `channel ...` ones, `help` last. */
export function subcommandsOf(definitions: readonly CommandDefinition[]): SubcommandSpec[] {
  const names = definitions.map((d) => d.name);
  const user = (d: CommandDefinition) => specsOf(d, 'user', names);
  return [
    ...definitions.filter((d) => d.name !== 'help').flatMap(user),
    ...definitions.filter((d) => d.channelForms).flatMap((d) => specsOf(d, 'channel', names)),
    ...definitions.filter((d) => d.name === 'help').flatMap(user),
  ];
}

/** Every subcommand of `/papers`. */
export const SUBCOMMANDS: readonly SubcommandSpec[] = subcommandsOf(COMMANDS);

export const GROUP_DESCRIPTIONS: Record<string, string> = Object.assign({}, ...COMMANDS.map((d) => d.discord?.groups ?? {}), { channel: CHANNEL_GROUP });

/** The spec of an invoked subcommand, by group and name. */
export function findSpec(group: string | null | undefined, name: string): SubcommandSpec | undefined {
  return SUBCOMMANDS.find((s) => (s.group ?? null) === (group ?? null) && s.name === name);
}
