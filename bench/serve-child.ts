// `paperfeed serve` in a child process for bench/healthz-during-ingest.ts: prints "LISTENING <url>"
// as soon as the HTTP API is up (before the start-up ingest), "INGESTED" when that ingest is done.
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { openApp } from '../src/service/open-app.ts';
import { startService } from '../src/service/serve.ts';

// BENCH_GAPS=1: report every stall of this event loop over 100 ms, with the CPU this thread used
// in it (a stall with little CPU is the machine's load, not this process's work).
if (process.env.BENCH_GAPS) {
  const { readFileSync } = await import('node:fs');
  const cpuMs = () => {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  let last = performance.now();
  let lastCpu = cpuMs();
  setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    // mono: the monotonic clock (µs) of CPU profiles (--cpu-prof), to find the stall in one.
    if (now - last > 100) process.stderr.write(`GAP ${Math.round(now - last)} ms, cpu ${cpu - lastCpu} ms, at ${Date.now()}, mono ${process.hrtime.bigint() / 1000n}\n`);
    last = now;
    lastCpu = cpu;
  }, 10).unref();
}

const config = loadConfig(process.env, { PAPERFEED_API_HOST: '127.0.0.1', PAPERFEED_API_PORT: '0' });
const app = await openApp(config, { log: createLogger(config.PAPERFEED_LOG_LEVEL) });
const service = await startService(app, { print: () => {} });
process.stdout.write(`LISTENING ${service.url}\n`);
const outcomes = await service.startup;
process.stdout.write(`INGESTED ${JSON.stringify(outcomes.ingest)}\n`);
process.once('SIGTERM', () => {
  void service
    .stop('bench finished')
    .then(() => app.close())
    .then(() => process.exit(0));
});

