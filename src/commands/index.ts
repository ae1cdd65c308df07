// The chat command core's public surface: Slack, Discord and the CLI use only this.
export { CARD_ACTIONS } from './reply.ts';
export type { CardAction, PaperCard, Reply } from './reply.ts';
export { COMMAND_LIMITS, DEFAULT_MUTE_DAYS, commandSchema } from './command.ts';
export type { Command, CommandInput, CommandName, Scope } from './command.ts';
export type { Attachment, CommandContext, Platform } from './context.ts';
export { parseCommand, isReply } from './parse.ts';
export { executeCommand } from './execute.ts';
export { runAction, actionRequestSchema, ACTION_LABELS } from './actions.ts';
export type { ActionRequest } from './actions.ts';
export { USAGE, CHANNEL_USAGE, helpReply, usageFor } from './usage.ts';
export type { Usage } from './usage.ts';
export { picksReply } from './picks.ts';
export { enrichPicks } from './enrich.ts';
export { askReply, ASK_NEEDS_MODEL } from './ask.ts';
export { describeDigest } from './digest.ts';
export { replyText, plainText } from './text.ts';
