/**
 * A Reply as Discord messages: the text as content, one embed per paper card (title linked,
 * authors, date, why-picked fields) and one button row per card. Discord's limits (2,000
 * characters of content, 10 embeds and 6,000 embed characters a message, 5 action rows, 4,096 a
 * description, 1,024 a field, 256 a title) are met by splitting into more fields, embeds and
 * messages, never by cutting text off.
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import { ACTION_LABELS, type CardAction, type PaperCard, type Reply } from '../../src/commands/index.ts';
import { customId } from './custom-id.ts';
import { literal, maskedLink, safeUrl, splitText } from './text.ts';

export const DISCORD_LIMITS = {
  content: 2_000,
  embedsPerMessage: 10,
  embedCharsPerMessage: 6_000,
  title: 256,
  description: 4_096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1_024,
  footer: 2_048,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
} as const;

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** One message, in Discord's API shape (allowed_mentions is added when it is sent). */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
}

/** arXiv red: the cards read as papers at a glance. */
export const CARD_COLOR = 0xb31b1b;

/** Button look before any click: "more like this" stands out, feedback stays quiet. */
export const BASE_STYLE: Record<CardAction, ButtonStyle.Primary | ButtonStyle.Secondary> = {
  'more-like-this': ButtonStyle.Primary,
  up: ButtonStyle.Secondary,
  down: ButtonStyle.Secondary,
  'not-interested': ButtonStyle.Secondary,
  save: ButtonStyle.Secondary,
};

/** Characters Discord counts towards the 6,000 of a message's embeds. */
export function embedChars(e: APIEmbed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

export function buttonLabel(action: CardAction, n: number): string {
  const { label } = ACTION_LABELS[action];
  // Numbers tie a row to its card (the embeds stack above all rows); thumbs need no words.
  if (action === 'more-like-this') return `#${n} ${label}`;
  if (action === 'up' || action === 'down') return '';
  return label;
}

/** The card's button row, or undefined when it has no actions (or its id cannot fit a custom_id). */
export function cardRow(card: Pick<PaperCard, 'paperId' | 'actions'>, n: number): ButtonRow | undefined {
  const buttons: APIButtonComponentWithCustomId[] = [];
  for (const action of card.actions.slice(0, DISCORD_LIMITS.buttonsPerRow)) {
    const id = customId(action, card.paperId);
    if (!id) return undefined;
    const label = buttonLabel(action, n);
    buttons.push({
      type: ComponentType.Button,
      style: BASE_STYLE[action],
      custom_id: id,
      emoji: { name: ACTION_LABELS[action].emoji },
      ...(label ? { label } : {}),
    });
  }
  return buttons.length ? { type: ComponentType.ActionRow, components: buttons } : undefined;
}

interface LogicalEmbed {
  title?: string;
  url?: string;
  description: string;
  fields: APIEmbedField[];
  footer: string;
}

/** The whole card as one logical embed, before limits. */
function logicalCard(card: PaperCard, n: number): LogicalEmbed {
  const url = safeUrl(card.url);
  const title = literal(card.title);
  const shortTitle = title.length <= DISCORD_LIMITS.title;
  const description: string[] = [];
  // A title too long for the title slot goes, whole and linked, into the description.
  if (!shortTitle) description.push(`**${maskedLink(card.title, card.url)}**`);
  if (card.tldr) description.push(`_tl;dr:_ ${literal(card.tldr)}`);
  const fields: APIEmbedField[] = [];
  if (card.authors) fields.push({ name: 'Authors', value: literal(card.authors), inline: true });
  if (card.date) fields.push({ name: 'Published', value: card.date, inline: true });
  if (card.why.length) fields.push({ name: 'Why', value: card.why.map((w) => `• ${literal(w)}`).join('\n') });
  return {
    ...(shortTitle ? { title } : {}),
    ...(shortTitle && url ? { url } : {}),
    description: description.join('\n\n'),
    fields,
    footer: `#${n} · ${card.paperId}`,
  };
}

/** A logical embed as embeds within every per-embed limit; continuations repeat the card number. */
export function fitEmbeds(l: LogicalEmbed): APIEmbed[] {
  const fields = l.fields.flatMap((f) =>
    splitText(f.value, DISCORD_LIMITS.fieldValue).map((value, i) => ({
      name: i === 0 ? f.name : `${f.name} (continued)`,
      value,
      ...(f.inline && i === 0 ? { inline: true } : {}),
    })),
  );
  const descriptions = l.description ? splitText(l.description, DISCORD_LIMITS.description) : [];
  const embeds: APIEmbed[] = [];
  const fresh = (): APIEmbed =>
    embeds.length === 0
      ? { color: CARD_COLOR, ...(l.title ? { title: l.title } : {}), ...(l.url ? { url: l.url } : {}), footer: { text: l.footer } }
      : { color: CARD_COLOR, footer: { text: `${l.footer} (continued)` } };
  let current = fresh();
  const flush = () => {
    embeds.push(current);
    current = fresh();
  };
  for (const d of descriptions) {
    if (current.description !== undefined) flush();
    current.description = d;
  }
  for (const f of fields) {
    const full = (current.fields?.length ?? 0) >= DISCORD_LIMITS.fields;
    if (full || embedChars(current) + f.name.length + f.value.length > DISCORD_LIMITS.embedCharsPerMessage) flush();
    (current.fields ??= []).push(f);
  }
  embeds.push(current);
  return embeds;
}

export function cardEmbeds(card: PaperCard, n: number): APIEmbed[] {
  return fitEmbeds(logicalCard(card, n));
}

const totalChars = (m: DiscordMessage): number => m.embeds.reduce((n, e) => n + embedChars(e), 0);

function fits(m: DiscordMessage, embeds: readonly APIEmbed[], rows: number): boolean {
  return (
    m.embeds.length + embeds.length <= DISCORD_LIMITS.embedsPerMessage &&
    totalChars(m) + embeds.reduce((n, e) => n + embedChars(e), 0) <= DISCORD_LIMITS.embedCharsPerMessage &&
    m.components.length + rows <= DISCORD_LIMITS.actionRows
  );
}

/**
 * A Reply as one or more messages: the text first (split at 2,000 characters), then the cards,
 * each card's embeds and buttons kept in one message whenever they fit in one.
 */
export function renderReply(reply: Reply): DiscordMessage[] {
  const pieces = reply.text.trim() ? splitText(reply.text.trim(), DISCORD_LIMITS.content) : [];
  const messages: DiscordMessage[] = pieces.slice(0, -1).map((content) => ({ content, embeds: [], components: [] }));
  const last = pieces.at(-1);
  let current: DiscordMessage = { ...(last ? { content: last } : {}), embeds: [], components: [] };
  const isEmpty = (m: DiscordMessage) => !m.content && m.embeds.length === 0;
  const flush = () => {
    messages.push(current);
    current = { embeds: [], components: [] };
  };
  reply.cards.forEach((card, i) => {
    const embeds = cardEmbeds(card, i + 1);
    const row = cardRow(card, i + 1);
    if (current.embeds.length && !fits(current, embeds, row ? 1 : 0)) flush();
    embeds.forEach((e, j) => {
      const withRow = row && j === embeds.length - 1 ? 1 : 0;
      if (current.embeds.length && !fits(current, [e], withRow)) flush();
      current.embeds.push(e);
      if (withRow) current.components.push(row!);
    });
  });
  if (!isEmpty(current) || messages.length === 0) {
    if (isEmpty(current)) current.content = '(nothing to show)';
    messages.push(current);
  }
  return messages;
}
