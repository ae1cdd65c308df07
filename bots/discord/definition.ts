/**
 * The JSON registered with `PUT /applications/{app}/commands` (or the guild variant): one `/papers`
 * command whose subcommands and groups come from the spec table.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type APIApplicationCommandSubcommandGroupOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { GROUP_DESCRIPTIONS, SUBCOMMANDS, type SubcommandSpec } from './command-spec.ts';

export const COMMAND_NAME = 'papers';

const subcommand = (s: SubcommandSpec): APIApplicationCommandSubcommandOption => ({
  type: ApplicationCommandOptionType.Subcommand,
  name: s.name,
  description: s.description,
  ...(s.options.length ? { options: s.options } : {}),
});

/**
 * The `/papers` command. Global registrations say where it may be used (servers and the bot's DMs);
 * guild registrations may not carry those fields, so `forGuild` leaves them out.
 */
export function papersCommand(opts: { forGuild?: boolean } = {}): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const options: (APIApplicationCommandSubcommandOption | APIApplicationCommandSubcommandGroupOption)[] = [];
  const groups = new Map<string, APIApplicationCommandSubcommandGroupOption>();
  for (const s of SUBCOMMANDS) {
    if (!s.group) {
      options.push(subcommand(s));
      continue;
    }
    let group = groups.get(s.group);
    if (!group) {
      group = { type: ApplicationCommandOptionType.SubcommandGroup, name: s.group, description: GROUP_DESCRIPTIONS[s.group] ?? s.group, options: [] };
      groups.set(s.group, group);
      options.push(group);
    }
    group.options!.push(subcommand(s));
  }
  return {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND_NAME,
    description: 'Research paper picks, search and your topics',
    options,
    ...(opts.forGuild
      ? {}
      : {
          integration_types: [ApplicationIntegrationType.GuildInstall],
          contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
        }),
  };
}
