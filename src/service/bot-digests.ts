/**
 * The digests of a bot started on its own (`paperfeed slack start`, `paperfeed discord start`):
 * the platform's subscriptions delivered through the same outbox, job locks and schedule as
 * `serve`, with the digest job alone (no ingest, no HTTP API). A bot and a `serve` replica
 * running side by side share the job's lock and the outbox, so nobody gets a digest twice.
 */
import type { DigestSender } from '../digests/index.ts';
import type { Recipient } from '../recommend/index.ts';
import type { App } from './app.ts';
import { openServiceBackends, type ServiceBackends } from './backends.ts';
import { subscriptionDigests } from './digest-outbox.ts';
import { digestRunDeps, runDigests, serviceScheduler } from './jobs.ts';
import type { Scheduler } from './schedule.ts';

export interface BotDigests {
  readonly scheduler: Scheduler;
  /** Resolves when the digest run in progress (if any) is done. */
  idle(): Promise<void>;
  /** Stops the schedule, lets the run in progress hand back what it claimed, closes the backends it opened (once). */
  stop(): Promise<void>;
}

export interface BotDigestOptions {
  /** Opened from the configuration (and closed on stop) when not given. */
  backends?: ServiceBackends;
  /** Cron of the digest tick (default every minute, as `serve`). */
  tickCron?: string;
}

export async function startBotDigests(
  app: App,
  platform: Recipient['platform'],
  send: DigestSender,
  opts: BotDigestOptions = {},
): Promise<BotDigests> {
  const { config } = app;
  const log = app.log.child({ component: `${platform}-digests` });
  const backends = opts.backends ?? (await openServiceBackends(config));
  const { planner, deliverer } = subscriptionDigests(app, platform, send);
  const scheduler = serviceScheduler(app, backends.locks, log);
  scheduler.add({
    name: 'digests',
    cron: opts.tickCron ?? '* * * * *',
    run: (ctx) =>
      runDigests(digestRunDeps(config, { outbox: backends.outbox, deliverers: { [platform]: deliverer }, planners: [planner], lease: ctx.lease, log }), ctx.signal),
  });
  // No catch-up run: the first tick, within a minute, delivers whatever came due meanwhile.
  scheduler.start();
  let stopped: Promise<void> | undefined;
  return {
    scheduler,
    idle: () => scheduler.idle(),
    stop: () =>
      (stopped ??= (async () => {
        await scheduler.stop(config.PAPERFEED_SHUTDOWN_TIMEOUT_MS);
        if (!opts.backends) await backends.close();
      })()),
  };
}
