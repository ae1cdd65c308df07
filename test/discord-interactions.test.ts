/**
 * The Discord adapter end to end without Discord: real-shaped INTERACTION_CREATE payloads go
 * through discord.js's own interaction classes (the client is built but never logged in), the core
 * runs on a real sample App, and every answer goes through discord.js's REST client to a fake
 * Discord API on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../bots/discord/command-spec.ts';
import { listTopics, profileSummary, type Recipient } from '../src/recommend/index.ts';
import { startFakeDiscord, rateLimited, UNKNOWN_INTERACTION, type Call, type FakeDiscord } from './fixtures/discord/fake-discord.ts';
import { botHarness, callbackOf, webhookPath, type Harness } from './fixtures/discord/harness.ts';
import {
  autocomplete,
  buttonClick,
  CHANNEL_ID,
  chatInput,
  int,
  MANAGER_PERMISSIONS,
  MEMBER_PERMISSIONS,
  messageWith,
  num,
  SERVER_MANAGER_PERMISSIONS,
  str,
  type Opt,
  type Where,
} from './fixtures/discord/payloads.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const MEMBER: Where = { userId: '900000000000000001', permissions: MEMBER_PERMISSIONS };
const MANAGER: Where = { userId: '900000000000000002', permissions: MANAGER_PERMISSIONS };
const SERVER_MANAGER: Where = { userId: '900000000000000003', permissions: SERVER_MANAGER_PERMISSIONS };
const DM: Where = { userId: '900000000000000001' };
const channel: Recipient = { kind: 'channel', platform: 'discord', id: CHANNEL_ID };
const user = (w: Where): Recipient => ({ kind: 'user', platform: 'discord', id: w.userId });

let app: SampleApp;
let fake: FakeDiscord;
let direct: Harness;
let deferring: Harness;
let paperId: string;

beforeAll(async () => {
  app = await openSampleApp();
  fake = await startFakeDiscord();
  direct = botHarness(app, fake);
  deferring = botHarness(app, fake, { deferAfterMs: 0 });
  const [hit] = await app.search.searchText('diffusion', { k: 1 });
  paperId = hit!.paper.id;
});

afterAll(async () => {
  await direct?.bot.stop();
  await deferring?.bot.stop();
  await fake?.close();
  await app?.dispose();
});

/** The callback body of one interaction (type and data), asserting there was exactly one. */
function only(calls: Call[], payload: Record<string, unknown>): { type: number; data: Record<string, any> } {
  const cb = calls.filter((c) => c.path.startsWith(`/interactions/${String(payload.id)}/`));
  expect(cb).toHaveLength(1);
  return cb[0]!.body as { type: number; data: Record<string, any> };
}

async function run(where: Where, path: string[], options: Opt[] = []) {
  const payload = chatInput(where, path, options);
  const calls = await direct.send(payload);
  return { payload, calls, answer: only(calls, payload) };
}

