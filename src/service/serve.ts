/**
 * `paperfeed serve`: the whole product as one long-running process on an opened App. Schedules
 * (ingest, digests through the outbox), the local HTTP API, bots when configured, an index that
 * follows the shared store, and a graceful shutdown. The same code runs as several replicas.
 */
import type { Server } from 'node:http';
import { formatPicks, getPicks } from '../recommend/index.ts';
import type { App } from './app.ts';
import { openServiceBackends, type ServiceBackends } from './backends.ts';
import { checkApiBinding, closeServer, createHttpApi, listen, type Readiness } from './http-api.ts';
import {
  consoleDeliverer,
  consolePlanner,
  configuredSources,
  CONSOLE_RECIPIENT,
  digestRunDeps,
  runDigests,
  runIngest,
  serviceScheduler,
  type Deliverers,
  type DigestPlanner,
} from './jobs.ts';
import type { Claimant } from './outbox.ts';
import type { JobOutcome, Scheduler } from './schedule.ts';
import { createServiceMetrics, type ServiceMetrics } from './service-metrics.ts';
import type { PaperSource } from '../sources/source.ts';
import { writeLine } from '../terminal-text.ts';
import { warmUp } from './warm-up.ts';

/** A chat platform the service runs alongside the schedules (bots/slack, bots/discord). */
export interface BotHandle {
  name: string;
  /** Delivers this platform's digests (wrapped in the outbox by the service). */
  deliverer?: Deliverers[keyof Deliverers];
  /** This platform's subscriptions: who is due now. */
  planner?: DigestPlanner;
  /** Which platform key the deliverer serves. */
  platform?: keyof Deliverers;
  stop(): Promise<void>;
}

export type BotStarter = (app: App) => Promise<BotHandle>;

export interface ServeOptions {
  /** Run the jobs once (ingest, due digests), print the day's picks, and stop. */
  once?: boolean;
  /** Overrides PAPERFEED_API_PORT / _HOST. */
  port?: number;
  host?: string;
  /** Skip the HTTP API (tests of the schedule alone). */
  http?: boolean;
  /** Where console output (the console digest, --once picks) goes. */
  print?: (text: string) => void;
  /** Bots to start (the CLI passes those whose tokens are configured). */
  bots?: BotStarter[];
  /** Extra planners and deliverers (tests, other platforms). */
  planners?: DigestPlanner[];
  deliverers?: Deliverers;
  /** Print a daily console digest: default when no bot is running. */
  consoleDigest?: boolean;
  /** Ingest sources (default: PAPERFEED_INGEST_SOURCES). */
  sources?: PaperSource[];
  /** Opened from the configuration when not given. */
  backends?: ServiceBackends;
  /** Cron of the subscription digest tick (default every minute). */
  digestTickCron?: string;
  now?: () => Date;
}

export interface RunningService {
  /** The HTTP API's base URL, when it is listening. */
  readonly url: string | undefined;
  readonly scheduler: Scheduler;
  readonly metrics: ServiceMetrics;
  readonly backends: ServiceBackends;
  /** Outcomes of the start-up catch-up (or of the --once run). */
  readonly startup: Promise<Record<string, JobOutcome>>;
  /** Stops taking work, finishes or hands back in-flight work, saves the index, closes the service's own connections (not the App). */
  stop(reason?: string): Promise<void>;
}

