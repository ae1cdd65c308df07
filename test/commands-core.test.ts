// The command core on a real App (sample corpus, built-in embedder): commands as any adapter builds
// them, card actions, the channel-admin rule, error handling, and the CLI adapter (`paperfeed chat`).
import { Command as Commander } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { register as registerChat } from '../src/cli/commands/chat.ts';
import type { CliContext } from '../src/cli/context.ts';
import { executeCommand, isReply, parseCommand, replyText, runAction, type CommandContext, type CommandInput, type Reply } from '../src/commands/index.ts';
import type { Config } from '../src/config/config.ts';
import { listSubscriptions } from '../src/digests/index.ts';
import { UserError } from '../src/errors.ts';
import { profileSummary } from '../src/recommend/index.ts';
import type { App } from '../src/service/app.ts';
import { between, startFakeOpenAi, type ChatBehaviour, type FakeOpenAi } from './fixtures/openai/fake-openai.ts';
import { openSampleApp, type SampleApp, withLlmConfig } from './helpers/sample-app.ts';

let app: SampleApp;

beforeAll(async () => {
  app = await openSampleApp();
});

afterAll(async () => {
  await app?.dispose();
});

const ctx = (userId: string, o: { channelId?: string; admin?: boolean; tz?: string; platform?: CommandContext['platform'] } = {}): CommandContext => ({
  platform: o.platform ?? 'discord',
  userId,
  ...(o.channelId ? { channelId: o.channelId } : {}),
  isChannelAdmin: async () => Boolean(o.admin),
  ...(o.tz ? { userTimeZone: async () => o.tz } : {}),
});

async function say(c: CommandContext, text: string): Promise<Reply> {
  const parsed = parseCommand(text);
  return isReply(parsed) ? parsed : executeCommand(app, c, parsed);
}

