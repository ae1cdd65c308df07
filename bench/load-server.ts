// The service under load for bench/load.bench.ts: a separate process (its own event loop, as in
// production) on a temp data dir with the sample corpus, HTTP on 127.0.0.1 and a free port.
// Prints "READY <url>" once the start-up ingest is done; stops cleanly on SIGTERM.
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { openApp } from '../src/service/open-app.ts';
import { startService } from '../src/service/serve.ts';

const config = loadConfig(process.env, { PAPERFEED_API_HOST: '127.0.0.1', PAPERFEED_API_PORT: '0' });
const app = await openApp(config, { log: createLogger(config.PAPERFEED_LOG_LEVEL) });
const service = await startService(app, { print: () => {} });
await service.startup;
process.stdout.write(`READY ${service.url}\n`);
process.once('SIGTERM', () => {
  void service
    .stop('bench finished')
    .then(() => app.close())
    .then(() => process.exit(0));
});
