// The Slack adapter's public surface.
export { startSlackBot, createSlackBot } from './bot.ts';
export type { SlackBot } from './bot.ts';
export { slackOptionsFromConfig } from './options.ts';
export type { SlackBotOptions } from './options.ts';
export { replyMessages, markFeedback, SLACK_LIMITS } from './blocks.ts';
export { slackDigestSender } from './post.ts';
