/**
 * Who may change a channel's feed, what the bot itself needs, and its invite URL.
 *
 * Channel admins: members whose permissions in the channel (the interaction payload's
 * `member.permissions`, overwrites included) have Manage Server (1<<5) or Manage Channels (1<<4);
 * Administrator implies both. Discord computes the bitfield; the bot makes no API call for it.
 */
import { OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

export const CHANNEL_ADMIN_PERMISSIONS = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels;

/**
 * Whether a `member.permissions` bitfield (a decimal string, as Discord sends it) allows changing
 * the channel's settings. Anything unreadable is a no.
 */
export function canConfigureChannel(permissions: string | null | undefined): boolean {
  if (typeof permissions !== 'string' || !/^\d{1,30}$/.test(permissions)) return false;
  const bits = BigInt(permissions);
  return (bits & PermissionFlagsBits.Administrator) !== 0n || (bits & CHANNEL_ADMIN_PERMISSIONS) !== 0n;
}

/**
 * What the bot needs in a channel, and nothing else: to see it and post the daily digest there as
 * embeds. Replies to slash commands and button clicks go through the interaction webhook, which
 * needs no channel permission; DMs need none either. Read Message History is not needed: the bot
 * never reads messages (a button click carries its message).
 */
export const BOT_PERMISSIONS = {
  ViewChannel: PermissionFlagsBits.ViewChannel,
  SendMessages: PermissionFlagsBits.SendMessages,
  EmbedLinks: PermissionFlagsBits.EmbedLinks,
} as const;

export const BOT_PERMISSION_BITS: bigint = Object.values(BOT_PERMISSIONS).reduce((a, b) => a | b, 0n);

/** The OAuth2 URL a server admin opens to add the bot with exactly those permissions and the slash command. */
export function inviteUrl(applicationId: string): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: BOT_PERMISSION_BITS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
