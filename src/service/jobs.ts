/**
 * The service's scheduled work: ingest from the configured sources, and digests delivered
 * through the outbox (pending → sending → sent), whatever platform delivers them.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log.ts';
import { ingest, type IngestReport } from '../pipeline/ingest.ts';
import { formatPicks, getPicks, type Recipient } from '../recommend/index.ts';
import { readFileSource } from '../sources/files.ts';
import { createNetworkSource } from '../sources/network.ts';
import type { PaperSource } from '../sources/source.ts';
import type { App } from './app.ts';
import type { JobLocks } from './locks.ts';
import type { Claimant, DigestRef, Outbox, OutboxStatus } from './outbox.ts';
import { Scheduler, type SchedulerDeps } from './schedule.ts';

/** Sends one recipient's digest for one local day (computing the picks, rendering, posting, recording them). */
export interface DigestDeliverer {
  deliver(ref: DigestRef, signal: AbortSignal): Promise<void>;
}

/** Who is due a digest now (each with the local date the digest is for), e.g. the subscriptions of a platform. */
export interface DigestPlanner {
  due(now: Date): Promise<DigestRef[]>;
  /** Told once any digest is out (sent, or given up after repeated failures); ignore the ones not yours. */
  settled?(ref: DigestRef, status: Extract<OutboxStatus, 'sent' | 'failed'>, now: Date): Promise<void>;
}

export type Deliverers = Partial<Record<Recipient['platform'], DigestDeliverer>>;

// ---- ingest ----

/** The sources the scheduled ingest reads (PAPERFEED_INGEST_SOURCES). */
export function configuredSources(config: Config): PaperSource[] {
  const kinds = [...new Set(config.PAPERFEED_INGEST_SOURCES.split(',').map((s) => s.trim()))];
  return kinds.map((kind) => {
    switch (kind) {
      case 'hf':
        return createNetworkSource('hf', config);
      case 'arxiv':
        return createNetworkSource('arxiv', config);
      default:
        return readFileSource(resolve(config.PAPERFEED_SAMPLE_DIR), { dataDir: config.dataDir });
    }
  });
}

/**
 * A store transaction of the service's own ingest holds the event loop (SQLite is synchronous):
 * kept about this short, with the API answering between them.
 */
const INGEST_SLICE_MS = 10;

export interface IngestJobHooks {
  onReport?(report: IngestReport): void;
}

/** Ingests each source on its own: one unreachable feed does not cost the others' papers. */
export async function runIngest(app: App, sources: PaperSource[], signal: AbortSignal, hooks: IngestJobHooks = {}): Promise<Record<string, unknown>> {
  const totals = { read: 0, added: 0, merged: 0, unchanged: 0, skipped: 0, embedded: 0, failedSources: [] as string[] };
  for (const source of sources) {
    if (signal.aborted) break;
    try {
      const report = await ingest(app, [source], { sliceMs: INGEST_SLICE_MS });
      hooks.onReport?.(report);
      totals.read += report.read;
      totals.added += report.added;
      totals.merged += report.merged;
      totals.unchanged += report.unchanged;
      totals.skipped += report.skippedCount;
      totals.embedded += report.embedded;
      for (const issue of report.skipped.slice(0, 20)) app.log.warn({ source: source.name, ...issue }, 'item skipped');
    } catch (err) {
      totals.failedSources.push(source.name);
      app.log.error({ source: source.name, err: (err as Error).message }, 'source failed');
    }
  }
  if (totals.failedSources.length === sources.length && sources.length > 0) {
    throw new Error(`every source failed: ${totals.failedSources.join(', ')}`);
  }
  return totals;
}

// ---- digests ----

export interface DigestRunDeps {
  outbox: Outbox;
  deliverers: Deliverers;
  planners: DigestPlanner[];
  claimant: Claimant;
  log: Logger;
  maxAttempts: number;
  /** A `sending` entry older than this is taken over whatever its fence. */
  staleMs: number;
  /** Earliest retry after a failed delivery. */
  retryAfterMs?: number;
  now?: () => Date;
  onSettled?(ref: DigestRef, status: OutboxStatus): void;
}

/**
 * The job schedule of a service process: job state in the store, locks shared with the other
 * replicas, the configured time zone and lock lease. The same for `serve` and a bot on its own.
 */
export function serviceScheduler(
  app: Pick<App, 'store' | 'config'>,
  locks: JobLocks,
  log: Logger,
  extra: Pick<SchedulerDeps, 'now' | 'onOutcome'> = {},
): Scheduler {
  return new Scheduler({
    store: app.store,
    locks,
    log,
    timezone: app.config.PAPERFEED_SCHEDULE_TIMEZONE,
    lockTtlMs: app.config.PAPERFEED_LOCK_TTL_MS,
    ...extra,
  });
}

/**
 * The digest run of one job lease, with the retry and take-over settings from configuration: the
 * same for `serve` and for a bot started on its own.
 */
