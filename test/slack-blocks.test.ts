// Reply → Block Kit: cards, escaping, and Slack's limits met by splitting, never by cutting text.
import { describe, expect, it } from 'vitest';
import { markFeedback, replyMessages, SLACK_LIMITS } from '../bots/slack/blocks.ts';
import { slackToPlain, splitText, stripMention, toMrkdwn } from '../bots/slack/mrkdwn.ts';
import { slackOptionsFromConfig } from '../bots/slack/options.ts';
import { CARD_ACTIONS, type PaperCard, type Reply } from '../src/commands/reply.ts';
import { loadConfig } from '../src/config/config.ts';

type AnyBlock = { type: string; block_id?: string; text?: { text: string }; elements?: Array<Record<string, unknown>> };

const card = (i: number, over: Partial<PaperCard> = {}): PaperCard => ({
  paperId: `2401.${String(i).padStart(5, '0')}`,
  title: `Paper number ${i}`,
  url: `https://arxiv.org/abs/2401.${String(i).padStart(5, '0')}`,
  authors: 'Ada Lovelace, Alan Turing +3 more',
  date: '2024-01-19',
  why: [`matches your topic 'topic ${i}' (0.71)`],
  actions: [...CARD_ACTIONS],
  ...over,
});

const reply = (over: Partial<Reply>): Reply => ({ kind: 'ok', text: '**Your picks**', cards: [], visibility: 'private', ...over });
const blocksOf = (r: Reply): AnyBlock[][] => replyMessages(r).map((m) => m.blocks as AnyBlock[]);
const texts = (blocks: AnyBlock[]): string[] =>
  blocks.flatMap((b) => [...(b.text ? [b.text.text] : []), ...(b.type === 'context' ? b.elements!.map((e) => String(e.text)) : [])]);

describe('replyMessages', () => {
  it('renders a card: linked title, authors and date, why, and five buttons with action and paper id', () => {
    const [blocks] = blocksOf(reply({ cards: [card(7)] }));
    expect(blocks![0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Your picks*', verbatim: true } });
    expect(blocks![1]!.text!.text).toBe('*<https://arxiv.org/abs/2401.00007|Paper number 7>*\nAda Lovelace, Alan Turing +3 more · 2024-01-19');
    expect(blocks![2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: "*Why:* matches your topic 'topic 7' (0.71)", verbatim: true }] });
    expect(blocks![3]!.type).toBe('actions');
    expect(blocks![3]!.elements!.map((e) => [e.action_id, e.value])).toEqual([
      ['pf:more-like-this', '2401.00007'],
      ['pf:up', '2401.00007'],
      ['pf:down', '2401.00007'],
      ['pf:not-interested', '2401.00007'],
      ['pf:save', '2401.00007'],
    ]);
  });

  it('splits many cards over several messages of at most 50 blocks, never splitting a card', () => {
    const cards = Array.from({ length: 30 }, (_, i) => card(i));
    const messages = blocksOf(reply({ cards }));
    expect(messages.length).toBeGreaterThan(1);
    const ids: string[] = [];
    for (const blocks of messages) {
      // Room is left for the note a feedback click adds under each card.
      const cardsHere = blocks.filter((b) => b.type === 'actions').length;
      expect(blocks.length + cardsHere).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
      expect(blocks[0]!.type).not.toBe('divider');
      for (let i = 0; i < blocks.length; i++) {
        if (blocks[i]!.type !== 'actions') continue;
        ids.push(String(blocks[i]!.elements![0]!.value));
        // Each card's section and context sit in the same message as its buttons.
        expect(blocks[i - 1]!.type).toBe('context');
        expect(blocks[i - 2]!.type).toBe('section');
      }
    }
    expect(ids).toEqual(cards.map((c) => c.paperId));
  });

  it('splits long text into several fields of at most 3000 characters without losing any', () => {
    const paragraph = (n: number) => `Line ${n}: ${'lorem ipsum dolor sit amet '.repeat(9)}`.trim();
    const text = Array.from({ length: 60 }, (_, i) => paragraph(i)).join('\n');
    const why = Array.from({ length: 40 }, (_, i) => `reason ${i} ${'x'.repeat(280)}`);
    const messages = blocksOf(reply({ text, cards: [card(1, { why })] }));
    const all = messages.flat();
    for (const t of texts(all)) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.textField);
    for (const b of all) if (b.type === 'context') expect(b.elements!.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
    const sections = all.filter((b) => b.type === 'section' && !b.text!.text.startsWith('*<'));
    expect(sections.length).toBeGreaterThan(1);
    expect(sections.map((b) => b.text!.text).join('\n')).toBe(text);
    const whyText = all.filter((b) => b.type === 'context').flatMap((b) => b.elements!.map((e) => String(e.text))).join(' ');
    for (const w of why) expect(whyText).toContain(w);
  });

  it('escapes what papers and users wrote, so nothing becomes a mention or a broken link', () => {
    const [blocks] = blocksOf(
      reply({
        text: "Added topic 1, '<!channel> & <@U123>'.",
        cards: [card(1, { title: 'A <b>bold</b> claim & more', url: 'https://example.org/a|b>c', authors: 'Tom <tom@x>' }), card(2, { url: 'javascript:alert(1)' })],
      }),
    );
    expect(blocks![0]!.text!.text).toBe("Added topic 1, '&lt;!channel&gt; &amp; &lt;@U123&gt;'.");
    expect(blocks![1]!.text!.text).toBe('*<https://example.org/a%7Cb%3Ec|A &lt;b&gt;bold&lt;/b&gt; claim &amp; more>*\nTom &lt;tom@x&gt; · 2024-01-19');
    // A link that is not http(s) is shown as text only.
    expect(texts(blocks!).find((t) => t.includes('Paper number 2'))).toBe('*Paper number 2*\nAda Lovelace, Alan Turing +3 more · 2024-01-19');
  });

  it('always yields at least one message, even for an empty reply', () => {
    const messages = replyMessages(reply({ text: '', cards: [] }));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text.length).toBeGreaterThan(0);
  });
});

