// `paperfeed discord register [--guild ID]` and `paperfeed discord invite-url`, against the fake Discord API.
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../src/cli/commands/discord.ts';
import type { CliContext } from '../src/cli/context.ts';
import { APP_ID, FAKE_TOKEN, MISSING_ACCESS, startFakeDiscord, type FakeDiscord } from './fixtures/discord/fake-discord.ts';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs `paperfeed <args>` with only the discord commands registered; returns what it printed. */
async function cli(args: string[], env: Record<string, string | undefined>): Promise<string[]> {
  for (const [k, v] of Object.entries({ PAPERFEED_LOG_LEVEL: 'silent', DISCORD_TOKEN: undefined, DISCORD_APPLICATION_ID: undefined, PAPERFEED_DISCORD_API_URL: undefined, ...env })) vi.stubEnv(k, v);
  const printed: string[] = [];
  const ctx: CliContext = {
    withApp: () => Promise.reject(new Error('not needed')),
    print: (t) => void printed.push(t),
    printJson: (v) => void printed.push(JSON.stringify(v)),
  };
  const program = new Command('paperfeed').option('--log-level <level>').exitOverride();
  register(program, ctx);
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(['node', 'paperfeed', ...args]);
  return printed;
}

const env = () => ({ DISCORD_TOKEN: FAKE_TOKEN, DISCORD_APPLICATION_ID: APP_ID, PAPERFEED_DISCORD_API_URL: fake.api });

describe('paperfeed discord register', () => {
  it('PUTs /papers to the guild commands route with --guild', async () => {
    const out = await cli(['discord', 'register', '--guild', '1100000000000000001'], env());
    const [put] = fake.find('PUT', /commands$/).slice(-1);
    expect(put!.path).toBe(`/applications/${APP_ID}/guilds/1100000000000000001/commands`);
    expect(put!.auth).toBe(`Bot ${FAKE_TOKEN}`);
    expect(put!.body).toHaveLength(1);
    expect(put!.body[0]).toMatchObject({ name: 'papers', type: 1 });
    expect(put!.body[0]).not.toHaveProperty('contexts');
    expect(out[0]).toMatch(/^Registered \/papers \(\d+\) in server 1100000000000000001\.$/);
  });

  it('PUTs to the global route without --guild, usable in servers and the bot DM', async () => {
    const out = await cli(['discord', 'register', '--json'], env());
    const [put] = fake.find('PUT', /commands$/).slice(-1);
    expect(put!.path).toBe(`/applications/${APP_ID}/commands`);
    expect(put!.body[0]).toMatchObject({ name: 'papers', contexts: [0, 1], integration_types: [0] });
    expect(JSON.parse(out[0]!)).toMatchObject({ scope: 'global', commands: [{ name: 'papers' }] });
  });

  it("reports Discord's error code when registration is refused", async () => {
    fake.fail('PUT', /commands$/, MISSING_ACCESS);
    await expect(cli(['discord', 'register', '--guild', '1100000000000000002'], env())).rejects.toThrow(/registering \/papers failed: 50001 Missing Access/);
  });

  it('names the missing variables, and refuses a malformed guild id', async () => {
    await expect(cli(['discord', 'register'], {})).rejects.toThrow(/DISCORD_TOKEN: required[\s\S]*DISCORD_APPLICATION_ID: required/);
    await expect(cli(['discord', 'register', '--guild', 'my-server'], env())).rejects.toThrow(/--guild expects a server id/);
  });
});

describe('paperfeed discord invite-url', () => {
  it('prints the OAuth2 URL with exactly View Channel, Send Messages and Embed Links (no token needed)', async () => {
    const [line] = await cli(['discord', 'invite-url'], { DISCORD_APPLICATION_ID: APP_ID });
    expect(line!.split('\n')[0]).toBe(`https://discord.com/oauth2/authorize?client_id=${APP_ID}&scope=bot+applications.commands&permissions=19456`);
    expect(line).toMatch(/ViewChannel, SendMessages, EmbedLinks/);
  });
});
