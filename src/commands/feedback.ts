// `up`, `down`, `not for me`: reactions to a paper, typed or clicked (card buttons).
import { formatFeedback, recordFeedback, type FeedbackKind } from '../recommend/index.ts';
import type { App } from '../service/app.ts';
import { clockOf, userRecipient, type CommandContext } from './context.ts';
import { literal } from './markup.ts';
import { okReply } from './replies.ts';
import type { Reply } from './reply.ts';

/** Records the reaction on the user's own profile (never a channel's) and says what changed. */
export async function react(app: App, ctx: CommandContext, paper: string, kind: FeedbackKind): Promise<Reply> {
  const f = await recordFeedback(app, userRecipient(ctx), paper, kind, { now: clockOf(ctx) });
  return okReply(literal(formatFeedback(f)), 'private');
}
