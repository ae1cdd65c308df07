/**
 * The Discord bot: a discord.js gateway client with the Guilds intent only, the interaction
 * handler, and the daily digests, delivered through REST on the service's digest job (schedule,
 * outbox and job lock: src/service/bot-digests.ts).
 *
 * Why Guilds and nothing more: slash commands, buttons and autocomplete arrive as
 * INTERACTION_CREATE, which Discord sends without any intent; Guilds (not privileged) keeps
 * discord.js's server and channel caches working and tells us when the bot is removed from a
 * server. The bot reads no messages (no GuildMessages, no privileged MessageContent) and only
 * sends DMs (no DirectMessages).
 */
import { Client, Events, GatewayIntentBits, Options, RESTEvents, type Interaction } from 'discord.js';
import type { DigestSender } from '../../src/digests/index.ts';
import type { Logger } from '../../src/log.ts';
import type { App } from '../../src/service/app.ts';
import { startBotDigests, type BotDigests } from '../../src/service/bot-digests.ts';
import { discordDigestSender, NO_MENTIONS, type DiscordOut } from './deliver.ts';
import { redactUrl } from './discord-errors.ts';
import { createInteractionHandler } from './interactions.ts';
import { discordOptionsFromConfig, type DiscordBotOptions } from './options.ts';

export const GATEWAY_INTENTS = [GatewayIntentBits.Guilds] as const;
export const DEFAULT_DEFER_AFTER_MS = 1_500;
const STOP_WAIT_MS = 10_000;

export interface DiscordBot {
  readonly name: 'discord';
  readonly client: Client;
  /** Delivers a digest (a user's by DM, a channel's into the channel). */
  readonly sender: DigestSender;
  /**
   * Handles one raw INTERACTION_CREATE payload (the gateway event's `d`) through discord.js's own
   * interaction classes, exactly as one from the gateway: for tests and relays.
   */
  handleRaw(payload: unknown): void;
  /** Resolves when every interaction in progress is answered. */
  idle(): Promise<void>;
  /** Starts the digest job (once) on the service's schedule, outbox and locks; start() does it unless options.digests is false. */
  startDigests(): Promise<BotDigests>;
  /** Logs in to the gateway and starts the digests. */
  start(): Promise<void>;
  /** Stops the digests, waits (bounded) for interactions in progress, and closes the gateway. */
  stop(): Promise<void>;
}

interface InternalActions {
  actions: { InteractionCreate: { handle(data: unknown): void } };
}

function logClientEvents(client: Client, log: Logger): void {
  // Without an 'error' listener an EventEmitter error would crash the process.
  client.on(Events.Error, (err) => log.error({ err }, 'Discord client error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'Discord client warning'));
  client.on(Events.ShardReady, (shard) => log.info({ shard }, 'Discord gateway ready'));
  // Recoverable closes (network, 4000, zombie connections) reconnect and resume by themselves;
  // only closes Discord marks final (4004 bad token, 4014 disallowed intents, …) end in ShardDisconnect.
  client.on(Events.ShardReconnecting, (shard) => log.warn({ shard }, 'Discord gateway connection closed; reconnecting'));
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.error({ shard, code: event.code }, 'Discord gateway closed for good; commands stop until the bot is restarted (check DISCORD_TOKEN and intents)'),
  );
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'Discord gateway resumed'));
  client.on(Events.ShardError, (err, shard) => log.error({ shard, err: err.message }, 'Discord gateway connection error'));
  client.on(Events.Invalidated, () => log.error('Discord session invalidated; restart the bot'));
  client.on(Events.GuildDelete, (guild) => log.info({ guild: guild.id }, 'removed from a Discord server; its channel digests stop at the next attempt'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.warn({ route: info.route, method: info.method, url: redactUrl(info.url), retryAfterMs: info.retryAfter, global: info.global, scope: info.scope }, 'Discord rate limit; waiting'),
  );
  // A 429 from a bucket discord.js did not know was full: it waits retry_after and retries by itself.
  client.rest.on(RESTEvents.Response, (req, res) => {
    if (res.status === 429) {
      log.warn(
        { route: req.route, method: req.method, retryAfterSeconds: res.headers.get('retry-after'), scope: res.headers.get('x-ratelimit-scope'), global: res.headers.has('x-ratelimit-global') },
        'Discord answered 429; retrying after retry_after',
      );
    }
  });
  client.rest.on(RESTEvents.InvalidRequestWarning, (info) => log.warn({ count: info.count, remainingMs: info.remainingTime }, 'many invalid Discord requests (401/403/429)'));
}

/** Builds the bot without connecting: REST works at once, the gateway only after start(). */
export function createDiscordBot(app: App, options: DiscordBotOptions): DiscordBot {
  const log = (options.log ?? app.log).child({ component: 'discord' });
  const client = new Client({
    intents: [...GATEWAY_INTENTS],
    allowedMentions: NO_MENTIONS,
    // Button clicks carry their message; nothing needs a message cache.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    rest: { ...(options.apiUrl ? { api: options.apiUrl } : {}), timeout: options.restTimeoutMs ?? 15_000 },
  });
  client.rest.setToken(options.token);
  logClientEvents(client, log);

  const inFlight = new Set<Promise<void>>();
  const handler = createInteractionHandler({ app, log, deferAfterMs: options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS });
  client.on(Events.InteractionCreate, (i: Interaction) => {
    const p = handler(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });

  const out: DiscordOut = { rest: client.rest, log, dmChannels: new Map() };
  const sender = discordDigestSender(out);
  let scheduler: Promise<BotDigests> | undefined;
  const idle = async () => {
    while (inFlight.size) await Promise.all([...inFlight]);
  };

  return {
    name: 'discord',
    client,
    sender,
    handleRaw(payload) {
      (client as unknown as InternalActions).actions.InteractionCreate.handle(payload);
    },
    idle,
    startDigests() {
      scheduler ??= startBotDigests(app, 'discord', sender);
      return scheduler;
    },
    async start() {
      try {
        await client.login(options.token);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'Discord login failed');
        await client.destroy().catch(() => undefined);
        throw new Error(`Discord login failed: ${(err as Error).message} (check DISCORD_TOKEN)`, { cause: err });
      }
      log.info({ user: client.user?.tag, intents: 'Guilds' }, 'Discord bot connected');
      if (options.digests === false) return;
      try {
        await this.startDigests();
      } catch (err) {
        await client.destroy().catch(() => undefined);
        throw err;
      }
    },
    async stop() {
      const digests = await scheduler?.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      });
      await Promise.race([Promise.all([idle(), digests?.stop()]), waited]);
      clearTimeout(timer);
      await client.destroy();
    },
  };
}

/** For the service: the bot from configuration (and overrides), connected and delivering digests. */
export async function startDiscordBot(app: App, overrides: Partial<DiscordBotOptions> = {}): Promise<DiscordBot> {
  const bot = createDiscordBot(app, discordOptionsFromConfig(app.config, {}, overrides));
  await bot.start();
  return bot;
}