export function digestRunDeps(
  config: Pick<Config, 'PAPERFEED_OUTBOX_MAX_ATTEMPTS' | 'PAPERFEED_LOCK_TTL_MS'>,
  parts: Pick<DigestRunDeps, 'outbox' | 'deliverers' | 'planners' | 'log' | 'now' | 'onSettled'> & { lease: Claimant },
): DigestRunDeps {
  const { lease, ...rest } = parts;
  return {
    ...rest,
    claimant: { owner: lease.owner, fence: lease.fence },
    maxAttempts: config.PAPERFEED_OUTBOX_MAX_ATTEMPTS,
    // Well past any lock expiry: by then the claimant is certainly gone.
    staleMs: Math.max(10 * 60_000, 4 * config.PAPERFEED_LOCK_TTL_MS),
  };
}

export interface DigestRunResult {
  enqueued: number;
  sent: number;
  failed: number;
  retrying: number;
  handedBack: number;
  [key: string]: number;
}

/**
 * Enqueues what the planners say is due (the outbox ignores what it already has), then delivers
 * one entry at a time: claim → deliver → mark sent. One at a time keeps the in-flight window to a
 * single message. On shutdown (signal) the loop stops claiming; nothing is left half-claimed.
 */
export async function runDigests(deps: DigestRunDeps, signal: AbortSignal): Promise<DigestRunResult> {
  const now = () => deps.now?.() ?? new Date();
  const result: DigestRunResult = { enqueued: 0, sent: 0, failed: 0, retrying: 0, handedBack: 0 };
  const due: DigestRef[] = [];
  for (const planner of deps.planners) {
    try {
      due.push(...(await planner.due(now())));
    } catch (err) {
      // What is already in the outbox still goes out.
      deps.log.error({ err: (err as Error).message }, 'could not list the digests due');
    }
  }
  result.enqueued = await deps.outbox.enqueue(due, now());
  const platforms = Object.keys(deps.deliverers);
  const settle = async (ref: DigestRef, status: 'sent' | 'failed') => {
    deps.onSettled?.(ref, status);
    for (const p of deps.planners) {
      await p.settled?.(ref, status, now()).catch((err: unknown) => deps.log.warn({ err: (err as Error).message }, 'planner could not record a settled digest'));
    }
  };
  while (!signal.aborted) {
    const entry = await deps.outbox.claimNext(deps.claimant, now(), { staleMs: deps.staleMs, platforms });
    if (!entry) break;
    const deliverer = deps.deliverers[entry.recipient.platform]!;
    try {
      await deliverer.deliver(entry, signal);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (signal.aborted) {
        // Interrupted by shutdown: handed back untouched, not counted as a failed attempt.
        await deps.outbox.release(entry, deps.claimant, now(), { maxAttempts: deps.maxAttempts, retryAfterMs: 0 });
        result.handedBack++;
        break;
      }
      const status = await deps.outbox.release(entry, deps.claimant, now(), {
        error,
        maxAttempts: deps.maxAttempts,
        retryAfterMs: deps.retryAfterMs ?? 5 * 60_000,
      });
      deps.log.warn({ recipient: entry.key, date: entry.date, status, error }, 'digest delivery failed');
      if (status === 'failed') {
        result.failed++;
        await settle(entry, 'failed');
      } else result.retrying++;
      continue;
    }
    if (await deps.outbox.markSent(entry, deps.claimant, now())) {
      result.sent++;
      await settle(entry, 'sent');
    } else {
      deps.log.warn({ recipient: entry.key, date: entry.date }, 'digest sent after its claim was taken over (lost the lock?)');
    }
  }
  // Finished entries are only needed while their day can still come up again.
  await deps.outbox.prune(new Date(now().getTime() - OUTBOX_KEEP_DAYS * 86_400_000));
  return result;
}

/** How long sent and failed digests are kept in the outbox. */
export const OUTBOX_KEEP_DAYS = 60;

// ---- the console digest (no accounts needed) ----

/** The "channel" the quick start prints picks to. */
export const CONSOLE_RECIPIENT: Recipient = { kind: 'channel', platform: 'cli', id: 'console' };

/** Local YYYY-MM-DD of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Plans the console digest: due whenever its job runs, for the schedule's local date. */
export function consolePlanner(timeZone: string): DigestPlanner {
  return { due: async (now) => [{ recipient: CONSOLE_RECIPIENT, date: localDate(now, timeZone) }] };
}

/** Prints the day's general picks (recorded, so tomorrow's are new papers). */
export function consoleDeliverer(app: App, print: (text: string) => void): DigestDeliverer {
  return {
    async deliver(ref) {
      const picks = await getPicks(app, ref.recipient, { record: true });
      print(`\n=== paperfeed digest for ${ref.date} ===\n${formatPicks(picks)}\n`);
    },
  };
}
