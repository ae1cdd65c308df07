import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.ts';

describe('logs', () => {
  it('never contain a secret carried in a logged config or request object', async () => {
    const sink = new PassThrough();
    let out = '';
    sink.on('data', (d: Buffer) => (out += d.toString()));
    const log = createLogger('info', { destination: sink });
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxb-secret-bot-token',
      SLACK_SIGNING_SECRET: 'secret-signing',
      DISCORD_TOKEN: 'secret.discord.token',
      OPENAI_API_KEY: 'sk-secret-openai',
      PAPERFEED_API_TOKEN: 'secret-api-token-123',
    };
    log.info({ config: secrets }, 'starting');
    log.info({ request: { headers: { authorization: 'Bearer secret-bearer' } }, client: { token: 'secret-t' } }, 'call');
    await new Promise((r) => setImmediate(r));
    expect(out).toContain('starting');
    for (const value of [...Object.values(secrets), 'secret-bearer', 'secret-t']) expect(out).not.toContain(value);
    expect(out).toContain('[redacted]');
  });
});
