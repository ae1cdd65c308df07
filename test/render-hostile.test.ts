/**
 * Text from papers, users and feeds reaches every chat as literal text (issue 14, item 3): a corpus
 * of hostile strings through the Slack and Discord renderers, the CLI's plain text, and the real
 * command replies that echo user text (topics list, profile, keywords). Each platform's markup is
 * modelled by what makes it act: Slack's <…> links and mentions and its style marks; Discord's
 * unescaped markdown characters.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReply, type DiscordMessage } from '../bots/discord/render.ts';
import { replyMessages, type SlackMessage } from '../bots/slack/blocks.ts';
import { literal } from '../src/commands/markup.ts';
import { executeCommand, isReply, parseCommand, replyText, type CommandContext, type PaperCard, type Reply } from '../src/commands/index.ts';
import { quote } from '../src/commands/replies.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { readFileSource } from '../src/sources/files.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const HOSTILE = [
  '[x](https://evil.example)',
  '[click here](https://evil.example/x)',
  '<https://evil.example|click me>',
  '<!channel> <!here|here> <!everyone>',
  '<@U123> and <#C123|general>',
  '@everyone @here',
  'a `backtick` and one ` alone',
  '```fenced``` code',
  '*bold* _italic_ ~strike~ ||spoiler|| > quote | pipe',
  '**double** __under__ ~~struck~~',
  'zero\u200Bwidth\u200Djoined',
  'rtl \u202Eevil.exe\u202C override',
  '\\*escaped\\* \\[x\\](https://evil.example)',
  'A&B <b>html</b> &amp; entity',
  `${'long '.repeat(900)}[x](https://evil.example)`,
  // Unbroken runs of marks longer than any limit: split, never apart from their escapes.
  `x${'*'.repeat(3000)}`,
  `x${'['.repeat(1500)}_`,
];

const OUR_URL = 'https://arxiv.org/abs/2401.00001';

const hostileCard = (h: string): PaperCard => ({
  paperId: '2401.00001',
  title: h,
  url: OUR_URL,
  authors: h,
  date: '2024-01-19',
  why: [`matches your topic ${h}`],
  tldr: h,
  actions: ['up'],
});
const hostileReply = (h: string): Reply => ({ kind: 'ok', text: `**Topics**\n 1. ${literal(h)}\nAdded ${quote(h)}.`, cards: [hostileCard(h)], visibility: 'channel' });

// --- Slack -----------------------------------------------------------------------------------
type AnyBlock = { type: string; text?: { text: string; verbatim?: boolean }; elements?: Array<{ type: string; text?: string; verbatim?: boolean }> };

function slackTexts(ms: SlackMessage[]): { text: string; verbatim: boolean }[] {
  return ms.flatMap((m) => [
    { text: m.text, verbatim: true },
    ...(m.blocks as AnyBlock[]).flatMap((b) => [
      ...(b.text ? [{ text: b.text.text, verbatim: b.text.verbatim === true }] : []),
      ...(b.type === 'context' ? b.elements!.map((e) => ({ text: e.text!, verbatim: e.verbatim === true })) : []),
    ]),
  ]);
}

/** What Slack acts on in mrkdwn: <…> (links, mentions) and style marks not neutralized by zero-width spaces. */
function slackActive(mrkdwn: string) {
  const angles = [...mrkdwn.matchAll(/<([^>]*)>/g)].map((m) => m[1]!);
  const marks = mrkdwn.replace(/\u200B[*_~`]\u200B/g, '').replace(/<[^>]*>/g, '').match(/[*_~`]/g) ?? [];
  return { angles, marks: marks.join('') };
}

