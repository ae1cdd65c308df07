// `paperfeed slack start`: the Slack bot and its daily digests, until Ctrl-C.
import type { RegisterCommand } from '../context.ts';

// Loaded when the command runs: Bolt and Express take a good part of a second to load, which every
// other command (a cold `similar`) would pay for nothing.
const slackBot = () => import('../../../bots/slack/index.ts');

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export const register: RegisterCommand = (program, ctx) => {
  const slack = program.command('slack').description('the Slack bot (see bots/slack/README.md)');
  slack
    .command('start')
    .description('run the Slack bot (Socket Mode or HTTP, by PAPERFEED_SLACK_MODE) with its daily digests')
    .option('--no-digests', 'answer commands only; do not send scheduled digests from this process')
    .action(async (o: { digests: boolean }) => {
      const { slackOptionsFromConfig, startSlackBot } = await slackBot();
      await ctx.withApp(async (app) => {
        const bot = await startSlackBot(app, { ...slackOptionsFromConfig(app.config), digests: o.digests });
        const mode = app.config.PAPERFEED_SLACK_MODE;
        ctx.print(`Slack bot running (${mode}${bot.port !== undefined ? `, port ${bot.port}` : ''}); Ctrl-C stops it.`);
        const signal = await untilSignal();
        app.log.info({ signal }, 'stopping the Slack bot');
        await bot.stop();
      }, { service: true });
    });
};
