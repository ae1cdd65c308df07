/**
 * INTERACTION_CREATE, as discord.js's interaction classes: chat input (`/papers ...`, built into a
 * Command from its typed options and run by the core), buttons (card actions) and autocomplete.
 * Nothing thrown here escapes: failures are logged and, where the interaction still allows it, the
 * user is told in a private message.
 */
import {
  DiscordAPIError,
  HTTPError,
  MessageFlags,
  type AutocompleteInteraction,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { executeCommand, runAction, usageFor, type CommandContext, type CommandInput, type Reply } from '../../src/commands/index.ts';
import type { Logger } from '../../src/log.ts';
import type { Recipient } from '../../src/recommend/index.ts';
import type { CommandDeps } from '../../src/commands/deps.ts';
import { discordAttachments } from './attachments.ts';
import { topicChoices, zoneChoices } from './autocomplete.ts';
import { findSpec, MalformedOption, type OptionReader, type SubcommandSpec } from './command-spec.ts';
import { parseCustomId } from './custom-id.ts';
import { COMMAND_NAME } from './definition.ts';
import { reportDiscordError } from './discord-errors.ts';
import { markFeedback } from './feedback-marks.ts';
import { canConfigureChannel } from './permissions.ts';
import { renderReply } from './render.ts';
import { replyOptions, respond, sendFresh, within } from './respond.ts';

export interface InteractionDeps {
  app: CommandDeps;
  log: Logger;
  /** See DiscordBotOptions.deferAfterMs. */
  deferAfterMs: number;
}

const STALE_BUTTON = 'That button no longer works; run the command again.';

/** Who is asking and from where. Channel commands need a server channel; a DM has none. */
export function contextOf(i: BaseInteraction): CommandContext {
  return {
    platform: 'discord',
    userId: i.user.id,
    ...(i.inGuild() && i.channelId ? { channelId: i.channelId } : {}),
    // The payload's member.permissions: the member's permissions in this channel, computed by Discord.
    isChannelAdmin: async () => canConfigureChannel(i.memberPermissions?.bitfield.toString()),
  };
}

/** discord.js's option resolver throws on a wrong type; that is a malformed payload. */
function optionReader(options: ChatInputCommandInteraction['options']): OptionReader {
  const read = <T>(name: string, get: () => T | null): T | undefined => {
    try {
      return get() ?? undefined;
    } catch {
      throw new MalformedOption(name, 'has the wrong type');
    }
  };
  return {
    string: (n) => read(n, () => options.getString(n)),
    integer: (n) => read(n, () => options.getInteger(n)),
    number: (n) => read(n, () => options.getNumber(n)),
  };
}

export type Parsed = { spec: SubcommandSpec; command: CommandInput } | { reply: Reply };

/** The Command of a `/papers` interaction, from its typed options (nothing is re-parsed as text). */
export function commandOf(i: ChatInputCommandInteraction): Parsed {
  if (i.commandName !== COMMAND_NAME) return { reply: usageFor('help', `\`/${i.commandName.slice(0, 32)}\` is not a paperfeed command (the registered commands may be stale)`) };
  let group: string | null;
  let sub: string | null;
  try {
    group = i.options.getSubcommandGroup(false);
    sub = i.options.getSubcommand(false);
  } catch {
    return { reply: usageFor('help', 'That command was not understood') };
  }
  const spec = sub ? findSpec(group, sub) : undefined;
  if (!spec) return { reply: usageFor('help', `\`/${COMMAND_NAME} ${[group, sub].filter(Boolean).join(' ').slice(0, 60)}\` is not a paperfeed command`) };
  try {
    return { spec, command: spec.build(optionReader(i.options)) };
  } catch (err) {
    if (err instanceof MalformedOption) return { reply: usageFor(spec.usage, `The ${err.message}`) };
    throw err;
  }
}

async function onChatInput(deps: InteractionDeps, i: ChatInputCommandInteraction): Promise<void> {
  const parsed = commandOf(i);
  if ('reply' in parsed) return sendFresh(i, parsed.reply);
  const attachments = discordAttachments(i);
  const ctx = { ...contextOf(i), ...(attachments.length ? { attachments } : {}) };
  await respond(i, () => executeCommand(deps.app, ctx, parsed.command), { ephemeral: parsed.spec.visibility === 'private', deferAfterMs: deps.deferAfterMs });
}

/**
 * A card button. "More like this" answers privately. Feedback is recorded for the clicking user;
 * on a personal message (a DM, an ephemeral reply) the message is updated in place (type 7) to
 * show the choice. On a message the whole channel sees, the message stays as it is and the user
 * gets a private confirmation: Discord has no per-viewer state, and one member's vote must not
 * look like the channel's.
 */
async function onButton(deps: InteractionDeps, i: ButtonInteraction): Promise<void> {
  const req = parseCustomId(i.customId);
  if (!req) {
    await i.reply({ content: STALE_BUTTON, flags: MessageFlags.Ephemeral });
    return;
  }
  const ctx = contextOf(i);
  const run = () => runAction(deps.app, ctx, req);
  const personal = !i.inGuild() || i.message.flags.has(MessageFlags.Ephemeral);
  if (req.action === 'more-like-this' || !personal) {
    await respond(i, run, { ephemeral: true, deferAfterMs: deps.deferAfterMs });
    return;
  }
  const pending = run();
  pending.catch(() => undefined);
  let reply = await within(pending, deps.deferAfterMs);
  let deferred = false;
  if (!reply) {
    await i.deferUpdate();
    deferred = true;
    reply = await pending;
  }
  const marked = reply.kind === 'ok' ? markFeedback(i.message.components.map((c) => c.toJSON()), req.paperId, req.action) : undefined;
  if (marked) {
    if (deferred) await i.editReply({ components: marked });
    else await i.update({ components: marked });
    return;
  }
  // An error (the paper is gone, say), or a message without this card: say so privately.
  const [first] = renderReply(reply);
  if (deferred) await i.followUp(replyOptions(first!, true));
  else await i.reply(replyOptions(first!, true));
}

async function onAutocomplete(deps: InteractionDeps, i: AutocompleteInteraction): Promise<void> {
  const focused = i.options.getFocused(true);
  const typed = String(focused.value ?? '');
  const group = i.options.getSubcommandGroup(false);
  const sub = i.options.getSubcommand(false);
  if (focused.name === 'zone') return i.respond(zoneChoices(typed));
  if (focused.name === 'topic') {
    const channel = group === 'channel' && i.inGuild();
    const recipient: Recipient = channel ? { kind: 'channel', platform: 'discord', id: i.channelId } : { kind: 'user', platform: 'discord', id: i.user.id };
    if ((group === 'topics' && sub === 'remove') || (channel && sub === 'topics-remove')) return i.respond(await topicChoices(deps.app, recipient, typed));
  }
  await i.respond([]);
}

const isDiscordError = (err: unknown): boolean => err instanceof DiscordAPIError || err instanceof HTTPError;

/** Best effort: tell the user something went wrong, if the interaction can still be answered. */
async function apologize(i: Interaction): Promise<void> {
  if (!i.isRepliable()) return;
  const message = { content: 'Something went wrong on our side; the error was logged. Please try again.', flags: MessageFlags.Ephemeral } as const;
  if (i.replied || i.deferred) await i.followUp(message);
  else await i.reply(message);
}

/** The interactionCreate listener. Resolves when the interaction is handled; never rejects. */
export function createInteractionHandler(deps: InteractionDeps): (i: Interaction) => Promise<void> {
  return async (i) => {
    const log = deps.log.child({ interaction: i.id, type: i.type, user: i.user.id, ...(i.guildId ? { guild: i.guildId } : {}), channel: i.channelId });
    try {
      if (i.isChatInputCommand()) await onChatInput({ ...deps, log }, i);
      else if (i.isButton()) await onButton({ ...deps, log }, i);
      else if (i.isAutocomplete()) await onAutocomplete({ ...deps, log }, i);
      else log.debug('interaction of a kind paperfeed does not use; ignored');
    } catch (err) {
      if (!isDiscordError(err)) {
        log.error({ err }, 'Discord interaction handling failed');
        await apologize(i).catch(() => undefined);
        return;
      }
      const failure = reportDiscordError(log, err, 'interaction response');
      if (failure.kind !== 'expired' && failure.kind !== 'auth') await apologize(i).catch(() => undefined);
    }
  };
}
