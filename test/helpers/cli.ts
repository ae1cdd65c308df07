import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/paperfeed.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `paperfeed` executable as a child process, offline and on the built-in embedder. */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number; input?: string; user?: { uid: number; gid: number } } = {},
): Promise<CliResult> {
  // An undefined value leaves the variable unset (the CLI's own default applies).
  const env = Object.entries({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PAPERFEED_OFFLINE: 'true',
    PAPERFEED_LOG_LEVEL: 'warn',
    ...opts.env,
  }).filter((e): e is [string, string] => e[1] !== undefined);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: Object.fromEntries(env),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...opts.user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`paperfeed ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