describe('every /papers subcommand', () => {
  const cases: { path: string[]; where?: Where; options?: () => Opt[]; expect: RegExp }[] = [
    { path: ['topics', 'add'], options: () => [str('text', 'diffusion models for image generation'), num('weight', 1.5)], expect: /^Added topic 1, 'diffusion models for image generation'/ },
    { path: ['topics', 'list'], expect: /diffusion models for image generation/ },
    { path: ['keywords', 'add'], options: () => [str('word', 'transformer'), str('mode', 'exclude')], expect: /'transformer' are now never picked/ },
    { path: ['keywords', 'list'], expect: /-transformer/ },
    { path: ['keywords', 'remove'], options: () => [str('word', '-transformer')], expect: /Removed keyword/ },
    { path: ['today'], expect: /picks/i },
    { path: ['similar'], options: () => [str('query', 'diffusion models')], expect: /Papers like 'diffusion models'/ },
    { path: ['search'], options: () => [str('query', 'diffusion')], expect: /Search: 'diffusion'/ },
    { path: ['why'], options: () => [str('paper', paperId)], expect: /./ },
    // The sample App has no language model: the answer says so and points to search.
    { path: ['ask'], options: () => [str('question', 'how can diffusion models sample faster?')], expect: /^`ask` needs a language model[\s\S]*`search <words>`/ },
    { path: ['up'], options: () => [str('paper', paperId)], expect: /^Recorded thumbs up for / },
    { path: ['down'], options: () => [str('paper', paperId)], expect: /^Recorded thumbs down for .*\(was up\)/ },
    { path: ['not-for-me'], options: () => [str('paper', paperId)], expect: /^Recorded not interested for .*\(was down\)/ },
    { path: ['follow'], options: () => [str('author', 'Ada Lovelace')], expect: /Following 'Ada Lovelace'/ },
    { path: ['unfollow'], options: () => [str('author', 'Ada Lovelace')], expect: /No longer following 'Ada Lovelace'/ },
    { path: ['mute'], options: () => [str('kind', 'author'), str('value', 'Ada Lovelace'), int('days', 7)], expect: /Muted author 'Ada Lovelace' for 7 days/ },
    { path: ['unmute'], options: () => [str('kind', 'author'), str('value', 'Ada Lovelace')], expect: /Unmuted author 'Ada Lovelace'/ },
    { path: ['seed', 'add'], options: () => [str('paper', paperId)], expect: /Seed paper added/ },
    { path: ['seed', 'remove'], options: () => [str('paper', paperId)], expect: /Removed seed paper/ },
    { path: ['digest', 'status'], expect: /Your daily digest is off/ },
    { path: ['digest', 'on'], expect: /Your daily digest is on/ },
    { path: ['digest', 'time'], options: () => [str('time', '07:30')], expect: /every day at 07:30/ },
    { path: ['digest', 'timezone'], options: () => [str('zone', 'Europe/Berlin')], expect: /07:30 \(Europe\/Berlin\)/ },
    { path: ['digest', 'weekly'], options: () => [str('day', 'monday')], expect: /Your weekly digest is on: every Monday at 07:30 \(Europe\/Berlin\)/ },
    { path: ['digest', 'daily'], expect: /Your daily digest is on: every day at 07:30/ },
    { path: ['digest', 'off'], expect: /Your daily digest is off/ },
    { path: ['save'], options: () => [str('paper', paperId)], expect: /Saved .* to your reading list/ },
    { path: ['saved'], options: () => [str('export', 'bibtex')], expect: /as bibtex: 1 paper[\s\S]*@misc/ },
    { path: ['history'], options: () => [int('days', 3)], expect: /Nothing was sent to this channel in the last 3 days/ },
    { path: ['unsave'], options: () => [str('paper', paperId)], expect: /Removed .* from your reading list/ },
    { path: ['profile'], expect: /What drives your feed/ },
    { path: ['topics', 'remove'], options: () => [str('topic', '1')], expect: /Removed topic 'diffusion models for image generation'/ },
    { path: ['channel', 'topics-add'], where: MANAGER, options: () => [str('text', 'graph neural networks')], expect: /Added topic 1, 'graph neural networks' \(channel\)/ },
    { path: ['channel', 'topics-list'], where: MANAGER, expect: /This channel's topics[\s\S]*graph neural networks/ },
    { path: ['channel', 'topics-remove'], where: MANAGER, options: () => [str('topic', 'graph neural networks')], expect: /Removed topic 'graph neural networks' \(channel\)/ },
    { path: ['channel', 'keywords-add'], where: MANAGER, options: () => [str('word', 'survey')], expect: /'survey' now get a boost/ },
    { path: ['channel', 'keywords-list'], where: MANAGER, expect: /survey/ },
    { path: ['channel', 'keywords-remove'], where: MANAGER, options: () => [str('word', 'survey')], expect: /Removed keyword/ },
    { path: ['channel', 'digest'], where: MANAGER, expect: /This channel's daily digest is off/ },
    { path: ['channel', 'digest-on'], where: MANAGER, expect: /This channel's daily digest is on/ },
    { path: ['channel', 'digest-time'], where: MANAGER, options: () => [str('time', '09:15')], expect: /every day at 09:15/ },
    { path: ['channel', 'digest-timezone'], where: MANAGER, options: () => [str('zone', 'Asia/Tokyo')], expect: /09:15 \(Asia\/Tokyo\)/ },
    { path: ['channel', 'digest-weekly'], where: MANAGER, options: () => [str('day', 'friday')], expect: /This channel's weekly digest is on: every Friday at 09:15/ },
    { path: ['channel', 'digest-daily'], where: MANAGER, expect: /This channel's daily digest is on/ },
    { path: ['channel', 'digest-off'], where: MANAGER, expect: /This channel's daily digest is off/ },
    { path: ['help'], options: () => [str('command', 'mute')], expect: /mute author <name> \[days\]/ },
    { path: ['library', 'import'], options: () => [str('list', '1706.03762')], expect: /Library import.* from the pasted list/ },
    { path: ['forget-me'], expect: /everything paperfeed stored about you is deleted/ },
  ];

  it('covers every registered subcommand', () => {
    expect(cases.map((c) => c.path.join(' ')).sort()).toEqual(SUBCOMMANDS.map((s) => (s.group ? `${s.group} ${s.name}` : s.name)).sort());
  });

  it('answers each with a type 4 callback: personal ones ephemeral, cards as embeds with buttons, nothing pings', async () => {
    for (const c of cases) {
      const spec = SUBCOMMANDS.find((s) => (s.group ? `${s.group} ${s.name}` : s.name) === c.path.join(' '))!;
      const { answer, calls } = await run(c.where ?? MEMBER, c.path, c.options?.() ?? []);
      const what = c.path.join(' ');
      expect(answer.type, what).toBe(4);
      expect(answer.data.content, what).toMatch(c.expect);
      expect(answer.data.content, what).not.toMatch(/went wrong|Usage:/);
      expect(answer.data.allowed_mentions, what).toEqual({ parse: [] });
      expect(answer.data.flags ?? 0, what).toBe(spec.visibility === 'private' ? 64 : 0);
      // Anything beyond the first message is a follow-up on the interaction's webhook.
      for (const call of calls.slice(1)) expect(call.path, what).toMatch(/^\/webhooks\//);
    }
  });

  it('renders search results as one embed per paper with a button row each', async () => {
    const { answer } = await run(MEMBER, ['search'], [str('query', 'diffusion')]);
    const embeds = answer.data.embeds as { title: string; url: string; fields: { name: string }[]; footer: { text: string } }[];
    expect(embeds.length).toBeGreaterThan(1);
    expect(answer.data.components).toHaveLength(embeds.length);
    for (const [i, e] of embeds.entries()) {
      expect(e.url).toMatch(/^https:\/\//);
      expect(e.fields.map((f) => f.name)).toContain('Why');
      expect(e.footer.text).toMatch(new RegExp(`^#${i + 1} · `));
      const ids = (answer.data.components[i].components as { custom_id: string }[]).map((b) => b.custom_id.split('|')[1]);
      expect(ids).toEqual(['more-like-this', 'up', 'down', 'not-interested', 'save']);
    }
  });
});

describe('channel settings permission', () => {
  it('lets only Manage Server / Manage Channels change a channel, lets anyone read it, and needs a channel', async () => {
    const denied = await run(MEMBER, ['channel', 'topics-add'], [str('text', 'protein folding')]);
    expect(denied.answer.data.content).toMatch(/Only channel admins can change the topics of this channel/);
    expect(denied.answer.data.flags).toBe(64);
    expect(await listTopics(app, channel)).toEqual([]);

    const deniedDigest = await run(MEMBER, ['channel', 'digest-time'], [str('time', '06:00')]);
    expect(deniedDigest.answer.data.content).toMatch(/Only channel admins can change the digest/);

    const allowed = await run(SERVER_MANAGER, ['channel', 'topics-add'], [str('text', 'protein folding')]);
    expect(allowed.answer.data.content).toMatch(/Added topic 1, 'protein folding' \(channel\)/);
    expect((await listTopics(app, channel)).map((t) => t.text)).toEqual(['protein folding']);

    const read = await run(MEMBER, ['channel', 'topics-list']);
    expect(read.answer.data.content).toMatch(/protein folding/);

    const inDm = await run(DM, ['channel', 'digest-time'], [str('time', '06:00')]);
    expect(inDm.answer.data.content).toMatch(/work in a channel, not in a direct message/);
  });
});

describe('malformed options', () => {
  it('answers with a short ephemeral usage naming the problem, and runs nothing', async () => {
    const before = (await profileSummary(app, user(MEMBER))).profile.topics.length;
    const cases: [string[], Opt[], RegExp][] = [
      [['similar'], [{ name: 'query', type: 4, value: 42 }], /The option 'query' has the wrong type\. Usage: `similar/],
      [['topics', 'add'], [], /The option 'text' is missing\. Usage: `topics add <text>`/],
      [['mute'], [str('kind', 'planet'), str('value', 'Mars')], /The option 'kind' must be one of author, keyword, topic/],
      [['digest', 'time'], [str('time', '25:99')], /A time is HH:MM, 24-hour/],
      [['channel', 'digest-time'], [str('time', 'noon')], /A time is HH:MM[\s\S]*Usage: `channel [\s\S]*`channel topics add/],
      [['similar'], [str('query', 'x'.repeat(600))], /longer than 500 characters\. Usage: `similar/],
      [['frobnicate'], [], /`\/papers frobnicate` is not a paperfeed command/],
      [['topics', 'add'], [str('text', 'ok'), num('weight', 99)], /Usage: `topics add/],
    ];
    for (const [path, options, expected] of cases) {
      const { answer } = await run(MEMBER, path, options);
      expect(answer.type, path.join(' ')).toBe(4);
      expect(answer.data.flags, path.join(' ')).toBe(64);
      expect(answer.data.content, path.join(' ')).toMatch(expected);
    }
    expect((await profileSummary(app, user(MEMBER))).profile.topics.length).toBe(before);
  });
});

describe('deferred replies', () => {
  it('defers (type 5), then edits @original through the webhook; personal ones stay ephemeral', async () => {
    const search = chatInput(MEMBER, ['search'], [str('query', 'diffusion')]);
    const calls = await deferring.send(search);
    expect(callbackOf(calls, search)!.body).toEqual({ type: 5, data: { flags: 0 } });
    const edit = calls.find((c) => c.method === 'PATCH')!;
    expect(edit.path).toBe(`${webhookPath(search)}/messages/@original`);
    expect(edit.body.content).toMatch(/Search: 'diffusion'/);
    expect(edit.body.embeds.length).toBeGreaterThan(0);
    expect(edit.body.components.length).toBe(edit.body.embeds.length);

    const today = chatInput(MEMBER, ['today']);
    const todayCalls = await deferring.send(today);
    expect(callbackOf(todayCalls, today)!.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(todayCalls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });

  it('sends what does not fit in one message as follow-ups, directly or after a deferral', async () => {
    const who: Where = { userId: '900000000000000009', permissions: MEMBER_PERMISSIONS };
    for (let i = 0; i < 12; i++) {
      await direct.send(chatInput(who, ['topics', 'add'], [str('text', `topic ${i} ${'about long sequence models and their training dynamics '.repeat(5)}`)]));
    }
    const expected = (await listTopics(app, user(who))).map((t) => t.text);

    const list = chatInput(who, ['topics', 'list']);
    const calls = await direct.send(list);
    const followUps = calls.filter((c) => c.method === 'POST' && c.path === webhookPath(list));
    expect(callbackOf(calls, list)!.body.type).toBe(4);
    expect(followUps.length).toBeGreaterThan(0);
    for (const f of followUps) expect(f.body.flags).toBe(64);
    const shown = [callbackOf(calls, list)!.body.data.content, ...followUps.map((f) => f.body.content)];
    for (const s of shown) expect(s.length).toBeLessThanOrEqual(2000);
    for (const t of expected) expect(shown.join('\n')).toContain(t);

    const deferredList = chatInput(who, ['topics', 'list']);
    const dCalls = await deferring.send(deferredList);
    expect(dCalls.map((c) => c.method)).toEqual(['POST', 'PATCH', ...followUps.map(() => 'POST')]);
    expect(dCalls.slice(2).every((c) => c.body.flags === 64)).toBe(true);
  });

  it('moves a private answer to a public deferral into ephemeral follow-ups', async () => {
    const payload = chatInput(MEMBER, ['similar'], [str('query', 'y'.repeat(600))]);
    const calls = await deferring.send(payload);
    expect(calls.map((c) => `${c.method} ${c.path.replace(String(payload.token), 'TOKEN')}`)).toEqual([
      `POST /interactions/${String(payload.id)}/TOKEN/callback`,
      `DELETE /webhooks/${'1200000000000000001'}/TOKEN/messages/@original`,
      `POST /webhooks/${'1200000000000000001'}/TOKEN`,
    ]);
    expect(calls[0]!.body.data.flags).toBe(0);
    expect(calls[2]!.body).toMatchObject({ flags: 64, content: expect.stringMatching(/longer than 500 characters/) });
  });
});

describe('card buttons', () => {
  let card: { embeds: unknown[]; components: { components: { custom_id: string }[] }[] };
  const idOf = (action: string, n = 0) => card.components[n]!.components.find((b) => b.custom_id.split('|')[1] === action)!.custom_id;
  const paperOf = (n = 0) => card.components[n]!.components[0]!.custom_id.split('|')[2]!;
  const feedbackOf = async (w: Where) => (await profileSummary(app, user(w))).profile.feedback.map((f) => [f.paperId, f.kind]);

  beforeAll(async () => {
    const { answer } = await run(MEMBER, ['search'], [str('query', 'diffusion')]);
    card = answer.data as typeof card;
  });

  it('on a personal message: records the feedback and updates the message in place (type 7)', async () => {
    const who: Where = { userId: '900000000000000011' };
    const click = buttonClick(who, idOf('up'), messageWith(card, '1100000000000000004'));
    const calls = await direct.send(click);
    const answer = only(calls, click);
    expect(answer.type).toBe(7);
    expect(answer.data).not.toHaveProperty('embeds');
    const row = answer.data.components[0].components as { style: number; label?: string; custom_id: string }[];
    expect(row.map((b) => b.style)).toEqual([1, 3, 2, 2, 2]);
    expect(row[1]!.label).toBe('✓');
    expect(answer.data.components.slice(1)).toEqual(card.components.slice(1));
    expect(await feedbackOf(who)).toEqual([[paperOf(), 'up']]);

    // An ephemeral reply in a server channel is personal too.
    const ephemeral = buttonClick(MANAGER, idOf('down', 1), messageWith({ ...card, flags: 64 }));
    const second = only(await direct.send(ephemeral), ephemeral);
    expect(second.type).toBe(7);
    expect(second.data.components[1].components.map((b: { style: number }) => b.style)).toEqual([1, 2, 4, 2, 2]);
    expect(await feedbackOf(MANAGER)).toEqual([[paperOf(1), 'down']]);
  });

  it('on a message the channel sees: records it and confirms privately, leaving the message alone', async () => {
    const click = buttonClick(SERVER_MANAGER, idOf('not-interested'), messageWith(card));
    const answer = only(await direct.send(click), click);
    expect(answer.type).toBe(4);
    expect(answer.data.flags).toBe(64);
    expect(answer.data.content).toMatch(/Recorded not interested/);
    expect(await feedbackOf(SERVER_MANAGER)).toEqual([[paperOf(), 'not-interested']]);
  });

  it('🔖 Save on a personal message saves the paper for the clicking user and lights up beside the reaction', async () => {
    const who: Where = { userId: '900000000000000014' };
    const up = buttonClick(who, idOf('up'), messageWith(card, '1100000000000000004'));
    const liked = only(await direct.send(up), up);
    const click = buttonClick(who, idOf('save'), messageWith({ ...card, components: liked.data.components }, '1100000000000000004'));
    const answer = only(await direct.send(click), click);
    expect(answer.type).toBe(7);
    const row = answer.data.components[0].components as { style: number; label?: string }[];
    expect(row.map((b) => b.style)).toEqual([1, 3, 2, 2, 3]);
    expect(row[4]!.label).toBe('Save ✓');
    const saved = (await profileSummary(app, user(who))).profile.saved;
    expect(saved.map((s) => s.paperId)).toEqual([paperOf()]);
    expect(await feedbackOf(who)).toEqual([[paperOf(), 'up']]);

    // On a message the channel sees: saved for the clicker, confirmed privately.
    const shared = buttonClick(SERVER_MANAGER, idOf('save', 1), messageWith(card));
    const confirm = only(await direct.send(shared), shared);
    expect(confirm.type).toBe(4);
    expect(confirm.data.flags).toBe(64);
    expect(confirm.data.content).toMatch(/Saved .* to your reading list/);
  });

  it('"more like this" answers with similar papers, privately', async () => {
    const click = buttonClick(MEMBER, idOf('more-like-this'), messageWith(card));
    const answer = only(await direct.send(click), click);
    expect(answer.type).toBe(4);
    expect(answer.data.flags).toBe(64);
    expect(answer.data.content).toMatch(/Papers like/);
    expect(answer.data.embeds.length).toBeGreaterThan(0);
  });

  it('defers a slow click with type 6 and edits the message afterwards', async () => {
    const who: Where = { userId: '900000000000000012' };
    const click = buttonClick(who, idOf('up'), messageWith(card, '1100000000000000004'));
    const calls = await deferring.send(click);
    expect(calls[0]!.body).toEqual({ type: 6 });
    expect(calls[1]!.method).toBe('PATCH');
    expect(calls[1]!.path).toBe(`${webhookPath(click)}/messages/@original`);
    expect(calls[1]!.body.components[0].components[1].style).toBe(3);
  });

  it('answers a stale or foreign button, or a paper that is gone, with a private note', async () => {
    for (const [id, expected] of [
      ['pf|zap|2401.00001', /no longer works/],
      ['someone-elses-button', /no longer works/],
      ['pf|up|2401.99999', /./],
    ] as const) {
      const click = buttonClick({ userId: '900000000000000013' }, id, messageWith(card, '1100000000000000004'));
      const answer = only(await direct.send(click), click);
      expect(answer.type, id).toBe(4);
      expect(answer.data.flags, id).toBe(64);
      expect(answer.data.content, id).toMatch(expected);
    }
    expect(await feedbackOf({ userId: '900000000000000013' })).toEqual([]);
  });
});

describe('autocomplete', () => {
  it("offers the user's own topics for topics remove, the channel's for channel topics-remove, and time zones", async () => {
    const who: Where = { userId: '900000000000000021', permissions: MANAGER_PERMISSIONS };
    await direct.send(chatInput(who, ['topics', 'add'], [str('text', 'diffusion models')]));
    await direct.send(chatInput(who, ['topics', 'add'], [str('text', 'retrieval augmented generation')]));
    await direct.send(chatInput(who, ['topics', 'add'], [str('text', `long ${'words '.repeat(40)}end`)]));

    const mine = autocomplete(who, ['topics', 'remove'], [str('topic', '', true)]);
    const all = only(await direct.send(mine), mine);
    expect(all.type).toBe(8);
    expect(all.data.choices).toEqual([
      { name: '1. diffusion models', value: 'diffusion models' },
      { name: '2. retrieval augmented generation', value: 'retrieval augmented generation' },
      { name: expect.stringMatching(/^3\. long words .*…$/), value: '3' },
    ]);
    for (const c of all.data.choices) expect(c.name.length).toBeLessThanOrEqual(100);

    const filtered = autocomplete(who, ['topics', 'remove'], [str('topic', 'RETRIEVAL', true)]);
    expect(only(await direct.send(filtered), filtered).data.choices).toEqual([{ name: '2. retrieval augmented generation', value: 'retrieval augmented generation' }]);

    const chan = autocomplete(who, ['channel', 'topics-remove'], [str('topic', '', true)]);
    expect(only(await direct.send(chan), chan).data.choices.map((c: { value: string }) => c.value)).toEqual((await listTopics(app, channel)).map((t) => t.text));

    const zone = autocomplete(who, ['digest', 'timezone'], [str('zone', 'berl', true)]);
    expect(only(await direct.send(zone), zone).data.choices[0]).toEqual({ name: 'Europe/Berlin', value: 'Europe/Berlin' });
  });
});

describe('Discord errors', () => {
  it('logs an expired interaction (10062) and keeps going', async () => {
    fake.fail('POST', /^\/interactions\//, UNKNOWN_INTERACTION);
    const payload = chatInput(MEMBER, ['help']);
    const calls = await direct.send(payload);
    expect(calls).toHaveLength(1);
    const line = direct.lines.find((l) => l.code === 10062);
    expect(line).toMatchObject({ level: 40, what: 'interaction response' });
    expect(JSON.stringify(line)).not.toContain(String(payload.token));

    const next = await run(MEMBER, ['help']);
    expect(next.answer.data.content).toMatch(/paperfeed commands/);
  });

  it('waits out a 429 with retry_after and answers', async () => {
    fake.fail('POST', /^\/interactions\//, rateLimited(0.05));
    const payload = chatInput(MEMBER, ['help']);
    const calls = await direct.send(payload);
    const answers = calls.filter((c) => c.path.startsWith('/interactions/'));
    expect(answers).toHaveLength(2);
    // The help text may run on in follow-ups; the retried callback carries its start.
    expect(answers.at(-1)!.body.data.content).toMatch(/paperfeed commands/);
    expect(direct.lines.some((l) => l.msg === 'Discord answered 429; retrying after retry_after' && l.retryAfterSeconds === '0.05' && !JSON.stringify(l).includes(String(payload.token)))).toBe(true);
  });
});
