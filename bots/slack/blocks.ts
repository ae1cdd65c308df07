/**
 * A Reply in Block Kit: a section per card with the title linked, authors and date, a context block
 * saying why, and an actions block with the four buttons. Slack's limits (50 blocks a message, 3000
 * characters a text field, 10 context elements) are met by splitting into more blocks and more
 * messages, never by cutting text off.
 */
import type { types } from '@slack/bolt';
import { ACTION_LABELS } from '../../src/commands/actions.ts';
import type { CardAction, PaperCard, Reply } from '../../src/commands/reply.ts';
import { plainText } from '../../src/commands/text.ts';
import { link, literalMrkdwn, splitText, toMrkdwn } from './mrkdwn.ts';

export type Block = types.KnownBlock;

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  textField: 3_000,
  contextElements: 10,
  buttonText: 75,
  blockId: 255,
  /** Notification text of a message with blocks (Slack truncates beyond 40k; keep it a summary). */
  fallbackText: 300,
} as const;

export interface SlackMessage {
  /** Notification / fallback text; the blocks carry the content. */
  text: string;
  blocks: Block[];
}

/** action_id of a card button: `pf:<action>`; the button's value is the paper id. */
export const ACTION_ID_PREFIX = 'pf:';
export const actionId = (a: CardAction): string => `${ACTION_ID_PREFIX}${a}`;

export function parseActionId(id: string): CardAction | undefined {
  if (!id.startsWith(ACTION_ID_PREFIX)) return undefined;
  const a = id.slice(ACTION_ID_PREFIX.length);
  return a in ACTION_LABELS ? (a as CardAction) : undefined;
}

// verbatim: Slack links and mentions only what the mrkdwn spells out (<url|label>), nothing it guesses.
const mrkdwnSections = (mrkdwn: string): Block[] =>
  splitText(mrkdwn, SLACK_LIMITS.textField).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }));

/** Context blocks holding all of `pieces` (each split to the field limit, 10 elements a block). */
function contextBlocks(pieces: string[]): Block[] {
  const elements = pieces.flatMap((p) => splitText(p, SLACK_LIMITS.textField)).map((text) => ({ type: 'mrkdwn' as const, text, verbatim: true }));
  const out: Block[] = [];
  for (let i = 0; i < elements.length; i += SLACK_LIMITS.contextElements) {
    out.push({ type: 'context', elements: elements.slice(i, i + SLACK_LIMITS.contextElements) });
  }
  return out;
}

export function buttonsBlock(card: Pick<PaperCard, 'paperId' | 'actions'>, chosen?: CardAction, suffix = ''): Block {
  return {
    type: 'actions',
    block_id: `pf:${card.paperId}${suffix}`.slice(0, SLACK_LIMITS.blockId),
    elements: card.actions.map((a) => ({
      type: 'button' as const,
      action_id: actionId(a),
      value: card.paperId,
      text: { type: 'plain_text' as const, text: `${ACTION_LABELS[a].emoji} ${ACTION_LABELS[a].label}`, emoji: true },
      ...(a === chosen ? { style: 'primary' as const } : {}),
    })),
  };
}

/** The blocks of one paper card, kept together in one message. */
export function cardBlocks(card: PaperCard): Block[] {
  const meta = [card.authors, card.date].filter(Boolean).map((s) => literalMrkdwn(s!)).join(' · ');
  const head = `*${link(card.url, card.title)}*${meta ? `\n${meta}` : ''}`;
  const why = [
    ...(card.tldr ? [`_tl;dr:_ ${literalMrkdwn(card.tldr)}`] : []),
    ...(card.why.length ? [`*Why:* ${literalMrkdwn(card.why.join(' · '))}`] : []),
  ];
  return [...mrkdwnSections(head), ...contextBlocks(why), ...(card.actions.length ? [buttonsBlock(card)] : [])];
}

/** The notification text: Slack reads it as mrkdwn (mentions included), so it is literal too. */
function fallbackOf(reply: Reply): string {
  const first = plainText(reply.text).split('\n').find((l) => l.trim()) ?? '';
  const base = first || (reply.cards[0]?.title ?? 'paperfeed');
  return literalMrkdwn(base.length > SLACK_LIMITS.fallbackText ? `${base.slice(0, SLACK_LIMITS.fallbackText - 1)}…` : base);
}

/**
 * A Reply as one or more Slack messages: text sections first, then the cards, each message at most
 * 50 blocks, a card never split across two messages.
 */
export function replyMessages(reply: Reply): SlackMessage[] {
  // Each card keeps room for the note a feedback click adds, so an update never breaks the limit.
  const units: { blocks: Block[]; room: number }[] = [];
  if (reply.text.trim()) for (const b of mrkdwnSections(toMrkdwn(reply.text))) units.push({ blocks: [b], room: 0 });
  reply.cards.forEach((card, i) => {
    const blocks = cardBlocks(card);
    units.push({ blocks: i > 0 ? [{ type: 'divider' }, ...blocks] : blocks, room: card.actions.length ? 1 : 0 });
  });
  const text = fallbackOf(reply);
  const messages: SlackMessage[] = [];
  let current: Block[] = [];
  let used = 0;
  for (const unit of units) {
    const size = unit.blocks.length + unit.room;
    if (used + size > SLACK_LIMITS.blocksPerMessage && current.length) {
      messages.push({ text, blocks: current });
      current = [];
      used = 0;
    }
    // A divider opening a new message is noise.
    const blocks = current.length === 0 && unit.blocks[0]?.type === 'divider' ? unit.blocks.slice(1) : unit.blocks;
    current.push(...blocks);
    used += blocks.length + unit.room;
  }
  if (current.length || messages.length === 0) messages.push({ text, blocks: current });
  return messages;
}

const FEEDBACK_NOTE: Record<Exclude<CardAction, 'more-like-this'>, string> = {
  up: '👍 Noted: more papers like this one.',
  down: '👎 Noted: fewer papers like this one.',
  'not-interested': '🙅 Noted: this paper will not come back.',
  save: '🔖 Saved to your reading list (`saved` lists it).',
};

/**
 * The message after a feedback click, for an in-place update: the clicked button is highlighted
 * and a note under it says what was recorded. Blocks get new ids, as Slack asks of updates.
 * Returns undefined when the card is not in the message.
 */
export function markFeedback(blocks: readonly Block[], paperId: string, action: Exclude<CardAction, 'more-like-this'>): Block[] | undefined {
  const isCardButtons = (b: Block): boolean =>
    b.type === 'actions' && b.elements.some((e) => e.type === 'button' && e.value === paperId && typeof e.action_id === 'string' && e.action_id.startsWith(ACTION_ID_PREFIX));
  const i = blocks.findIndex(isCardButtons);
  if (i < 0) return undefined;
  const original = blocks[i] as types.ActionsBlock;
  const actions = original.elements
    .map((e) => (e.type === 'button' && typeof e.action_id === 'string' ? parseActionId(e.action_id) : undefined))
    .filter((a): a is CardAction => a !== undefined);
  const stamp = `:${action}`;
  const note: Block = {
    type: 'context',
    block_id: `pf:note:${paperId}${stamp}`.slice(0, SLACK_LIMITS.blockId),
    elements: [{ type: 'mrkdwn', text: FEEDBACK_NOTE[action] }],
  };
  const next = blocks[i + 1];
  const hadNote = next?.type === 'context' && typeof next.block_id === 'string' && next.block_id.startsWith(`pf:note:${paperId}`);
  return [...blocks.slice(0, i), buttonsBlock({ paperId, actions }, action, stamp), note, ...blocks.slice(i + (hadNote ? 2 : 1))];
}