/** What a reader sees in literal mrkdwn (entities decoded, zero-width spaces gone). */
const slackReadable = (mrkdwn: string): string =>
  mrkdwn.replace(/<https?:[^|>]*\|([^>]*)>/g, '$1').replace(/\u200B/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// --- Discord ---------------------------------------------------------------------------------
function discordTexts(ms: DiscordMessage[]): { where: string; text: string }[] {
  return ms.flatMap((m) => [
    ...(m.content ? [{ where: 'content', text: m.content }] : []),
    ...m.embeds.flatMap((e) => [
      ...(e.title ? [{ where: 'title', text: e.title }] : []),
      ...(e.description ? [{ where: 'description', text: e.description }] : []),
      ...(e.fields ?? []).map((f) => ({ where: `field ${f.name}`, text: f.value })),
    ]),
  ]);
}

/** Markdown characters Discord would act on: those not escaped by a backslash. */
const discordActive = (md: string): string => (md.replace(/\\[\s\S]/g, '').match(/[[\]<>@|`*_~]/g) ?? []).join('');
const discordReadable = (md: string): string => md.replace(/\\([\s\S])/g, '$1');

const flat = (s: string) => s.replace(/\s+/g, ' ').replace(/\u200B/g, '');

describe('hostile strings render as literal text', () => {
  it.each(HOSTILE.map((h) => [h.slice(0, 40), h]))('on Slack: %s', (_name, h) => {
    const texts = slackTexts(replyMessages(hostileReply(h)));
    for (const { text, verbatim } of texts) {
      expect(verbatim, text).toBe(true);
      const { angles } = slackActive(text);
      // The only link is the card's own title link; no mention, no other URL.
      for (const a of angles) expect(a.startsWith(`${OUR_URL}|`), `<${a}>`).toBe(true);
    }
    const all = texts.map((t) => t.text).join('\n');
    // Our own marks only: *Topics*, *<title link>*, _tl;dr:_, *Why:* (and the notification text has none).
    expect(slackActive(texts.slice(1).map((t) => t.text).join('\n')).marks.replace(/\*/g, '')).toBe('__');
    expect(slackActive(all).marks.replace(/_/g, '')).toBe('******');
    const readable = flat(slackReadable(all));
    expect(readable).toContain(flat(h.length > 100 ? h.slice(-60) : h));
  });

  it.each(HOSTILE.map((h) => [h.slice(0, 40), h]))('on Discord: %s', (_name, h) => {
    const texts = discordTexts(renderReply(hostileReply(h)));
    // Long content is split over messages: its marks are counted over all of them.
    expect(discordActive(texts.filter((t) => t.where === 'content').map((t) => t.text).join(''))).toBe('****');
    // A title too long for the title slot is a masked link of ours in the description, maybe split.
    const description = texts.filter((t) => t.where === 'description').map((t) => t.text).join('');
    expect(discordActive(description)).toMatch(/^(\*\*\[\]\*\*)?(__)?$/);
    for (const { where, text } of texts) {
      if (where !== 'content' && where !== 'description') expect(discordActive(text), `${where}: ${text}`).toBe('');
    }
    const readable = flat(texts.map((t) => discordReadable(t.text)).join('\n'));
    expect(readable).toContain(flat(h.length > 100 ? h.slice(-60) : h));
  });

  it.each(HOSTILE.map((h) => [h.slice(0, 40), h]))('as plain text: %s', (_name, h) => {
    const text = replyText(hostileReply(h));
    expect(flat(text)).toContain(flat(h.length > 100 ? h.slice(-60) : h));
    if (!h.includes('\\')) expect(text).not.toMatch(/\\[*[\]`_~<>|@\\]/);
  });
});

