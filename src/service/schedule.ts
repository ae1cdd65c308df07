/**
 * Cron schedules (croner, with a time zone) with catch-up and one-replica-at-a-time execution.
 *
 * Every replica runs the same crons. A run takes the job's lock, then checks, under the lock,
 * whether the job is still due by its persisted last run (in the shared store): so a replica that
 * gets the lock a moment after another finished does not run the job again, and after downtime a
 * missed run happens once, on start. Runs within one process are serial, in registration order.
 */
import { Cron } from 'croner';
import type { Logger } from '../log.ts';
import type { PaperStore } from '../store/paper-store.ts';
import type { JobLocks, Lease } from './locks.ts';

export type Trigger = 'cron' | 'catch-up' | 'manual';

export interface JobContext {
  name: string;
  trigger: Trigger;
  /** When the run started (by the scheduler's clock). */
  now: Date;
  /** Aborted on shutdown or when the lock was lost: stop taking new work, hand back what is claimed. */
  signal: AbortSignal;
  lease: Lease;
  log: Logger;
}

export interface JobSpec {
  name: string;
  cron: string;
  /** The job is held back while this other job is due (digests wait for the day's ingest). */
  after?: string;
  run(ctx: JobContext): Promise<Record<string, unknown> | void>;
}

export type JobOutcome =
  | { status: 'ran'; result: Record<string, unknown> }
  | { status: 'failed'; error: string }
  /** Another replica holds the lock. */
  | { status: 'locked' }
  /** Already run for this slot (by this or another replica). */
  | { status: 'not-due' }
  | { status: 'waiting'; on: string }
  | { status: 'stopped' };

/** What is persisted per job in the store's meta table (shared by replicas). */
export interface JobState {
  lastRun: string;
  status: 'ok' | 'error';
  durationMs: number;
  error?: string;
}

export interface SchedulerDeps {
  store: Pick<PaperStore, 'getMeta' | 'setMeta'>;
  locks: JobLocks;
  log: Logger;
  timezone: string;
  lockTtlMs: number;
  now?: () => Date;
  onOutcome?: (job: string, outcome: JobOutcome, ms: number) => void;
  /** How long a job held back by `after` waits before trying again. */
  retryWaitingMs?: number;
}

export const jobStateKey = (name: string): string => `schedule.${name}`;

export class Scheduler {
  private readonly jobs = new Map<string, { spec: JobSpec; cron: Cron }>();
  private readonly stopping = new AbortController();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly queued = new Map<string, Promise<JobOutcome>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private started = false;

  constructor(private readonly deps: SchedulerDeps) {}

  add(spec: JobSpec): void {
    if (this.jobs.has(spec.name)) throw new Error(`job ${spec.name} added twice`);
    // No function yet, so no timer: the pattern is checked now (a bad one fails at startup), and
    // nothing keeps the process alive before start().
    const cron = new Cron(spec.cron, { timezone: this.deps.timezone, paused: true });
    this.jobs.set(spec.name, { spec, cron });
  }

  get names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Starts the crons. */
  start(): void {
    if (this.started || this.stopping.signal.aborted) return;
    this.started = true;
    for (const [name, { cron }] of this.jobs) {
      cron.resume();
      cron.schedule(() => {
        void this.enqueue(name, 'cron');
      });
    }
  }

  /** Runs, once and in order, every job that missed its slot while no replica was running (or never ran). */
  async catchUp(): Promise<Record<string, JobOutcome>> {
    const out: Record<string, JobOutcome> = {};
    for (const name of this.jobs.keys()) {
      if (await this.isDue(name, this.now())) out[name] = await this.enqueue(name, 'catch-up');
    }
    return out;
  }

  /** Whether the job has a slot at or before `now` that it has not run for. */
  async isDue(name: string, now: Date): Promise<boolean> {
    const job = this.job(name);
    const state = await this.state(name);
    if (!state) return true;
    const next = job.cron.nextRun(new Date(state.lastRun));
    return next !== null && next.getTime() <= now.getTime();
  }

