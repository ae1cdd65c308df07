/**
 * A card button's custom_id carries the action and the paper: `pf|up|2401.01234` (at most 100
 * characters, Discord's limit). '|' never occurs in paper ids (arXiv ids, `t-<hex>` title ids).
 */
import { CARD_ACTIONS, type ActionRequest, type CardAction } from '../../src/commands/index.ts';

export const CUSTOM_ID_MAX = 100;
const PREFIX = 'pf';

/** The custom_id of a card button, or undefined when the paper id makes it too long. */
export function customId(action: CardAction, paperId: string): string | undefined {
  const id = `${PREFIX}|${action}|${paperId}`;
  return id.length <= CUSTOM_ID_MAX && !paperId.includes('|') ? id : undefined;
}

/** The action and paper of one of our buttons; undefined for anything else. */
export function parseCustomId(id: string): ActionRequest | undefined {
  const parts = id.split('|');
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  const [, action, paperId] = parts as [string, string, string];
  if (!(CARD_ACTIONS as readonly string[]).includes(action) || !paperId) return undefined;
  return { action: action as CardAction, paperId };
}