describe('command replies that echo user and paper text', () => {
  let app: SampleApp;
  const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;
  const ctx = (userId: string): CommandContext => ({ platform: 'slack', userId, channelId: 'C1', isChannelAdmin: async () => true });
  const say = async (c: CommandContext, text: string): Promise<Reply> => {
    const parsed = parseCommand(text);
    return isReply(parsed) ? parsed : executeCommand(app, c, parsed);
  };

  beforeAll(async () => {
    app = await openSampleApp({ ingestSample: false });
    const file = join(app.dataDir, 'hostile.jsonl');
    await writeFile(
      file,
      JSON.stringify({
        id: 'arXiv:2409.00001',
        title: 'Diffusion [x](https://evil.example) <!channel> *models* for `graphs`',
        abstract: 'Diffusion models on graphs. <@U123> @everyone ```fence``` [click here](https://evil.example/x)',
        authors: ['[x](https://evil.example)', '<!here>'],
      }),
    );
    await ingest(app, [readFileSource(SAMPLE_FILE), readFileSource(file)]);
  });
  afterAll(async () => {
    await app?.dispose();
  });

  /** Asserts a reply acts on nothing from data on either platform, and keeps the data readable. */
  function expectLiteral(reply: Reply, mustShow: string[]) {
    for (const { text } of slackTexts(replyMessages(reply))) {
      for (const a of slackActive(text).angles) expect(a.startsWith('https://arxiv.org/') || a.startsWith('https://huggingface.co/'), `<${a}> in ${text}`).toBe(true);
      expect(text).not.toContain('evil.example/x|');
    }
    for (const { where, text } of discordTexts(renderReply(reply))) {
      // Our own code spans (`digest on`) are markup; data's backticks are escaped.
      const active = discordActive(text.replace(/(?<!\\)`[\w :.-]+`/g, ''));
      expect(active.replace(/\*\*|_tl;dr:_/g, ''), `${where}: ${text}`).not.toMatch(/[[\]<>@|`~]/);
      if (where !== 'title') expect(text, where).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(https:\/\/evil/);
    }
    const plain = flat(replyText(reply));
    for (const s of mustShow) expect(plain).toContain(s);
  }

  it('topics list, add and remove (user and channel)', async () => {
    const topic = '[click here](https://evil.example/x) <!channel> `code` *b*';
    expectLiteral(await say(ctx('UT'), `topics add ${topic}`), [topic]);
    expectLiteral(await say(ctx('UT'), 'topics list'), [topic]);
    expectLiteral(await say(ctx('UT'), `channel topics add ${topic}`), [topic]);
    expectLiteral(await say(ctx('UT'), 'channel topics list'), [topic]);
    expectLiteral(await say(ctx('UT'), 'topics remove 1'), [topic]);
  });

  it('profile, with topics, keywords and followed authors', async () => {
    await say(ctx('UP'), 'topics add [x](https://evil.example) @everyone');
    await say(ctx('UP'), 'keywords add ab`c');
    await say(ctx('UP'), 'follow <@U999> [y](https://evil.example)');
    const reply = await say(ctx('UP'), 'profile');
    expect(reply.kind).toBe('ok');
    expectLiteral(reply, ['[x](https://evil.example) @everyone']);
  });

  it('keywords with backticks and markup stay inside their quotes', async () => {
    const added = await say(ctx('UK'), 'keywords add a`b`c');
    expectLiteral(added, ['a`b`c']);
    const list = await say(ctx('UK'), 'keywords list');
    expectLiteral(list, ['a`b`c']);
    expect(toDiscord(list)).toContain("'a\\`b\\`c'");
  });

  it('paper cards from a search, and "similar" echoing a paper title', async () => {
    const search = await say(ctx('US'), 'search diffusion graphs');
    expect(search.cards.map((c) => c.paperId)).toContain('2409.00001');
    expectLiteral(search, ['Diffusion [x](https://evil.example) <!channel> *models* for `graphs`']);
    expectLiteral(await say(ctx('US'), 'similar 2409.00001'), []);
    expectLiteral(await say(ctx('US'), 'why 2409.00001'), ['Diffusion [x](https://evil.example) <!channel> *models* for `graphs`']);
  });

  it('error replies quoting what the user typed', async () => {
    const typed = 'https://evil.example/[x](https://evil.example/x)';
    const reply = await say(ctx('UE'), `similar ${typed}`);
    expect(reply.kind).toBe('error');
    expectLiteral(reply, [typed]);
  });
});

const toDiscord = (r: Reply): string => discordTexts(renderReply(r)).map((t) => t.text).join('\n');
