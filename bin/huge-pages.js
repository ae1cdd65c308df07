// A cold `similar` or `search` allocates a few hundred MB in a fraction of a second (at 1M papers:
// the four shards' sidecars, 13 MB of JSON and a million label strings, and the built-in fit):
// page faults and TLB misses on 4 KB pages. With glibc's malloc asking for transparent huge pages
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, glibc 2.35+; read only at process start) a cold
// `similar` at 1M took about 10% less CPU and 0.4 s less wall, the relaunch included (it was 2.4x
// less CPU when the query still loaded the graphs into memory; it now reads them in place, see
// src/index/hnsw-graph-file.ts). So on Linux these two run in a child process started with it.
// Only these one-shot queries: a relaying parent delivers a terminal's Ctrl-C twice, which the
// long-running commands (serve, the bots) would take as "stop now". Elsewhere, or with the tunable
// already chosen (GLIBC_TUNABLES=glibc.malloc.hugetlb=0 turns this off), nothing changes; a libc
// that does not know the tunable ignores it.
import { spawn } from 'node:child_process';
import { commandOf } from './command-word.js';

const ONE_SHOT = new Set(['similar', 'search']);
const TUNABLE = 'glibc.malloc.hugetlb';

/** The environment to run this command line again with, or undefined to run it here. */
export function hugePagesEnv(args, env, platform = process.platform) {
  if (platform !== 'linux' || !ONE_SHOT.has(commandOf(args)) || env.GLIBC_TUNABLES?.includes(TUNABLE)) return undefined;
  return { ...env, GLIBC_TUNABLES: [env.GLIBC_TUNABLES, `${TUNABLE}=1`].filter(Boolean).join(':') };
}

/** Runs `script args` in a child with `env`, relaying its output (inherited), signals and exit status. */
export function runChild(script, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: 'inherit', env });
    const relay = (signal) => child.kill(signal);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, relay);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, relay);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}
