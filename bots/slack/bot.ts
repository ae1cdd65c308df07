/**
 * The Slack bot: a Bolt app in Socket Mode or HTTP mode over the shared command core, plus the
 * Slack side of the daily digests. `paperfeed slack start` and `paperfeed serve` call startSlackBot.
 */
import type { AddressInfo } from 'node:net';
import { App as BoltApp, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { DigestSender } from '../../src/digests/index.ts';
import type { Logger } from '../../src/log.ts';
import type { App } from '../../src/service/app.ts';
import { startBotDigests, type BotDigests } from '../../src/service/bot-digests.ts';
import { boltLogger } from './bolt-logger.ts';
import { registerListeners } from './listeners.ts';
import { boundRequestClock } from './request-clock.ts';
import type { SlackBotOptions } from './options.ts';
import { slackDigestSender, type SlackOut } from './post.ts';
import { classifySlackError } from './slack-errors.ts';
import { SlackUsers } from './users.ts';

export interface SlackBot {
  readonly bolt: BoltApp;
  /** HTTP mode: the port the receiver listens on (useful with port 0). */
  readonly port?: number;
  /** Sends one digest (what the digest job calls; exposed for the service's own scheduling). */
  readonly sendDigest: DigestSender;
  /** The digest job on the service's schedule, outbox and locks (src/service/bot-digests.ts), unless `digests: false`. */
  readonly scheduler?: BotDigests;
  stop(): Promise<void>;
}

function receiverFor(options: SlackBotOptions, logger: ReturnType<typeof boltLogger>, log: Logger): Receiver {
  if (options.mode === 'http') {
    if (!options.signingSecret) throw new Error('Slack HTTP mode needs a signing secret');
    const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: '/slack/events', logger });
    boundRequestClock(receiver, log);
    return receiver;
  }
  if (!options.appToken) throw new Error('Slack Socket Mode needs an app token');
  return new SocketModeReceiver({
    appToken: options.appToken,
    logger,
    ...(options.apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } } } : {}),
  });
}

/**
 * Builds the Bolt app and its listeners without starting it. Initialization is deferred (call
 * `bolt.init()` before `bolt.start()`), so a bad token fails there, as an error the caller handles,
 * instead of as an unhandled rejection from Bolt's constructor.
 */
export function createSlackBot(app: App, options: SlackBotOptions): { bolt: BoltApp; out: SlackOut } {
  const baseLog = options.log ?? app.log;
  const logger = boltLogger(baseLog);
  const bolt = new BoltApp({
    token: options.botToken,
    receiver: receiverFor(options, logger, baseLog.child({ component: 'slack' })),
    logger,
    deferInitialization: true,
    clientOptions: {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    },
  });
  const log = baseLog.child({ component: 'slack' });
  const out: SlackOut = { app, client: bolt.client, log };
  const users = new SlackUsers(bolt.client, log, new Set(options.admins ?? []));
  registerListeners(bolt, { app, log, users }, out);
  return { bolt, out };
}

/** Starts the bot (and, unless `digests: false`, its digest job); stop() undoes both. */
export async function startSlackBot(app: App, options: SlackBotOptions): Promise<SlackBot> {
  const { bolt, out } = createSlackBot(app, options);
  try {
    // auth.test: checks the token and learns the bot's own user id (to ignore its own messages).
    await bolt.init();
  } catch (err) {
    const failure = classifySlackError(err);
    out.log.error({ code: failure.code }, 'Slack bot could not start: auth.test failed');
    throw new Error(
      failure.kind === 'auth'
        ? `Slack rejected SLACK_BOT_TOKEN (${failure.code}); reinstall the app and update the token`
        : `Slack bot could not start: auth.test failed (${failure.code})`,
    );
  }
  let port: number | undefined;
  if (options.mode === 'http') {
    const server = await bolt.start({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' });
    port = (server.address() as AddressInfo | null)?.port;
  } else {
    await bolt.start();
  }
  const sendDigest = slackDigestSender(out);
  let scheduler: BotDigests | undefined;
  try {
    if (options.digests !== false) scheduler = await startBotDigests(app, 'slack', sendDigest);
  } catch (err) {
    await bolt.stop();
    throw err;
  }
  out.log.info({ mode: options.mode, ...(port !== undefined ? { port } : {}) }, 'Slack bot started');
  return {
    bolt,
    ...(port !== undefined ? { port } : {}),
    sendDigest,
    ...(scheduler ? { scheduler } : {}),
    async stop() {
      await scheduler?.stop();
      await bolt.stop();
    },
  };
}
