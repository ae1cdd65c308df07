// `paperfeed serve` in a child process for bench/healthz-during-ingest.ts: prints "LISTENING <url>"
// as soon as the HTTP API is up (before the start-up ingest), "INGESTED" when that ingest is done.
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/log.ts';
import { openApp } from '../src/service/open-app.ts';
import { startService } from '../src/service/serve.ts';

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
