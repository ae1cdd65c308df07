import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config/config.ts';
import type { App } from '../../service/app.ts';
import { subscriptionDigests } from '../../service/digest-outbox.ts';
import { checkApiBinding } from '../../service/http-api.ts';
import type { JobOutcome } from '../../service/schedule.ts';
import { startService, type BotStarter } from '../../service/serve.ts';
import type { RegisterCommand } from '../context.ts';
import { parseCount } from '../options.ts';

interface ServeOpts {
  once?: boolean;
  port?: number;
  host?: string;
}

/** `paperfeed serve`: the long-running service (what `npm start` runs). */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('serve')
    .description(
      'run the service: scheduled ingest and digests, the local HTTP API, and the bots whose tokens are set ' +
        '(with none, the day\'s picks are printed here)',
    )
    .option('--once', 'run the jobs once (ingest, due digests), print the day\'s picks, and exit')
    .option('--port <port>', 'HTTP API port (default PAPERFEED_API_PORT; 0 picks a free one)', parsePort)
    .option('--host <host>', 'HTTP API address (default PAPERFEED_API_HOST)')
    .action(async (o: ServeOpts) => {
      // Checked before anything is opened: exposing the API without a token is refused outright.
      const env = loadConfig(process.env);
      if (!o.once) checkApiBinding(o.host ?? env.PAPERFEED_API_HOST, env.PAPERFEED_API_TOKEN);
      await ctx.withApp(async (app) => {
        const service = await startService(app, {
          ...(o.once ? { once: true } : {}),
          ...(o.port !== undefined ? { port: o.port } : {}),
          ...(o.host ? { host: o.host } : {}),
          print: ctx.print,
          bots: configuredBots(app),
        });
        if (service.url) process.stderr.write(`paperfeed: serving on ${service.url} (GET /healthz, /readyz, /metrics, /api/similar, /api/search, /api/picks)\n`);
        if (o.once) {
          const outcomes = await service.startup.finally(() => service.stop('--once finished'));
          // Not an error (another replica runs the job), but a run right after a crash meets the dead process's lock.
          for (const [job, outcome] of Object.entries(outcomes)) {
            if (outcome.status === 'locked') {
              process.stderr.write(`paperfeed: ${job} skipped: another process holds its lock (a crashed one's lock stands for PAPERFEED_LOCK_TTL_MS, ${app.config.PAPERFEED_LOCK_TTL_MS} ms)\n`);
            }
          }
          const failed = Object.entries(outcomes).filter((e): e is [string, Extract<JobOutcome, { status: 'failed' }>] => e[1].status === 'failed');
          if (failed.length) throw new Error(failed.map(([job, f]) => `${job} failed: ${f.error}`).join('; '));
          return;
        }
        service.startup.then(
          undefined,
          (err: unknown) => app.log.error({ err: (err as Error).message }, 'start-up jobs failed'),
        );
        await untilSignal((signal) => service.stop(signal));
      }, { service: true });
    });
};

/** Resolves after SIGTERM/SIGINT once shutdown is done; a second signal exits at once. */
function untilSignal(shutdown: (signal: string) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`paperfeed: ${signal} again; exiting without waiting\n`);
        process.exit(130);
      }
      received = true;
      process.stderr.write(`paperfeed: ${signal} received; finishing in-flight work (send it again to exit at once)\n`);
      shutdown(signal).then(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      }, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** The bots whose tokens are configured; each delivers its platform's digests through the service's outbox. */
export function configuredBots(app: App): BotStarter[] {
  const bots: BotStarter[] = [];
  if (app.config.SLACK_BOT_TOKEN) {
    bots.push(async (a) => {
      // Loaded only when configured: Bolt costs start-up time every other command would pay.
      const { startSlackBot, slackOptionsFromConfig } = await import('../../../bots/slack/index.ts');
      const bot = await startSlackBot(a, { ...slackOptionsFromConfig(a.config), digests: false });
      const { planner, deliverer } = subscriptionDigests(a, 'slack', bot.sendDigest);
      return { name: 'slack', platform: 'slack', planner, deliverer, stop: () => bot.stop() };
    });
  }
  if (app.config.DISCORD_TOKEN) {
    bots.push(async (a) => {
      const { startDiscordBot } = await import('../../../bots/discord/index.ts');
      const bot = await startDiscordBot(a, { digests: false });
      const { planner, deliverer } = subscriptionDigests(a, 'discord', bot.sender);
      return { name: 'discord', platform: 'discord', planner, deliverer, stop: () => bot.stop() };
    });
  }
  return bots;
}

function parsePort(value: string): number {
  try {
    return parseCount(0, 65_535)(value);
  } catch {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got '${value}'`);
  }
}