export async function startService(app: App, opts: ServeOptions = {}): Promise<RunningService> {
  const { config, log } = app;
  const host = opts.host ?? config.PAPERFEED_API_HOST;
  const port = opts.port ?? config.PAPERFEED_API_PORT;
  const useHttp = opts.http ?? !opts.once;
  if (useHttp) checkApiBinding(host, config.PAPERFEED_API_TOKEN);
  const print = opts.print ?? ((text: string) => writeLine(process.stdout, text));
  const now = opts.now ?? (() => new Date());

  // Everything that can fail on bad input is resolved before anything is opened.
  const sources = opts.sources ?? configuredSources(config);
  const tickCron = opts.digestTickCron ?? '* * * * *';
  const backends = opts.backends ?? (await openServiceBackends(config));
  const closers: (() => Promise<void>)[] = [];
  if (!opts.backends) closers.push(() => backends.close());
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const metrics = createServiceMetrics(app, backends.outbox);

  const bots: BotHandle[] = [];
  /** Undoes a start that failed half way. */
  const release = async () => {
    for (const b of bots) await b.stop().catch(() => {});
    if (!opts.backends) await backends.close().catch(() => {});
  };
  try {
    for (const start of opts.bots ?? []) bots.push(await start(app));
  } catch (err) {
    await release();
    throw err;
  }
  const deliverers: Deliverers = { ...opts.deliverers };
  const planners: DigestPlanner[] = [...(opts.planners ?? [])];
  for (const b of bots) {
    if (b.deliverer && b.platform) deliverers[b.platform] = b.deliverer;
    if (b.planner) planners.push(b.planner);
  }
  // --once prints the day's picks itself (unrecorded); the daily console digest is the long-running form.
  const consoleDigest = !opts.once && (opts.consoleDigest ?? bots.length === 0);
  if (consoleDigest) deliverers.cli = consoleDeliverer(app, print);

  const scheduler = serviceScheduler(app, backends.locks, log, {
    now,
    onOutcome: (job, outcome) => metrics.jobRuns.inc({ job, status: outcome.status }),
  });
  scheduler.add({
    name: 'ingest',
    cron: config.PAPERFEED_INGEST_CRON,
    run: async (ctx) => {
      try {
        const result = await runIngest(app, sources, ctx.signal, {
          onReport: (r) => {
            metrics.ingestedPapers.inc({ outcome: 'added' }, r.added);
            metrics.ingestedPapers.inc({ outcome: 'merged' }, r.merged);
            metrics.ingestedPapers.inc({ outcome: 'unchanged' }, r.unchanged);
            metrics.ingestedPapers.inc({ outcome: 'skipped' }, r.skipped.length);
          },
        });
        metrics.ingestRuns.inc({ result: 'ok' });
        return result;
      } catch (err) {
        metrics.ingestRuns.inc({ result: 'error' });
        throw err;
      }
    },
  });
  const digestDeps = (lease: Claimant, list: DigestPlanner[]) =>
    digestRunDeps(config, {
      outbox: backends.outbox,
      deliverers,
      planners: list,
      lease,
      log,
      now,
      onSettled: (ref, status) => metrics.posts.inc({ platform: ref.recipient.platform, result: status }),
    });
  if (consoleDigest) {
    const planner = consolePlanner(config.PAPERFEED_SCHEDULE_TIMEZONE);
    scheduler.add({
      name: 'console-digest',
      cron: config.PAPERFEED_CONSOLE_DIGEST_CRON,
      after: 'ingest',
      run: async (ctx) => runDigests(digestDeps(ctx.lease, [planner]), ctx.signal),
    });
  }
  if (planners.length > 0 || Object.keys(deliverers).some((p) => p !== 'cli')) {
    scheduler.add({
      name: 'digests',
      cron: tickCron,
      after: 'ingest',
      run: async (ctx) => runDigests(digestDeps(ctx.lease, planners), ctx.signal),
    });
  }

  // Not ready, and no start-up job, until the query paths are warm (warm-up.ts).
  let warm = opts.once === true;
  const warmedUp = warm ? Promise.resolve() : warmUp(app, log).finally(() => (warm = true));

  let server: Server | undefined;
  let url: string | undefined;
  const readiness = async (): Promise<Readiness> => {
    const checks: Record<string, string> = {};
    if (stopping) checks.service = 'shutting down';
    let papers: number | undefined;
    try {
      papers = await withTimeout(app.store.count(), 2_000, 'store did not answer within 2 s');
      checks.store = `ok (${papers} papers)`;
    } catch (err) {
      checks.store = `error: ${(err as Error).message}`;
    }
    // Queries use the live generation; a new one being built beside it is news, not a failure. An
    // empty index over a stored corpus (a first bulk load still being indexed) answers nothing useful.
    const corpus = app.corpus.status();
    const { provider, vectors } = corpus.generation;
    const indexed = vectors > 0 || !papers;
    checks.index = indexed ? `ok (${provider}, ${vectors} vectors)` : `not built yet (0 of ${papers} papers indexed)`;
    if (!warm) checks.warmUp = 'in progress';
    if (corpus.rebuilding) checks.rebuild = `in progress (${corpus.rebuilding.reason}${corpus.rebuilding.elsewhere ? ' by another process' : ''}, since ${corpus.rebuilding.since}); queries use the live index meanwhile`;
    if (corpus.replaced) checks.indexOnDisk = `replaced by another process (${corpus.replaced}); queries use this process's index, unsaved; restart to load the new one`;
    return { ready: !stopping && checks.store.startsWith('ok') && indexed && warm, checks };
  };
  if (useHttp) {
    server = createHttpApi({
      app,
      log,
      metrics: metrics.registry,
      counters: metrics,
      readiness,
      token: config.PAPERFEED_API_TOKEN,
    });
    try {
      url = await listen(server, host, port);
    } catch (err) {
      await release();
      throw err;
    }
    log.info({ url }, 'HTTP API listening');
  }

  // Each replica keeps its own index in step with the shared store (a cheap checksum check when nothing changed).
  let follow: NodeJS.Timeout | undefined;
  if (!opts.once && config.PAPERFEED_INDEX_FOLLOW_SECONDS > 0) {
    follow = setInterval(() => {
      if (stopping) return;
      app.corpus.follow().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'index follow failed'));
    }, config.PAPERFEED_INDEX_FOLLOW_SECONDS * 1_000);
    follow.unref();
  }

  const startup = (async (): Promise<Record<string, JobOutcome>> => {
    if (opts.once) {
      const out: Record<string, JobOutcome> = {};
      for (const name of scheduler.names) {
        // --once runs ingest whatever the schedule says; digests only when due (never twice a day).
        out[name] = await scheduler.enqueue(name, name === 'ingest' ? 'manual' : 'catch-up');
      }
      const picks = await getPicks(app, CONSOLE_RECIPIENT, {});
      print(formatPicks(picks));
      return out;
    }
    await warmedUp;
    const out = await scheduler.catchUp();
    scheduler.start();
    return out;
  })();
  // A failure is reported through `startup`; this only keeps it from being an unhandled rejection.
  startup.catch(() => {});

  const stop = (reason = 'stop requested'): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      log.info({ reason }, 'shutting down');
      const timeout = config.PAPERFEED_SHUTDOWN_TIMEOUT_MS;
      if (follow) clearInterval(follow);
      const httpClosed = server ? closeServer(server, Math.min(timeout, 5_000)) : Promise.resolve();
      const finished = await scheduler.stop(timeout);
      if (!finished) log.warn({ timeoutMs: timeout }, 'in-flight job did not finish in time; its claims go back to the outbox when their lock expires');
      await httpClosed;
      for (const b of bots) await b.stop().catch((err: unknown) => log.warn({ bot: b.name, err: (err as Error).message }, 'bot did not stop cleanly'));
      // Brings the index in step (and saves it) if the store moved since the last sync.
      await app.corpus.follow().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not bring the index in step at shutdown'));
      for (const close of closers) await close().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'close failed'));
      log.info('stopped');
    })();
    return stopped;
  };

  return {
    get url() {
      return url;
    },
    scheduler,
    metrics,
    backends,
    startup,
    stop,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
