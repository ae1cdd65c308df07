import type { Command } from 'commander';
import type { DiscordBot, DiscordBotOptions } from '../../../bots/discord/index.ts';
import { loadConfig } from '../../config/config.ts';
import { loggerFor } from '../../log.ts';
import type { App } from '../../service/app.ts';
import type { RegisterCommand } from '../context.ts';

export type { DiscordBot, DiscordBotOptions };

// discord.js is loaded only when a discord command runs: every other command would pay its start-up time.
const discord = () => import('../../../bots/discord/index.ts');

/** For the service: the Discord bot from configuration (and overrides), connected. */
export async function startDiscordBot(app: App, options: Partial<DiscordBotOptions> = {}): Promise<DiscordBot> {
  return (await discord()).startDiscordBot(app, options);
}

/** Configuration without opening the App: registering and the invite URL need no store. */
function configFor(cmd: Command) {
  const { logLevel } = cmd.optsWithGlobals<{ logLevel?: string }>();
  const config = loadConfig(process.env, logLevel ? { PAPERFEED_LOG_LEVEL: logLevel } : {});
  return { config, log: loggerFor(config, 'command') };
}

/** The Discord bot: register its slash command, print its invite URL, run it on its own. */
export const register: RegisterCommand = (program, ctx) => {
  const group = program.command('discord').description('the Discord bot (DISCORD_TOKEN, DISCORD_APPLICATION_ID)');

  group
    .command('register')
    .description('register the /papers slash command with Discord (global, or one server with --guild)')
    .option('--guild <id>', 'register in this server only (instant; global commands take up to an hour to appear)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { guild?: string; json?: boolean }, cmd: Command) => {
      const { config, log } = configFor(cmd);
      const { discordOptionsFromConfig, registerCommands } = await discord();
      const opts = discordOptionsFromConfig(config);
      const res = await registerCommands({ ...opts, log, ...(o.guild ? { guildId: o.guild } : {}) });
      if (o.json) ctx.printJson(res);
      else ctx.print(`Registered ${res.commands.map((c) => `/${c.name} (${c.id})`).join(', ')} ${res.scope === 'guild' ? `in server ${o.guild}` : 'globally'}.`);
    });

  group
    .command('invite-url')
    .description('print the URL that adds the bot to a server, with exactly the permissions it needs')
    .option('--json', 'print the URL and the permissions as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { config } = configFor(cmd);
      const { discordOptionsFromConfig, inviteUrl, BOT_PERMISSIONS, BOT_PERMISSION_BITS } = await discord();
      const { applicationId } = discordOptionsFromConfig(config, { token: false });
      const url = inviteUrl(applicationId);
      const names = Object.keys(BOT_PERMISSIONS);
      if (o.json) ctx.printJson({ url, permissions: BOT_PERMISSION_BITS.toString(), names, scopes: ['bot', 'applications.commands'] });
      else ctx.print(`${url}\n(permissions ${BOT_PERMISSION_BITS}: ${names.join(', ')}; scopes: bot applications.commands)`);
    });

  group
    .command('start')
    .description('run the Discord bot (and its digests) until interrupted')
    .option('--no-digests', 'do not send daily digests from this process')
    .action(async (o: { digests: boolean }) => {
      await ctx.withApp(async (app) => {
        const bot = await startDiscordBot(app, { digests: o.digests });
        ctx.print('Discord bot running; Ctrl-C stops it.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await bot.stop();
      }, { service: true });
    });
};
