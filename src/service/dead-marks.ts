/**
 * Where the Slack bot notes destinations it can no longer post to (kv namespace `slack`,
 * `dead:<channel or user id>`: a user's DM is opened by user id, so a gone user is marked by it).
 * Here rather than in bots/slack so that forget-me can delete a user's mark without loading Slack.
 */
export const SLACK_NAMESPACE = 'slack';

export const deadKey = (channelOrUser: string): string => `dead:${channelOrUser}`;
