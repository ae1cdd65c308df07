import { UserError } from '../errors.ts';
import type { Recipient } from '../recommend/index.ts';
import type { Scope } from './command.ts';

export type Platform = Recipient['platform'];

/** A file sent with the command (Slack file share, Discord attachment, a CLI path). */
export interface Attachment {
  name: string;
  /** The size the platform declares: checked before anything is downloaded. */
  size?: number;
  /** The bytes, at most maxBytes (a larger file is a UserError, found while it arrives). */
  read(maxBytes: number): Promise<Uint8Array>;
}

/** Who sent a command and from where: all an adapter tells the command core. */
export interface CommandContext {
  platform: Platform;
  /** The user who typed the command or clicked the button. */
  userId: string;
  /**
   * The channel the command came from. Absent in direct messages (and in the CLI without
   * --channel): `channel ...` commands then explain that they need a channel.
   */
  channelId?: string;
  /**
   * Whether the user may change this channel's settings. Asked only by `channel ...` changes, so an
   * adapter may make it a (cached) API call.
   */
  isChannelAdmin(): Promise<boolean>;
  /** The user's time zone as the platform knows it (Slack profile), used when digests are turned on. */
  userTimeZone?(): Promise<string | undefined>;
  /** The clock (tests and replays pass their own). */
  now?: Date;
  /** Files sent with the command; only `library import` reads them. */
  attachments?: readonly Attachment[];
}

export const clockOf = (ctx: CommandContext): Date => ctx.now ?? new Date();

export function userRecipient(ctx: CommandContext): Recipient {
  return { kind: 'user', platform: ctx.platform, id: ctx.userId };
}

/** The channel as a recipient; a UserError in a direct message. */
export function channelRecipient(ctx: CommandContext): Recipient {
  if (!ctx.channelId) throw new UserError('`channel ...` commands work in a channel, not in a direct message.');
  return { kind: 'channel', platform: ctx.platform, id: ctx.channelId };
}

/** Only channel admins change a channel's topics, keywords and digest. */
export async function requireChannelAdmin(ctx: CommandContext, what: string): Promise<Recipient> {
  const channel = channelRecipient(ctx);
  if (!(await ctx.isChannelAdmin())) {
    throw new UserError(`Only channel admins can change ${what} of this channel.`);
  }
  return channel;
}

/** Whose settings are read: the user's, or with scope 'channel' the channel's. */
export function scopedRecipient(ctx: CommandContext, scope: Scope | undefined): Recipient {
  return scope === 'channel' ? channelRecipient(ctx) : userRecipient(ctx);
}

/**
 * Whose profile a change is made on: the user's, or with scope 'channel' the channel's (its admins
 * only). Chat commands without `channel ...` forms leave the scope out; the CLI's --channel sets it.
 */
export function changedRecipient(ctx: CommandContext, scope: Scope | undefined, what: string): Promise<Recipient> | Recipient {
  return scope === 'channel' ? requireChannelAdmin(ctx, what) : userRecipient(ctx);
}
