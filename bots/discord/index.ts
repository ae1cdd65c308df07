// The Discord adapter's public surface: the service, the CLI and tests use only this.
export { createDiscordBot, startDiscordBot, GATEWAY_INTENTS, DEFAULT_DEFER_AFTER_MS } from './bot.ts';
export type { DiscordBot } from './bot.ts';
export { discordOptionsFromConfig } from './options.ts';
export type { DiscordBotOptions } from './options.ts';
export { registerCommands } from './register.ts';
export type { RegisterOptions, Registered } from './register.ts';
export { papersCommand, COMMAND_NAME } from './definition.ts';
export { inviteUrl, BOT_PERMISSIONS, BOT_PERMISSION_BITS, canConfigureChannel } from './permissions.ts';
export { renderReply, DISCORD_LIMITS } from './render.ts';
export type { DiscordMessage } from './render.ts';
export { discordDigestSender, postReply, openDm } from './deliver.ts';
export { classifyDiscordError } from './discord-errors.ts';
export type { DiscordFailure, DiscordFailureKind } from './discord-errors.ts';
