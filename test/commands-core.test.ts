// The command core on a real App (sample corpus, built-in embedder): commands as any adapter builds
// them, card actions, the channel-admin rule, error handling, and the CLI adapter (`paperfeed chat`).
import { Command as Commander } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerChat } from '../src/cli/commands/chat.ts';
import type { CliContext } from '../src/cli/context.ts';
import { executeCommand, isReply, parseCommand, replyText, runAction, type CommandContext, type CommandInput, type Reply } from '../src/commands/index.ts';
import { listSubscriptions } from '../src/digests/index.ts';
import { UserError } from '../src/errors.ts';
import { profileSummary } from '../src/recommend/index.ts';
import type { App } from '../src/service/app.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

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
  it('runs commands built from typed options (as Discord does), validating them first', async () => {
    const added = await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'user', op: 'add', text: '  diffusion   models ' });
    expect(added).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(added.text).toBe("Added topic 1, 'diffusion models'.");
    const muted = await executeCommand(app, ctx('D1'), { name: 'mute', kind: 'author', value: 'Jane Doe' });
    expect(muted.text).toMatch(/for 30 days/);

    const badTime = await executeCommand(app, ctx('D1'), { name: 'digest', scope: 'user', op: 'time', time: '7pm' });
    expect(badTime).toMatchObject({ kind: 'usage' });
    expect(badTime.text).toMatch(/HH:MM.*Usage: `digest`/s);
    const unknown = await executeCommand(app, ctx('D1'), { name: 'launch' } as unknown as CommandInput);
    expect(unknown.kind).toBe('usage');
    const emptyChannelTopic = await executeCommand(app, ctx('D1'), { name: 'topics', scope: 'channel', op: 'add', text: ' ' });
    expect(emptyChannelTopic.text).toMatch(/A topic is missing\. Usage: `channel topics add <text>`/);
  });

  it('today gives private paper cards with reasons and the four actions, and never repeats them', async () => {
    const first = await say(ctx('D2'), 'today');
    expect(first).toMatchObject({ kind: 'ok', visibility: 'private' });
    expect(first.cards.length).toBeGreaterThan(0);
    for (const card of first.cards) {
      const paper = (await app.store.getPaper(card.paperId))!;
      expect(card.title).toBe(paper.title);
      expect(card.url).toMatch(/^https:\/\//);
      expect(card.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(card.why.length).toBeGreaterThan(0);
      expect(card.actions).toEqual(['more-like-this', 'up', 'down', 'not-interested']);
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
    expect(r.cards[0]!.why[0]).toMatch(/^similar to '.*' \(\d\.\d\d\)$/);

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
