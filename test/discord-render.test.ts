// The Discord adapter's pure parts: the registered command, rendering within Discord's limits, button ids and marks, permissions.
import { ButtonStyle, ComponentType, type APIApplicationCommandOption, type APIMessageTopLevelComponent } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { MAX_CHOICES as autocompleteChoicesLimit, zoneChoices } from '../bots/discord/autocomplete.ts';
import { SUBCOMMANDS } from '../bots/discord/command-spec.ts';
import { customId, parseCustomId } from '../bots/discord/custom-id.ts';
import { papersCommand } from '../bots/discord/definition.ts';
import { markFeedback } from '../bots/discord/feedback-marks.ts';
import { BOT_PERMISSION_BITS, canConfigureChannel, inviteUrl } from '../bots/discord/permissions.ts';
import { cardRow, DISCORD_LIMITS, embedChars, renderReply, type DiscordMessage } from '../bots/discord/render.ts';
import { CARD_ACTIONS, COMMAND_LIMITS, type PaperCard, type Reply } from '../src/commands/index.ts';

const words = (n: number, seed = 'word'): string => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(' ');

function card(i: number, over: Partial<PaperCard> = {}): PaperCard {
  return {
    paperId: `2401.${String(10000 + i)}`,
    title: `Paper number ${i} on diffusion`,
    url: `https://arxiv.org/abs/2401.${String(10000 + i)}`,
    authors: 'Ada Lovelace, Alan Turing +3 more',
    date: '2024-01-19',
    why: [`matches your topic 'diffusion' (0.7${i % 10})`],
    actions: [...CARD_ACTIONS],
    ...over,
  };
}

const reply = (text: string, cards: PaperCard[] = [], visibility: Reply['visibility'] = 'private'): Reply => ({ kind: 'ok', text, cards, visibility });

/** Every piece of text a message set shows, for "nothing was dropped" checks. */
function allText(ms: DiscordMessage[]): string {
  return ms
    .flatMap((m) => [m.content ?? '', ...m.embeds.flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => f.value)])])
    .join(' ');
}
const squash = (s: string) => s.replace(/[\s\\•]+/g, '');

