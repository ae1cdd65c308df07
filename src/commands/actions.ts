// Card buttons: "more like this", thumbs up, thumbs down, "not for me", save to the reading list.
import { z } from 'zod';
import type { CommandDeps } from './deps.ts';
import type { CommandContext } from './context.ts';
import { guard } from './guard.ts';
import { react } from './definitions/feedback.ts';
import { save } from './definitions/saved.ts';
import { similar } from './definitions/find.ts';
import { errorReply } from './replies.ts';
import { CARD_ACTIONS, type CardAction, type Reply } from './reply.ts';

export interface ActionRequest {
  action: CardAction;
  paperId: string;
}

/** Button payloads come back from the platform: checked like any outside input. */
export const actionRequestSchema = z.object({
  action: z.enum(CARD_ACTIONS),
  paperId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\p{Cc}\s]+$/u),
});

/**
 * Runs a card button for the user who clicked it. Feedback always goes to the clicking user's own
 * profile, even on a channel digest: one member's taste never changes the channel's feed.
 * "More like this" replies privately (Slack: ephemeral) so a click never posts into a channel.
 */
export async function runAction(app: CommandDeps, ctx: CommandContext, request: ActionRequest): Promise<Reply> {
  const parsed = actionRequestSchema.safeParse(request);
  if (!parsed.success) return errorReply('That button no longer works; run the command again.');
  const { action, paperId } = parsed.data;
  return guard(app, { action, paperId, platform: ctx.platform, user: ctx.userId }, async () => {
    if (action === 'more-like-this') return similar(app, paperId, 'private');
    if (action === 'save') return save(app, ctx, paperId);
    return react(app, ctx, paperId, action);
  });
}

/** The words a platform shows on each button. */
export const ACTION_LABELS: Record<CardAction, { label: string; emoji: string }> = {
  'more-like-this': { label: 'More like this', emoji: '🔎' },
  up: { label: 'Thumbs up', emoji: '👍' },
  down: { label: 'Thumbs down', emoji: '👎' },
  'not-interested': { label: 'Not for me', emoji: '🙅' },
  save: { label: 'Save', emoji: '🔖' },
};
