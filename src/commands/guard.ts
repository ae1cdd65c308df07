// Errors never escape a command or a button (execute.ts, actions.ts): a user's mistake becomes a
// short error reply; anything else is logged and answered without internals.
import { UserError } from '../errors.ts';
import type { CommandDeps } from './deps.ts';
import { literal } from './markup.ts';
import { errorReply } from './replies.ts';
import type { Reply } from './reply.ts';

/** Turns any failure into a Reply: UserErrors as they are, others logged. */
export async function guard(app: CommandDeps, what: Record<string, unknown>, run: () => Promise<Reply> | Reply): Promise<Reply> {
  try {
    return await run();
  } catch (err) {
    // The message may quote what the user typed: shown literally, like all user text.
    if (err instanceof UserError) return errorReply(literal(err.message));
    app.log.error({ err, ...what }, 'chat command failed');
    return errorReply('Something went wrong on our side; the error was logged. Please try again later.');
  }
}
