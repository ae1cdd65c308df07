/**
 * After a feedback click on a personal message (a DM or an ephemeral reply), the message is
 * updated in place: the chosen button lights up (green for 👍, red for 👎 and "not for me") and
 * carries a check mark; the card's other feedback buttons go back to grey, so a change of mind shows.
 * 🔖 Save lights up green on its own, whatever the reaction.
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIMessageTopLevelComponent } from 'discord.js';
import type { CardAction } from '../../src/commands/index.ts';
import { parseCustomId } from './custom-id.ts';
import { BASE_STYLE } from './render.ts';

const CHOSEN_STYLE: Record<Exclude<CardAction, 'more-like-this'>, ButtonStyle> = {
  up: ButtonStyle.Success,
  down: ButtonStyle.Danger,
  'not-interested': ButtonStyle.Danger,
  save: ButtonStyle.Success,
};
const MARK = ' ✓';

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

const isRow = (c: APIMessageTopLevelComponent): c is Row => c.type === ComponentType.ActionRow;

/**
 * The message's components with the card of `paperId` marked for `action`; undefined when the
 * card's buttons are not in the message. Components that are not ours pass through unchanged.
 */
export function markFeedback(
  components: readonly APIMessageTopLevelComponent[],
  paperId: string,
  action: Exclude<CardAction, 'more-like-this'>,
): APIMessageTopLevelComponent[] | undefined {
  let found = false;
  const out = components.map((c) => {
    if (!isRow(c)) return c;
    const ours = c.components.some((b) => b.type === ComponentType.Button && 'custom_id' in b && parseCustomId(b.custom_id)?.paperId === paperId);
    if (!ours) return c;
    found = true;
    return {
      ...c,
      components: c.components.map((b) => {
        if (b.type !== ComponentType.Button || !('custom_id' in b)) return b;
        const req = parseCustomId(b.custom_id);
        if (!req || req.action === 'more-like-this') return b;
        // Saving and reacting are independent: a save keeps the 👍 lit, a 👍 keeps the save.
        if ((req.action === 'save') !== (action === 'save')) return b;
        const chosen = req.action === action;
        const base = (b.label ?? '').replace(/\s*✓$/u, '');
        const label = chosen ? `${base}${MARK}`.trim() : base;
        const { label: _old, ...rest } = b;
        return { ...rest, style: chosen ? CHOSEN_STYLE[action] : BASE_STYLE[req.action], ...(label ? { label } : {}) } as typeof b;
      }),
    };
  });
  return found ? out : undefined;
}