describe('executeCommand', () => {
  it('records typed feedback like the buttons, and says when a followed or muted author has no stored paper', async () => {
    const paper = (await app.store.listPapers({ limit: 1 }))[0]!;
    const up = await say(ctx('F1'), `up ${paper.id}`);
    expect(up).toMatchObject({ kind: 'ok', visibility: 'private' });
    const profile = (await app.kv('profiles').get('user:F1')) as { feedback: { paperId: string; kind: string }[] };
    expect(profile.feedback).toEqual([expect.objectContaining({ paperId: paper.id, kind: 'up' })]);
    await say(ctx('F1'), `not for me ${paper.id}`);
    const after = (await app.kv('profiles').get('user:F1')) as { feedback: { kind: string }[] };
    expect(after.feedback.map((f) => f.kind)).toEqual(['not-interested']);

    // The sample pages list no authors: any name is unknown here (the known case is in recommend-ops.test.ts).
    const nobody = await say(ctx('F1'), 'follow Zzyzx Qwertyuiop');
    expect(nobody.text).not.toMatch(/get a boost/);
    expect(nobody.text).toMatch(/no stored paper is by them yet/);
    expect((await say(ctx('F1'), 'mute author Zzyzx Qwertyuiop')).text).toMatch(/No stored paper is by them yet/);
  });

  it('runs commands built from typed options (as Discord does), validating them first', async () => {
    const added = await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'user', op: 'add', text: '  diffusion   models ' });
    expect(added).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(added.text).toBe("Added topic 1, 'diffusion models'.");
    // The weight op the CLI's `topics weight` builds, run by the same handler.
    const weighted = await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'user', op: 'weight', ref: '1', weight: 2.5 });
    expect(weighted.text).toBe("Topic 1, 'diffusion models', now has weight 2.5.");
    expect((await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'user', op: 'weight', ref: '1', weight: 9 })).kind).toBe('usage');
    const muted = await executeCommand(app, ctx('D1'), { name: 'mute', kind: 'author', value: 'Jane Doe' });
    expect(muted.text).toMatch(/for 30 days/);

    const badTime = await executeCommand(app, ctx('D1'), { name: 'digest', scope: 'user', op: 'time', time: '7pm' });
    expect(badTime).toMatchObject({ kind: 'usage' });
    expect(badTime.text).toMatch(/HH:MM.*Usage: `digest`/s);
    const unknown = await executeCommand(app, ctx('D1'), { name: 'launch' } as unknown as CommandInput);
    expect(unknown.kind).toBe('usage');
    const emptyChannelTopic = await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'channel', op: 'add', text: ' ' });
    expect(emptyChannelTopic.text).toMatch(/A topic is missing\. Usage: `channel .*`channel topics add <text>`/);
  });

  it('today gives private paper cards with reasons and the five actions, and never repeats them', async () => {
    const first = await say(ctx('D2'), 'today');
    expect(first).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(first.cards.length).toBeGreaterThan(0);
    for (const card of first.cards) {
      const paper = (await app.store.getPaper(card.paperId))!;
      expect(card.title).toBe(paper.title);
      expect(card.url).toMatch(/^https:\/\//);
      // An undated paper shows no date rather than the day it was ingested.
      expect(card.date).toBe(paper.published);
      expect(card.why.length).toBeGreaterThan(0);
      expect(card.actions).toEqual(['more-like-this', 'up', 'down', 'not-interested', 'save']);
      // Authors are trimmed: at most three names, then "+N more".
      expect(card.authors.split(', ').length).toBeLessThanOrEqual(3);
    }
    const again = await say(ctx('D2'), 'today');
    expect(again.kind).toBe('notice');
    expect(again.cards.filter((c) => first.cards.some((f) => f.paperId === c.paperId))).toEqual([]);
  });

  it('similar by paper id leaves the paper out; an arXiv id that is not stored is a clear error', async () => {
    const paper = (await app.store.listPapers({ limit: 5 }))[4]!;
    const r = await say(ctx('D3'), `similar ${paper.id}`);
    expect(r).toMatchObject({ kind: 'ok', visibility: 'channel' });
    expect(r.text).toContain(paper.id);
    expect(r.cards.map((c) => c.paperId)).not.toContain(paper.id);
    // No second number in the text beside the card's score (issue 13).
    expect(r.cards[0]!.why[0]).toMatch(/^similar to '.*'$/);

    const missing = await say(ctx('D3'), 'similar https://arxiv.org/abs/2401.99999');
    expect(missing).toMatchObject({ kind: 'error', visibility: 'private' });
    expect(missing.text).toMatch(/2401\.99999 is not in the store/);
  });

  it('channel commands need a channel, and changes need a channel admin', async () => {
    expect((await say(ctx('D4'), 'channel topics list')).text).toMatch(/work in a channel/);
    expect((await say(ctx('D4', { channelId: 'G1' }), 'channel topics add robotics')).text).toMatch(/Only channel admins can change the topics/);
    expect((await say(ctx('D4', { channelId: 'G1', admin: true }), 'channel topics add robotics')).kind).toBe('ok');
    expect((await say(ctx('D5', { channelId: 'G1' }), 'channel topics list')).text).toMatch(/1\. robotics/);
    // The channel's topics are not the user's.
    expect((await say(ctx('D4', { channelId: 'G1' }), 'topics list')).text).toMatch(/no topics yet/);
  });

  it('digest on takes the platform time zone for a new subscription; forget-me removes digests everywhere', async () => {
    const on = await say(ctx('D6', { tz: 'Asia/Kolkata' }), 'digest on');
    expect(on.text).toMatch(/08:00 \(Asia\/Kolkata\)/);
    await say(ctx('D6', { platform: 'slack' }), 'digest time 06:45');
    await say(ctx('D6'), 'topics add speech recognition');
    expect((await listSubscriptions(app)).filter((s) => s.id === 'D6')).toHaveLength(2);
    const bad = await say(ctx('D6'), 'digest timezone Atlantis/Lost_City');
    expect(bad).toMatchObject({ kind: 'error' });

    const gone = await say(ctx('D6'), 'forget-me');
    expect(gone.text).toMatch(/deleted \(\d+ records\), digests included/);
    expect((await listSubscriptions(app)).filter((s) => s.id === 'D6')).toEqual([]);
    expect((await profileSummary(app, { kind: 'user', platform: 'discord', id: 'D6' })).profile.topics).toEqual([]);
  });

  it('a failure that is not the user\'s is logged and answered without internals', async () => {
    const broken = Object.create(app, {
      search: { value: { ...app.search, similar: async () => Promise.reject(new Error('index file is corrupt at /secret/path')) } },
    }) as App;
    const spy = vi.spyOn(app.log, 'error');
    const r = await executeCommand(broken, ctx('D7'), { name: 'similar', query: 'anything' });
    expect(r).toMatchObject({ kind: 'error', visibility: 'private' });
    expect(r.text).not.toContain('/secret/path');
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ command: 'similar', user: 'D7' }), 'chat command failed');
    spy.mockRestore();
  });
});

describe('reading list, history and digest cadence in chat', () => {
  it('saves from a card button and by command, lists newest first, exports, and unsaves', async () => {
    const [a, b, c] = await app.store.listPapers({ limit: 3 });
    const clicked = await runAction(app, ctx('R1', { channelId: 'G1' }), { action: 'save', paperId: a!.id });
    expect(clicked).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(clicked.text).toMatch(/Saved .* to your reading list/);
    expect((await say(ctx('R1'), `save ${a!.title}`)).text).toMatch(/already on your reading list/);
    await say({ ...ctx('R1'), now: new Date(Date.now() + 1_000) }, `save ${b!.id}`);
    const list = await say({ ...ctx('R1'), now: new Date(Date.now() + 2_000) }, 'saved');
    expect(list.text).toMatch(/\*\*Your reading list\*\*: 2 papers\./);
    expect(list.cards.map((x) => x.paperId)).toEqual([b!.id, a!.id]);
    expect(list.cards[0]!.actions).toContain('save');
    // The channel it was clicked in saved nothing.
    expect((await say(ctx('R1-other', { channelId: 'G1' }), 'saved')).kind).toBe('notice');

    const bib = await say(ctx('R1'), 'saved --export bibtex');
    expect(bib.kind).toBe('ok');
    expect(bib.text).toMatch(/as bibtex: 2 papers/);
    expect(replyText(bib)).toContain('@misc{');
    const csl = await say(ctx('R1'), 'saved --export csl');
    const json = replyText(csl).slice(replyText(csl).indexOf('['));
    expect((JSON.parse(json) as { title: string }[]).map((x) => x.title).sort()).toEqual([a!.title, b!.title].sort());

    expect((await say(ctx('R1'), `unsave ${a!.id}`)).text).toMatch(/Removed .* from your reading list/);
    expect((await say(ctx('R1'), `unsave ${c!.id}`)).kind).toBe('error');
    expect((await say(ctx('R1'), 'saved')).cards.map((x) => x.paperId)).toEqual([b!.id]);
  });

  it('says an export is too long for chat, naming the CLI command', async () => {
    const many = await app.store.listPapers({ limit: 40 });
    for (const p of many) await runAction(app, ctx('R2'), { action: 'save', paperId: p.id });
    const r = await say(ctx('R2'), 'saved --export bibtex');
    expect(r.kind).toBe('notice');
    expect(r.text).toMatch(/too long for a chat message .*paperfeed saved --user <your id> --export bibtex/s);
    const list = await say(ctx('R2'), 'saved');
    expect(list.text).toMatch(/40 papers; the 10 newest shown/);
    expect(list.cards).toHaveLength(10);
  });

  it('history shows what a user or a channel was sent, per day, with the asking user\'s reactions', async () => {
    const now = new Date();
    const first = await say({ ...ctx('R3', { channelId: 'G3' }), now }, 'history');
    expect(first).toMatchObject({ kind: 'notice' });
    expect(first.text).toMatch(/Nothing was sent to this channel in the last 7 days/);
    await say(ctx('R3'), 'topics add language models');
    const today = await say({ ...ctx('R3'), now }, 'today');
    expect(today.cards.length).toBeGreaterThan(0);
    const [p1, p2] = today.cards;
    await runAction(app, ctx('R3'), { action: 'up', paperId: p1!.paperId });
    await runAction(app, ctx('R3'), { action: 'save', paperId: p2!.paperId });
    const h = await say({ ...ctx('R3'), now: new Date(now.getTime() + 1_000) }, 'history 3');
    expect(h.text).toMatch(new RegExp(`Papers you were sent in the last 3 days\\*\\*: ${today.cards.length}`));
    expect(h.text).toContain(`**${now.toISOString().slice(0, 10)}**`);
    expect(h.text).toMatch(/— 👍/);
    expect(h.text).toMatch(/— 🔖 saved/);
    expect((await say(ctx('R3'), 'history 100')).kind).toBe('usage');
  });

  it('digest weekly <day> sets a weekly cadence for users and channels; digest shows it; daily goes back', async () => {
    const monday = new Date('2026-11-30T09:00:00Z');
    const w = await say({ ...ctx('R4', { tz: 'UTC' }), now: monday }, 'digest weekly friday');
    expect(w.text).toMatch(/Your weekly digest is on: every Friday at 08:00 \(UTC\) by direct message, the week's best papers.*Next: 2026-12-04 at 08:00/);
    expect((await say({ ...ctx('R4'), now: monday }, 'digest')).text).toMatch(/weekly digest is on: every Friday/);
    expect((await say({ ...ctx('R4'), now: monday }, 'digest daily')).text).toMatch(/Your daily digest is on: every day at 08:00 \(UTC\).*Next: tomorrow/);
    expect((await say(ctx('R4', { channelId: 'G4' }), 'channel digest weekly monday')).kind).toBe('error');
    const ch = await say({ ...ctx('R4', { channelId: 'G4', admin: true }), now: monday }, 'channel digest weekly monday');
    // Monday 09:00 is past 08:00: this week's slot has gone, the first is next Monday.
    expect(ch.text).toMatch(/This channel's weekly digest is on: every Monday at 08:00 .*Next: 2026-12-07 at 08:00/);
  });
});

describe('runAction', () => {
  it('records feedback for the clicking user and answers privately', async () => {
    const [paper] = await app.store.listPapers({ limit: 1 });
    const up = await runAction(app, ctx('D8', { channelId: 'G9' }), { action: 'up', paperId: paper!.id });
    expect(up).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(up.text).toMatch(/Recorded thumbs up/);
    const down = await runAction(app, ctx('D8'), { action: 'down', paperId: paper!.id });
    expect(down.text).toMatch(/\(was up\)/);
    const s = await profileSummary(app, { kind: 'user', platform: 'discord', id: 'D8' });
    expect(s.reactions).toEqual({ up: 0, down: 1, notInterested: 0 });
    // The channel it was clicked in learned nothing.
    expect((await profileSummary(app, { kind: 'channel', platform: 'discord', id: 'G9' })).reactions.down).toBe(0);
  });

  it('"more like this" returns private cards; bad payloads and unknown papers are errors', async () => {
    const [paper] = await app.store.listPapers({ limit: 1 });
    const more = await runAction(app, ctx('D9'), { action: 'more-like-this', paperId: paper!.id });
    expect(more.visibility).toBe('private');
    expect(more.cards.length).toBeGreaterThan(0);
    expect((await runAction(app, ctx('D9'), { action: 'explode' as never, paperId: paper!.id })).kind).toBe('error');
    expect((await runAction(app, ctx('D9'), { action: 'up', paperId: 'x'.repeat(500) })).kind).toBe('error');
    expect((await runAction(app, ctx('D9'), { action: 'up', paperId: 't-doesnotexist' })).text).toMatch(/no stored paper matches/);
  });
});

describe('replyText and paperfeed chat', () => {
  function cli(): { program: Commander; out: string[] } {
    const out: string[] = [];
    const context: CliContext = {
      withApp: (fn) => fn(app),
      print: (t) => void out.push(t),
      printJson: (v) => void out.push(JSON.stringify(v)),
    };
    const program = new Commander('paperfeed').exitOverride();
    registerChat(program, context);
    for (const c of program.commands) c.exitOverride();
    return { program, out };
  }

  it('runs the same core from the command line and prints the reply as text', async () => {
    const { program, out } = cli();
    await program.parseAsync(['node', 'paperfeed', 'chat', '--user', 'UCLI', 'topics add graph neural networks']);
    expect(out.at(-1)).toBe("Added topic 1, 'graph neural networks'.");
    // Unquoted words, including one that looks like an option.
    await program.parseAsync(['node', 'paperfeed', 'chat', '--user', 'UCLI', 'keywords', 'add', '-survey']);
    expect(out.at(-1)).toMatch(/'survey' are now never picked/);
    await program.parseAsync(['node', 'paperfeed', 'chat', '--user', 'UCLI', '--channel', 'CLOCAL', 'channel digest time 07:00']);
    expect(out.at(-1)).toMatch(/This channel's daily digest is on: every day at 07:00/);
    await program.parseAsync(['node', 'paperfeed', 'chat', '--user', 'UCLI', '--json', 'search', 'transformer']);
    const json = JSON.parse(out.at(-1)!) as Reply;
    expect(json.cards.length).toBeGreaterThan(0);
    await program.parseAsync(['node', 'paperfeed', 'chat', '--user', 'UCLI', 'search transformer']);
    expect(out.at(-1)).toContain(` 1. ${json.cards[0]!.title}`);
    expect(out.at(-1)).toContain(json.cards[0]!.url);
  });

  it('exits as a usage error for malformed commands', async () => {
    const { program } = cli();
    await expect(program.parseAsync(['node', 'paperfeed', 'chat', 'topics frob'])).rejects.toThrow(UserError);
    await expect(program.parseAsync(['node', 'paperfeed', 'chat', 'topics frob'])).rejects.toThrow(/Usage: `topics add <text>`/);
  });

  it('renders markdown-lite as plain text', () => {
    expect(replyText({ kind: 'ok', text: '**Bold** and _it_ and [arXiv](https://arxiv.org/abs/1)', cards: [], visibility: 'private' })).toBe(
      'Bold and it and arXiv <https://arxiv.org/abs/1>',
    );
  });
});

describe('ask and the language-model notes', () => {
  const ON_TOPIC = 'How does optimal transport handle sparsity constraints?';
  const OFF_TOPIC = 'What is the capital of France?';
  let fake: FakeOpenAi;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake.chat.length = 0;
  });

  /** The sample App with a model at the fake server; each call is a new App, so a new cool-down. */
  const withModel = (over: Partial<Config> = {}): App =>
    withLlmConfig(app, { ...app.config, OPENAI_BASE_URL: fake.baseURL, PAPERFEED_LLM_MODEL: 'fake-chat-core', PAPERFEED_LLM_RETRIES: 0, ...over });
  const on = async (a: App, c: CommandContext, text: string): Promise<Reply> => {
    const parsed = parseCommand(text);
    return isReply(parsed) ? parsed : executeCommand(a, c, parsed);
  };
  const purpose = (body: { messages: { role: string; content: string }[] }): 'tldr' | 'why' | 'ask' => {
    const system = body.messages[0]!.content;
    return system.includes('TL;DR') ? 'tldr' : system.includes('why a research paper matters') ? 'why' : 'ask';
  };
  /** Answers each kind of prompt recognisably; the answer cites [1], [2] and a made-up [9]. */
  const model: ChatBehaviour = (body) => {
    const user = body.messages[1]!.content;
    const title = between(user, 'title') ?? '';
    switch (purpose(body)) {
      case 'tldr':
        return { content: `One sentence on ${title}.` };
      case 'why':
        return { content: `${title.slice(0, 40)} ties to your topic ${between(user, 'topics')!.replace(/^- /, '')}.` };
      case 'ask':
        return { content: 'Cardinality constraints keep plans sparse [1]; see [this](https://evil.example/x) and compare [2][9].' };
    }
  };
  const relevantTo = async (q: string) =>
    (await app.search.searchText(q, { k: 5, mode: 'hybrid' })).filter((r) => (r.cosine ?? -1) >= app.config.PAPERFEED_ASK_MIN_SIMILARITY);

  it('without a model, says plainly that ask needs one and points to search; nothing is sent', async () => {
    // Even with the variables in the environment: only the App's config switches the model on.
    vi.stubEnv('OPENAI_BASE_URL', fake.baseURL);
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-the-environment');
    try {
      const before = fake.server.requests.length;
      const r = await say(ctx('A1'), `ask ${ON_TOPIC}`);
      expect(r).toMatchObject({ kind: 'notice', visibility: 'private', cards: [] });
      expect(r.text).toMatch(/^`ask` needs a language model, and none is configured here/);
      expect(r.text).toMatch(/`search <words>` finds papers without one/);
      expect(fake.server.requests.length).toBe(before);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('answers from the retrieved papers: the cards are exactly the cited ones, a made-up citation dropped', async () => {
    fake.onChat(model);
    const r = await on(withModel(), ctx('A2'), `ask ${ON_TOPIC}`);
    const relevant = await relevantTo(ON_TOPIC);
    expect(relevant.length).toBeGreaterThanOrEqual(2);
    expect(r).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(r.cards.map((c) => c.paperId)).toEqual([relevant[0]!.paper.id, relevant[1]!.paper.id]);
    expect(r.cards[0]!.why).toEqual([`cited as [1] (similarity ${relevant[0]!.cosine!.toFixed(2)})`]);
    expect(r.cards[1]!.why[0]).toMatch(/^cited as \[2\] \(similarity \d\.\d\d\)$/);
    expect(r.cards[0]!.actions).toEqual(['more-like-this', 'up', 'down', 'not-interested', 'save']);
    const [head, answer, note] = r.text.split('\n');
    expect(head).toBe(`**Answer** to '${ON_TOPIC}':`);
    // The [9] is gone, and a link the model wrote is shown as text, not as a masked link.
    expect(answer).toBe('Cardinality constraints keep plans sparse [1]; see this (https://evil.example/x) and compare [2].');
    expect(note).toBe('_Removed a citation to a paper that was not found: [9]_');
    expect(fake.chat.map(purpose)).toEqual(['ask']);
    expect(between(fake.chat[0]!.messages[1]!.content, 'question')).toBe(ON_TOPIC);
  });

  it('nothing relevant: a plain notice, no cards and no request to the model', async () => {
    fake.onChat(model);
    const r = await on(withModel(), ctx('A3'), `ask ${OFF_TOPIC}`);
    expect(r).toMatchObject({ kind: 'notice', visibility: 'private', cards: [] });
    expect(r.text).toMatch(/^Nothing in the index is relevant enough to answer that/);
    expect(fake.chat).toHaveLength(0);
  });

  it('the model failing: the relevant papers as cards, with the reason', async () => {
    fake.onChat(() => ({ status: 500 }));
    const r = await on(withModel(), ctx('A4'), `ask ${ON_TOPIC}`);
    expect(r.kind).toBe('ok');
    expect(r.text).toMatch(/unavailable right now.*These papers look relevant:$/);
    expect(r.cards.map((c) => c.paperId)).toEqual((await relevantTo(ON_TOPIC)).map((x) => x.paper.id));
    expect(r.cards[0]!.why[0]).toMatch(/^relevant to your question \(similarity \d\.\d\d\)$/);
  });

  it('today: a TL;DR on every card and the why-line first, the embedding reasons kept after it', async () => {
    fake.onChat(model);
    const a = withModel();
    const who = ctx('A5');
    await on(a, who, 'topics add optimal transport');
    const r = await on(a, who, 'today');
    expect(r.cards.length).toBeGreaterThan(0);
    for (const card of r.cards) {
      expect(card.tldr).toBe(`One sentence on ${card.title}.`);
      expect(card.why[0]).toBe(`${card.title.slice(0, 40)} ties to your topic optimal transport.`);
      expect(card.why.length).toBeGreaterThan(1);
    }
    const kinds = fake.chat.map(purpose);
    expect(kinds.filter((k) => k === 'tldr')).toHaveLength(r.cards.length);
    expect(kinds.filter((k) => k === 'why')).toHaveLength(r.cards.length);
  });
});
