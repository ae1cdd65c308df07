// The recipient options shared by the CLI commands on a profile (picks, topics, feedback, profile, ...).
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { UserError } from '../errors.ts';
import type { CommandContext } from '../commands/context.ts';
import type { Recipient } from '../recommend/recipient.ts';

export interface RecipientOpts {
  user?: string;
  channel?: string;
}

/** --user U | --channel C. Neither: the local user (their login name). */
export function addRecipientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--user <id>', 'whose profile (default: your login name)').conflicts('channel'))
    .addOption(new Option('--channel <id>', "a channel's profile instead of a user's"));
}

function localUser(): string {
  try {
    return userInfo().username || process.env.USER || 'me';
  } catch {
    return process.env.USER || 'me';
  }
}

/**
 * The CLI recipient. CLI ids share the platform-independent key (`user:<id>`), so
 * `--user U123` here is the same profile and sent-log as Slack user U123.
 */
export function recipientFrom(o: RecipientOpts): Recipient {
  if (o.channel !== undefined) return { kind: 'channel', platform: 'cli', id: o.channel };
  return { kind: 'user', platform: 'cli', id: o.user ?? localUser() };
}

/** Joins words given as variadic arguments; rejects stray long options swallowed by allowUnknownOption. */
export function joinWords(words: string[], what: string): string {
  const stray = words.find((w) => w.startsWith('--'));
  if (stray) throw new UserError(`unknown option '${stray}' (to use it as ${what}, put it after --)`);
  return words.join(' ');
}

/**
 * The command core's context for a CLI user (`chat`, and the subcommands derived from command
 * definitions). Whoever runs the CLI owns the data directory, so they count as the admin of any
 * channel they name.
 */
export function cliCommandContext(o: RecipientOpts): CommandContext {
  return {
    platform: 'cli',
    userId: recipientFrom({ ...(o.user !== undefined ? { user: o.user } : {}) }).id,
    ...(o.channel ? { channelId: o.channel } : {}),
    isChannelAdmin: async () => true,
  };
}
