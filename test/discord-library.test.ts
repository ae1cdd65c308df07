// `/papers library import` through the Discord adapter: a real-shaped chat-input payload with an
// attachment option (resolved.attachments), the file fetched from the fake Discord's CDN url.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileSummary } from '../src/recommend/index.ts';
import { snowflake, startFakeDiscord, type FakeDiscord } from './fixtures/discord/fake-discord.ts';
import { botHarness, callbackOf, type Harness } from './fixtures/discord/harness.ts';
import { chatInput, MEMBER_PERMISSIONS, str, type Where } from './fixtures/discord/payloads.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const BIB = readFileSync(new URL('./fixtures/library/zotero.bib', import.meta.url));
const MEMBER: Where = { userId: '900000000000000011', permissions: MEMBER_PERMISSIONS };

let app: SampleApp;
let fake: FakeDiscord;
let harness: Harness;

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeDiscord();
  harness = botHarness(app, fake);
});

afterAll(async () => {
  await harness?.bot.stop();
  await fake?.close();
  await app?.dispose();
});

/** `/papers library import file:<attachment>` as Discord sends it: the option names the attachment, resolved carries it. */
function withFile(where: Where, file: { name: string; size: number; url: string }): Record<string, unknown> {
  const id = snowflake();
  const payload = chatInput(where, ['library', 'import'], [{ name: 'file', type: 11, value: id }]);
  const data = payload.data as Record<string, unknown>;
  data.resolved = {
    attachments: {
      [id]: { id, filename: file.name, size: file.size, url: file.url, proxy_url: file.url, content_type: 'text/plain; charset=utf-8', ephemeral: true },
    },
  };
  return payload;
}

async function answer(payload: Record<string, unknown>): Promise<{ text: string; flags: number }> {
  const calls = await harness.send(payload);
  const cb = callbackOf(calls, payload);
  expect(cb).toBeDefined();
  const data = (cb!.body as { data: { content?: string; embeds?: unknown[]; flags?: number } }).data;
  return { text: JSON.stringify([data.content, data.embeds]), flags: data.flags ?? 0 };
}

describe('Discord: library import', () => {
  it('fetches the attached file from its url and imports it, answering privately', async () => {
    const url = fake.addAttachment('zotero.bib', BIB);
    const { text, flags } = await answer(withFile(MEMBER, { name: 'zotero.bib', size: BIB.length, url }));
    expect(text).toMatch(/from zotero\.bib \(BibTeX\): 2 matched papers, 6 kept as text, 3 skipped/);
    expect(flags & 64).toBe(64);
    expect(fake.server.requests.filter((r) => r.url.pathname === new URL(url).pathname)).toHaveLength(1);
    const profile = (await profileSummary(app, { kind: 'user', platform: 'discord', id: MEMBER.userId })).profile;
    expect(profile.seeds.map((s) => s.title)).toEqual(['Physics-Informed Diffusion Models', 'On the Convergence of Adam and Beyond']);
  });

  it('refuses an attachment declared over the limit without fetching it', async () => {
    const url = fake.addAttachment('big.json', '[]');
    const { text } = await answer(withFile(MEMBER, { name: 'big.json', size: 9 * 1024 * 1024, url }));
    expect(text).toMatch(/big\.json is 9\.0 MB; a library file may be at most 5\.0 MB/);
    expect(fake.server.requests.some((r) => r.url.pathname === new URL(url).pathname)).toBe(false);
  });

  it('stops an attachment that turns out larger than declared', async () => {
    const url = fake.addAttachment('big.ris', Buffer.alloc(5 * 1024 * 1024 + 10, 0x41), { chunked: true });
    const { text } = await answer(withFile(MEMBER, { name: 'big.ris', size: 2_000, url }));
    expect(text).toMatch(/big\.ris is larger than declared, over 5\.0 MB \(the download was stopped there\)/);
  });

  it('imports a list given as the list option', async () => {
    const { text } = await answer(chatInput(MEMBER, ['library', 'import'], [str('list', '2401.00001 hello')]));
    expect(text).toMatch(/from the pasted list \(a list of ids\): 0 matched papers, 0 kept as text, 2 skipped/);
  });

  it('asks for a file or a list when given neither', async () => {
    const { text } = await answer(chatInput(MEMBER, ['library', 'import'], []));
    expect(text).toMatch(/Attach your library/);
  });
});