function expectWithinLimits(ms: DiscordMessage[]): void {
  for (const m of ms) {
    expect(m.content?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(m.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
    expect(m.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.actionRows);
    expect(m.embeds.reduce((n, e) => n + embedChars(e), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedCharsPerMessage);
    expect(Boolean(m.content) || m.embeds.length > 0).toBe(true);
    for (const e of m.embeds) {
      expect(e.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(e.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
      for (const f of e.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
    for (const row of m.components) {
      expect(row.components.length).toBeLessThanOrEqual(DISCORD_LIMITS.buttonsPerRow);
      for (const b of row.components) expect(b.custom_id.length).toBeLessThanOrEqual(100);
    }
  }
}

describe('the /papers command definition', () => {
  const cmd = papersCommand();
  const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

  function walk(options: APIApplicationCommandOption[] | undefined, visit: (o: APIApplicationCommandOption) => void): void {
    for (const o of options ?? []) {
      visit(o);
      if ('options' in o) walk(o.options as APIApplicationCommandOption[] | undefined, visit);
    }
  }

  it("meets Discord's limits on names, descriptions, option counts and total size", () => {
    expect(cmd.name).toBe('papers');
    expect(cmd.options!.length).toBeLessThanOrEqual(25);
    let chars = cmd.name.length + cmd.description.length;
    walk(cmd.options, (o) => {
      expect(o.name).toMatch(NAME);
      expect(o.description.length).toBeGreaterThan(0);
      expect(o.description.length).toBeLessThanOrEqual(100);
      chars += o.name.length + o.description.length;
      if ('options' in o && o.options) expect(o.options.length).toBeLessThanOrEqual(25);
      if ('choices' in o && o.choices) {
        expect(o.choices.length).toBeLessThanOrEqual(25);
        for (const c of o.choices) chars += c.name.length + String(c.value).length;
      }
    });
    expect(chars).toBeLessThanOrEqual(8_000);
  });

  it('has every family the issue names, with typed and bounded options', () => {
    const top = new Map(cmd.options!.map((o) => [o.name, o]));
    for (const n of ['today', 'similar', 'search', 'ask', 'topics', 'keywords', 'follow', 'unfollow', 'mute', 'seed', 'digest', 'profile', 'forget-me', 'channel', 'help']) expect(top.has(n), n).toBe(true);
    const sub = (group: string, name: string) => (top.get(group) as { options: APIApplicationCommandOption[] }).options.find((o) => o.name === name) as { options?: Record<string, unknown>[] };
    const opt = (path: [string, string] | [string], name: string) =>
      (path.length === 2 ? sub(path[0], path[1]).options : (top.get(path[0]) as { options?: Record<string, unknown>[] }).options)!.find((o) => o.name === name)!;
    expect(opt(['similar'], 'query')).toMatchObject({ type: 3, required: true, max_length: 500 });
    expect(opt(['ask'], 'question')).toMatchObject({ type: 3, required: true, max_length: COMMAND_LIMITS.question });
    expect(opt(['mute'], 'days')).toMatchObject({ type: 4, min_value: 1, max_value: 3650, required: false });
    expect(opt(['mute'], 'kind')).toMatchObject({ type: 3, choices: [{ value: 'author' }, { value: 'keyword' }, { value: 'topic' }] });
    expect(opt(['topics', 'remove'], 'topic')).toMatchObject({ type: 3, autocomplete: true });
    expect(opt(['topics', 'add'], 'weight')).toMatchObject({ type: 10, min_value: 0.1, max_value: 5 });
    expect(opt(['digest', 'timezone'], 'zone')).toMatchObject({ autocomplete: true, max_length: 64 });
    expect(opt(['channel', 'digest-time'], 'time')).toMatchObject({ type: 3, max_length: 5 });
    expect(opt(['channel', 'topics-remove'], 'topic')).toMatchObject({ autocomplete: true });
    expect(cmd.contexts).toEqual([0, 1]);
    expect(papersCommand({ forGuild: true })).not.toHaveProperty('contexts');
  });

  it('registers exactly the subcommands the handler knows', () => {
    const registered: string[] = [];
    for (const o of cmd.options!) {
      if (o.type === 2) for (const s of o.options ?? []) registered.push(`${o.name} ${s.name}`);
      else registered.push(o.name);
    }
    expect(registered.sort()).toEqual(SUBCOMMANDS.map((s) => (s.group ? `${s.group} ${s.name}` : s.name)).sort());
  });
});

describe('renderReply', () => {
  it('splits long text into 2,000-character messages without losing a word', () => {
    const text = words(900);
    const ms = renderReply(reply(text));
    expect(ms.length).toBeGreaterThan(3);
    expectWithinLimits(ms);
    expect(ms.map((m) => m.content).join(' ')).toBe(text);
  });

  it('puts one card per embed and its buttons in the same message, 5 cards a message at most', () => {
    const cards = Array.from({ length: 12 }, (_, i) => card(i));
    const ms = renderReply(reply('**Your picks**: 12 papers', cards));
    expectWithinLimits(ms);
    expect(ms.flatMap((m) => m.embeds)).toHaveLength(12);
    expect(ms.map((m) => m.embeds.length)).toEqual([5, 5, 2]);
    expect(ms[0]!.content).toBe('**Your picks**: 12 papers');
    for (const m of ms) {
      m.embeds.forEach((e, i) => {
        const n = Number(/^#(\d+)/.exec(e.footer!.text)![1]);
        // The row of card n is in the same message, at the same position.
        expect(parseCustomId(m.components[i]!.components[0]!.custom_id)?.paperId).toBe(cards[n - 1]!.paperId);
        expect(e.title).toBe(cards[n - 1]!.title);
        expect(e.url).toBe(cards[n - 1]!.url);
      });
    }
  });

  it('moves a title over 256 characters, whole and linked, into the description', () => {
    const title = words(120, 'longtitle');
    expect(title.length).toBeGreaterThan(256);
    const [m] = renderReply(reply('x', [card(1, { title })]));
    const e = m!.embeds[0]!;
    expect(e.title).toBeUndefined();
    expect(e.description).toContain(`](https://arxiv.org/abs/2401.10001)`);
    expect(squash(e.description!)).toContain(squash(title));
  });

  it('splits oversized fields and descriptions into continued fields and embeds, never cutting text', () => {
    const why = Array.from({ length: 40 }, (_, i) => `reason ${i}: ${words(25, `r${i}x`)}`);
    const tldr = words(1200, 't');
    const big = card(1, { why, tldr, title: words(150, 'tt') });
    const ms = renderReply(reply('intro', [big, card(2)]));
    expectWithinLimits(ms);
    const embeds = ms.flatMap((m) => m.embeds);
    expect(embeds.length).toBeGreaterThan(3);
    expect(embeds.some((e) => e.fields?.some((f) => f.name === 'Why (continued)'))).toBe(true);
    expect(embeds.some((e) => e.footer?.text === '#1 · 2401.10001 (continued)')).toBe(true);
    const shown = squash(allText(ms));
    for (const w of why) expect(shown).toContain(squash(w));
    expect(shown).toContain(squash(tldr));
    // The second card still has its own embed and buttons.
    expect(ms.flatMap((m) => m.components).map((r) => parseCustomId(r.components[0]!.custom_id)!.paperId)).toEqual(['2401.10001', '2401.10002']);
  });

  it('keeps mentions and markdown in paper data literal', () => {
    const [m] = renderReply(reply('x', [card(1, { authors: '*Bold* _Person_', why: ['`code` @everyone'] })]));
    const fields = m!.embeds[0]!.fields!;
    expect(fields.find((f) => f.name === 'Authors')!.value).toBe('\\*Bold\\* \\_Person\\_');
    expect(fields.find((f) => f.name === 'Why')!.value).toBe('• \\`code\\` \\@everyone');
  });
});

describe('card buttons', () => {
  it('carry action and paper id in a custom_id of at most 100 characters', () => {
    for (const a of CARD_ACTIONS) {
      const id = customId(a, 'hep-th/9901001')!;
      expect(id.length).toBeLessThanOrEqual(100);
      expect(parseCustomId(id)).toEqual({ action: a, paperId: 'hep-th/9901001' });
    }
    expect(customId('up', 'x'.repeat(120))).toBeUndefined();
    expect(cardRow({ paperId: 'x'.repeat(120), actions: ['up'] }, 1)).toBeUndefined();
    for (const bad of ['', 'pf', 'pf|up', 'pf|zap|2401.1', 'xx|up|2401.1', 'pf|up|a|b']) expect(parseCustomId(bad), bad).toBeUndefined();
  });

  it('mark the chosen feedback and reset a change of mind, leaving other rows alone', () => {
    const rows = [cardRow(card(1), 1)!, cardRow(card(2), 2)!] as APIMessageTopLevelComponent[];
    const up = markFeedback(rows, '2401.10001', 'up')!;
    const styles = (cs: APIMessageTopLevelComponent[], i: number) => (cs[i] as { components: { style: number; label?: string }[] }).components;
    expect(styles(up, 0).map((b) => b.style)).toEqual([ButtonStyle.Primary, ButtonStyle.Success, ButtonStyle.Secondary, ButtonStyle.Secondary, ButtonStyle.Secondary]);
    expect(styles(up, 0)[1]!.label).toBe('✓');
    expect(up[1]).toEqual(rows[1]);
    const down = markFeedback(up, '2401.10001', 'not-interested')!;
    expect(styles(down, 0).map((b) => b.style)).toEqual([ButtonStyle.Primary, ButtonStyle.Secondary, ButtonStyle.Secondary, ButtonStyle.Danger, ButtonStyle.Secondary]);
    expect(styles(down, 0)[1]!.label).toBeUndefined();
    expect(styles(down, 0)[3]!.label).toBe('Not for me ✓');
    // 🔖 Save lights up on its own: the reaction stays marked, and a later reaction keeps the save.
    const saved = markFeedback(down, '2401.10001', 'save')!;
    expect(styles(saved, 0).map((b) => b.style)).toEqual([ButtonStyle.Primary, ButtonStyle.Secondary, ButtonStyle.Secondary, ButtonStyle.Danger, ButtonStyle.Success]);
    expect(styles(saved, 0)[4]!.label).toBe('Save ✓');
    const again = markFeedback(saved, '2401.10001', 'up')!;
    expect(styles(again, 0).map((b) => b.style)).toEqual([ButtonStyle.Primary, ButtonStyle.Success, ButtonStyle.Secondary, ButtonStyle.Secondary, ButtonStyle.Success]);
    expect(markFeedback(rows, '2401.99999', 'up')).toBeUndefined();
    expect(markFeedback([{ type: ComponentType.TextDisplay, content: 'hi' } as APIMessageTopLevelComponent], '2401.10001', 'up')).toBeUndefined();
  });
});

describe('permissions and the invite URL', () => {
  it('lets Manage Server, Manage Channels and Administrator configure a channel, nobody else', () => {
    const member = (1n << 10n) | (1n << 11n) | (1n << 31n);
    expect(canConfigureChannel(String(member))).toBe(false);
    expect(canConfigureChannel(String(member | (1n << 4n)))).toBe(true);
    expect(canConfigureChannel(String(member | (1n << 5n)))).toBe(true);
    expect(canConfigureChannel(String(1n << 3n))).toBe(true);
    for (const bad of [undefined, null, '', 'abc', '-32', '1e9']) expect(canConfigureChannel(bad)).toBe(false);
  });

  it('asks for View Channel, Send Messages and Embed Links with the bot and applications.commands scopes', () => {
    expect(BOT_PERMISSION_BITS).toBe((1n << 10n) | (1n << 11n) | (1n << 14n));
    const url = new URL(inviteUrl('1200000000000000001'));
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe('1200000000000000001');
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    expect(url.searchParams.get('permissions')).toBe('19456');
  });
});

describe('time zone autocomplete', () => {
  it('finds zones by city, city matches first, at most 25', () => {
    expect(zoneChoices('berlin')[0]).toEqual({ name: 'Europe/Berlin', value: 'Europe/Berlin' });
    expect(zoneChoices('new york')[0]!.value).toBe('America/New_York');
    expect(zoneChoices('').length).toBe(autocompleteChoicesLimit);
    expect(zoneChoices('america').length).toBe(autocompleteChoicesLimit);
    expect(zoneChoices('no-such-place')).toEqual([]);
  });
});
