// The product as the corpus bench drives it: `node bin/paperfeed.js …` child processes, each
// bounded in time, tracked so that every one is killed when the bench ends (even on failure),
// with its stderr (the JSON log) kept in a file for reading afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync, statSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(root, 'bin/paperfeed.js');
const PEAK_RSS_HOOK = new URL('./peak-rss.mjs', import.meta.url).href;

export interface CliRun {
  code: number | null;
  /** Killed for running past its time limit. */
  timedOut: boolean;
  ms: number;
  /** Wall-clock start and end (epoch ms), to line up with the process's log times. */
  startedAt: number;
  endedAt: number;
  stdout: string;
  stderr: string;
  /** Peak RSS of the process in bytes (from the preloaded hook), when it exited normally. */
  peakRss?: number;
}

export interface RunningChild {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | string>;
  /** The first match of re in stderr, once it shows up; undefined after timeoutMs or at exit. */
  waitForStderr(re: RegExp, timeoutMs: number): Promise<RegExpExecArray | undefined>;
}

/** Children of one bench run; `killAll` ends those still running. */
export class Children {
  private readonly live = new Set<ChildProcess>();

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  /**
   * Starts `paperfeed <args>`; stderr goes to `<logDir>/<name>.log`, and both streams are read as
   * they come (an unread pipe would block the child once full) and kept for parsing.
   */
  start(name: string, args: string[], opts: { env?: Record<string, string>; measureRss?: boolean } = {}): RunningChild {
    const node = opts.measureRss ? ['--import', PEAK_RSS_HOOK] : [];
    const child = spawn(process.execPath, [...node, BIN, ...args], {
      cwd: root,
      env: { ...this.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.live.add(child);
    const log: WriteStream = createWriteStream(join(this.logDir, `${name}.log`));
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      log.write(d);
    });
    const exited = new Promise<number | string>((done) =>
      child.on('close', (code, signal) => {
        this.live.delete(child);
        log.end();
        done(code ?? signal ?? -1);
      }),
    );
    let gone = false;
    void exited.then(() => (gone = true));
    const waitForStderr = async (re: RegExp, timeoutMs: number) => {
      const until = performance.now() + timeoutMs;
      for (;;) {
        const m = re.exec(err);
        if (m || gone || performance.now() > until) return m ?? undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    return { process: child, stdout: () => out, stderr: () => err, exited, waitForStderr };
  }

  /** Runs `paperfeed <args>` to completion, or kills it after `timeoutMs`. */
  async run(name: string, args: string[], timeoutMs: number, opts: { env?: Record<string, string> } = {}): Promise<CliRun> {
    const started = performance.now();
    const startedAt = Date.now();
    const c = this.start(name, args, { ...opts, measureRss: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      c.process.kill('SIGKILL');
    }, timeoutMs);
    const code = await c.exited;
    clearTimeout(timer);
    const ms = performance.now() - started;
    const stderr = c.stderr();
    // One line per process: `similar` and `search` run in a child of their own (bin/huge-pages.js).
    const rss = [...stderr.matchAll(/corpusbench peak-rss-kb=(\d+)/g)].map((m) => Number(m[1]) * 1024);
    return { code: typeof code === 'number' ? code : null, timedOut, ms, startedAt, endedAt: Date.now(), stdout: c.stdout(), stderr, ...(rss.length ? { peakRss: Math.max(...rss) } : {}) };
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
  async stop(c: RunningChild, graceMs: number): Promise<void> {
    if (c.process.exitCode !== null || c.process.signalCode !== null) return;
    c.process.kill('SIGTERM');
    const timer = setTimeout(() => c.process.kill('SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(timer);
  }

  killAll(): void {
    for (const c of this.live) c.kill('SIGKILL');
  }
}

/** A CLI run that failed is a bench failure, with the end of its stderr to say why. */
export function assertOk(what: string, r: CliRun): CliRun {
  const failed = failure(r);
  if (failed === undefined) return r;
  throw new Error(`${what} ${failed}\n${r.stderr.slice(-2_000)}`);
}

/** "FAILED: …" with the reason (time limit, or exit code and the last line the CLI printed), or undefined when it succeeded. */
export function failure(r: CliRun): string | undefined {
  if (r.timedOut) return `FAILED: no exit within ${(r.ms / 1000).toFixed(0)} s`;
  if (r.code === 0) return undefined;
  const said = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{') && !l.startsWith('corpusbench ')).at(-1);
  return `FAILED: exit ${r.code}${said ? `: ${said.trim().slice(0, 200)}` : ''}`;
}

/** Resident and peak resident set of a running process, from /proc (Linux); undefined elsewhere. */
export function processMemory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Bytes of every file under dir. */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(path);
    else if (e.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * Where a CLI run spent its time, read from its JSON log: the gap before each log line is
 * charged to that line's message (what finished then), the rest to the exit. The longest `top`
 * gaps, in order.
 */
export function logTimeline(
  run: Pick<CliRun, 'stderr' | 'startedAt' | 'endedAt'>,
  top = 5,
  endLabel = 'exit (after the last log line)',
): { msg: string; ms: number }[] {
  const events: { time: number; msg: string }[] = [];
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { time?: number; msg?: string };
      if (typeof e.time === 'number' && typeof e.msg === 'string') events.push({ time: e.time, msg: e.msg });
    } catch {
      // Not a log line (a partial write at a kill); nothing to charge.
    }
  }
  events.push({ time: run.endedAt, msg: endLabel });
  let prev = run.startedAt;
  const gaps = events.map((e) => {
    const gap = { msg: e.msg.length > 70 ? `${e.msg.slice(0, 67)}...` : e.msg, ms: e.time - prev };
    prev = e.time;
    return gap;
  });
  const keep = new Set([...gaps].sort((a, b) => b.ms - a.ms).slice(0, top));
  return gaps.filter((g) => keep.has(g));
}