describe('markFeedback', () => {
  it('highlights the clicked button, adds a note, and gives the changed blocks new ids', () => {
    const [blocks] = blocksOf(reply({ cards: [card(1), card(2)] }));
    const once = markFeedback(blocks as never, '2401.00002', 'up') as AnyBlock[];
    expect(once).toHaveLength(blocks!.length + 1);
    const i = once.findIndex((b) => b.type === 'actions' && b.elements![0]!.value === '2401.00002');
    expect(once[i]!.elements!.map((e) => e.style ?? null)).toEqual([null, 'primary', null, null, null]);
    expect(once[i]!.block_id).not.toBe(blocks!.find((b) => b.type === 'actions' && b.elements![0]!.value === '2401.00002')!.block_id);
    expect(String(once[i + 1]!.elements![0]!.text)).toMatch(/more papers like this one/);
    // The other card is untouched.
    expect(once.slice(0, i - 3)).toEqual(blocks!.slice(0, i - 3));

    const twice = markFeedback(once as never, '2401.00002', 'not-interested') as AnyBlock[];
    expect(twice).toHaveLength(once.length);
    expect(twice[i]!.elements!.map((e) => e.style ?? null)).toEqual([null, null, null, 'primary', null]);
    expect(String(twice[i + 1]!.elements![0]!.text)).toMatch(/will not come back/);
    expect(markFeedback(blocks as never, 'not-here', 'down')).toBeUndefined();
  });
});

describe('Slack text', () => {
  it('converts markdown-lite to mrkdwn and Slack markup back to what the user typed', () => {
    expect(toMrkdwn('**Bold** _it_ `code` [arXiv & co](https://arxiv.org/abs/1?a=1&b=2)')).toBe(
      '*Bold* _it_ `code` <https://arxiv.org/abs/1?a=1&amp;b=2|arXiv &amp; co>',
    );
    expect(slackToPlain('similar <https://arxiv.org/abs/2401.00001|arxiv.org/abs/2401.00001> &amp; &lt;x&gt;')).toBe(
      'similar https://arxiv.org/abs/2401.00001 & <x>',
    );
    expect(slackToPlain('follow <@U123|ada> in <#C1|general> <!here>')).toBe('follow @U123 in #general @here');
    expect(stripMention('<@UBOT> today', 'UBOT')).toBe('today');
    expect(stripMention('<@UBOT>: topics list', 'UBOT')).toBe('topics list');
  });

  it('splits at line breaks or spaces, never inside a link or an escape', () => {
    const link = '<https://arxiv.org/abs/2401.00001|a title with many words>';
    const text = `${'word '.repeat(5)}${link} tail`;
    const pieces = splitText(text, 64);
    expect(pieces.join(' ')).toBe(text);
    expect(pieces.some((p) => p.includes(link))).toBe(true);
    expect(splitText('x'.repeat(10) + '&amp;' + 'y', 12)).toEqual(['x'.repeat(10), '&amp;y']);
  });
});

describe('slackOptionsFromConfig', () => {
  it('names every missing variable for the chosen mode', () => {
    expect(() => slackOptionsFromConfig(loadConfig({}, { PAPERFEED_SLACK_MODE: 'http' }))).toThrow(/SLACK_BOT_TOKEN[\s\S]*SLACK_SIGNING_SECRET/);
    expect(() => slackOptionsFromConfig(loadConfig({}, { SLACK_BOT_TOKEN: 'xoxb-1' }))).toThrow(/SLACK_APP_TOKEN: required when PAPERFEED_SLACK_MODE=socket/);
    expect(() => loadConfig({}, { SLACK_BOT_TOKEN: 'xapp-wrong-kind' })).toThrow(/SLACK_BOT_TOKEN: expected a bot token/);
    const o = slackOptionsFromConfig(
      loadConfig({}, { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', PAPERFEED_SLACK_ADMINS: 'U1, U2', PAPERFEED_SLACK_RETRIES: '5' }),
    );
    expect(o).toMatchObject({ mode: 'socket', botToken: 'xoxb-1', appToken: 'xapp-1', admins: ['U1', 'U2'], retryConfig: { retries: 5 } });
  });
});