  async state(name: string): Promise<JobState | undefined> {
    const raw = await this.deps.store.getMeta(jobStateKey(name));
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as JobState;
      return typeof s.lastRun === 'string' && !Number.isNaN(Date.parse(s.lastRun)) ? s : undefined;
    } catch {
      return undefined;
    }
  }

  nextRun(name: string): Date | null {
    return this.job(name).cron.nextRun();
  }

  /**
   * Queues a run (serial within this process). A job already waiting in the queue is not queued
   * twice: the caller gets the waiting run's outcome.
   */
  enqueue(name: string, trigger: Trigger): Promise<JobOutcome> {
    this.job(name);
    const waiting = this.queued.get(name);
    if (waiting) return waiting;
    const run = this.chain.then(() => {
      this.queued.delete(name);
      return this.execute(name, trigger);
    });
    this.queued.set(name, run);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Resolves when the runs queued so far (this process's) are done. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Stops the crons and asks the running job to wind down; resolves when it has, or after timeoutMs. */
  async stop(timeoutMs: number): Promise<boolean> {
    for (const { cron } of this.jobs.values()) cron.stop();
    for (const t of this.timers) clearTimeout(t);
    this.stopping.abort(new Error('shutting down'));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.chain.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  private async execute(name: string, trigger: Trigger): Promise<JobOutcome> {
    const started = Date.now();
    const outcome = await this.attempt(name, trigger);
    const ms = Date.now() - started;
    this.deps.onOutcome?.(name, outcome, ms);
    const log = this.deps.log;
    if (outcome.status === 'failed') log.error({ job: name, trigger, error: outcome.error, ms }, 'job failed');
    else if (outcome.status === 'ran') log.info({ job: name, trigger, ms, ...outcome.result }, 'job finished');
    else log.debug({ job: name, trigger, status: outcome.status }, 'job not run');
    if (outcome.status === 'waiting' && this.started && !this.stopping.signal.aborted) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.enqueue(name, trigger);
      }, this.deps.retryWaitingMs ?? 60_000);
      t.unref();
      this.timers.add(t);
    }
    return outcome;
  }

  private async attempt(name: string, trigger: Trigger): Promise<JobOutcome> {
    if (this.stopping.signal.aborted) return { status: 'stopped' };
    const { spec } = this.job(name);
    const { locks, lockTtlMs } = this.deps;
    let lease: Lease | undefined;
    try {
      lease = await locks.tryAcquire(`job:${name}`, lockTtlMs);
    } catch (err) {
      return { status: 'failed', error: `cannot take the job lock (${locks.kind}): ${(err as Error).message}` };
    }
    if (!lease) return { status: 'locked' };
    const held = lease;
    const run = new AbortController();
    const onStop = () => run.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop);
    // Renew well before expiry; a failed renewal means another replica may take over: stop.
    const heartbeat = setInterval(() => {
      held.extend().then(
        (ok) => {
          if (!ok) run.abort(new Error(`lost the ${name} lock`));
        },
        () => run.abort(new Error(`lost the ${name} lock`)),
      );
    }, Math.max(250, Math.floor(lockTtlMs / 3)));
    heartbeat.unref();
    const now = this.now();
    try {
      if (trigger !== 'manual' && !(await this.isDue(name, now))) return { status: 'not-due' };
      if (spec.after && (await this.isDue(spec.after, now))) return { status: 'waiting', on: spec.after };
      const started = Date.now();
      try {
        const result = (await spec.run({ name, trigger, now, signal: run.signal, lease: held, log: this.deps.log.child({ job: name }) })) ?? {};
        await this.record(name, { lastRun: now.toISOString(), status: 'ok', durationMs: Date.now() - started });
        return { status: 'ran', result };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        // Recorded as run: a failing job retries at its next slot, not in a tight loop on every restart.
        await this.record(name, { lastRun: now.toISOString(), status: 'error', durationMs: Date.now() - started, error }).catch(() => {});
        return { status: 'failed', error };
      }
    } catch (err) {
      return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    } finally {
      clearInterval(heartbeat);
      this.stopping.signal.removeEventListener('abort', onStop);
      await held.release().catch((err: unknown) => this.deps.log.warn({ job: name, err: (err as Error).message }, 'could not release the job lock'));
    }
  }

  private record(name: string, state: JobState): Promise<void> {
    return this.deps.store.setMeta(jobStateKey(name), JSON.stringify(state));
  }

  private job(name: string): { spec: JobSpec; cron: Cron } {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    return job;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
