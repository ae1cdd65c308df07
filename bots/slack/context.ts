import type { CommandContext } from '../../src/commands/context.ts';
import type { SlackUsers } from './users.ts';

/** Direct-message conversation ids start with D: there is no channel to configure there. */
export const isDmChannel = (id: string | undefined): boolean => !id || id.startsWith('D');

/** The command core's view of a Slack request. */
export function slackContext(users: SlackUsers, userId: string, channelId: string | undefined): CommandContext {
  return {
    platform: 'slack',
    userId,
    ...(channelId && !isDmChannel(channelId) ? { channelId } : {}),
    isChannelAdmin: () => users.isChannelAdmin(userId),
    userTimeZone: () => users.timeZone(userId),
  };
}
