/**
 * Child process for the crash tests: the real service (startService: scheduler, job lock, outbox)
 * delivering one day's digests to DIGEST_RECIPIENTS users, where "delivering" appends the user's
 * id to DIGEST_LOG (fsynced: what a chat platform would have received). The platform is the only
 * stand-in; everything between the schedule and the send is the production code.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import type { Recipient } from '../../src/recommend/index.ts';
import { openApp } from '../../src/service/open-app.ts';
import { startService } from '../../src/service/serve.ts';

const log = process.env.DIGEST_LOG!;
const count = Number(process.env.DIGEST_RECIPIENTS ?? 20);
const delayMs = Number(process.env.DIGEST_DELAY_MS ?? 40);
const date = process.env.DIGEST_DATE ?? '2032-01-01';
const recipients: Recipient[] = Array.from({ length: count }, (_, i) => ({ kind: 'user', platform: 'slack', id: `U${i}` }));

const config = loadConfig(process.env);
const app = await openApp(config, { log: createLogger(config.PAPERFEED_LOG_LEVEL) });
const service = await startService(app, {
  http: false,
  consoleDigest: false,
  planners: [{ due: async () => recipients.map((recipient) => ({ recipient, date })) }],
  deliverers: {
    slack: {
      async deliver(ref) {
        await new Promise((r) => setTimeout(r, delayMs));
        const fd = openSync(log, 'a');
        writeSync(fd, `${ref.recipient.id}\n`);
        fsyncSync(fd);
        closeSync(fd);
        process.stdout.write(`delivered ${ref.recipient.id}\n`);
      },
    },
  },
  print: () => {},
});
await service.startup;
// After a crash the dead process's job lock lives until its TTL: keep asking until this run gets it.
for (let i = 0; i < 100; i++) {
  const outcome = await service.scheduler.enqueue('digests', 'manual');
  if (outcome.status !== 'locked') break;
  await new Promise((r) => setTimeout(r, 100));
}
await service.stop('done');
const entries = await (await import('../../src/service/backends.ts')).openServiceBackends(config).then(async (b) => {
  const list = await b.outbox.list({ date });
  await b.close();
  return list;
});
process.stdout.write(`outbox ${JSON.stringify(entries.map((e) => [e.recipient.id, e.status]))}\n`);
await app.close();
