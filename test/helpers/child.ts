/**
 * Runs a TypeScript entry (through bin/run-ts.js) as a child process the test can watch and
 * kill -9: output is collected as it arrives, and `waitFor` resolves when a pattern shows up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));

export interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout+stderr match (rejects if the child exits first or after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Exit code (or the signal's name) once the child is gone. */
  exited: Promise<number | string>;
  kill9(): Promise<number | string>;
}

/** nodeArgs: flags for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
export function startChild(entry: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, RUN_TS, fileURLToPath(new URL(`../../${entry}`, import.meta.url)), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PAPERFEED_OFFLINE: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    poke();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    poke();
  });
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let gone = false;
  void exited.then(() => {
    gone = true;
    poke();
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = () => {
          if (pattern.test(out + err)) done();
          else if (gone) done(new Error(`child exited before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
        };
        const done = (e?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (e) reject(e);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async kill9() {
      if (!gone) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Runs to completion (bounded) and returns the exit code and output. */
export async function runChild(entry: string, args: string[], env: Record<string, string>, timeoutMs = 60_000) {
  const c = startChild(entry, args, env);
  const timer = setTimeout(() => c.process.kill('SIGKILL'), timeoutMs);
  const code = await c.exited;
  clearTimeout(timer);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}
