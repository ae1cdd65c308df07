import { z } from 'zod';
import { UserError } from '../errors.ts';

/**
 * Who a digest is for. `platform` says where the request came from; it is not part of the key.
 *
 * Key choice: `user:<id>` / `channel:<id>`. The profile, sent-log and feedback hang off this key, so
 * "never the same paper twice" holds across Slack, Discord and the CLI whenever the caller passes the
 * same id. Slack ids (U…, C…) and Discord snowflakes never collide with each other, so a Slack user
 * and a Discord user stay distinct; to link a person's accounts (or a CLI name to a Slack user), the
 * caller maps them to one id. A caller that wants platforms kept apart passes a prefixed id
 * (e.g. `slack:U123`).
 */
export interface Recipient {
  kind: 'user' | 'channel';
  platform: (typeof RECIPIENT_PLATFORMS)[number];
  id: string;
}

export const RECIPIENT_PLATFORMS = ['slack', 'discord', 'cli'] as const;

export const recipientSchema = z.object({
  kind: z.enum(['user', 'channel']),
  platform: z.enum(RECIPIENT_PLATFORMS),
  id: z
    .string()
    .trim()
    .min(1, 'recipient id is empty')
    .max(200, 'recipient id is longer than 200 characters')
    // Control characters would make keys and logs unreadable.
    .regex(/^[^\p{Cc}]+$/u, 'recipient id contains control characters'),
});

/** Validates a recipient from outside input; a bad one is the caller's mistake. */
export function checkRecipient(r: Recipient): Recipient {
  const parsed = recipientSchema.safeParse(r);
  if (!parsed.success) {
    throw new UserError(`invalid recipient: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** The stable, platform-independent key under which everything about a recipient is stored. */
export function recipientKey(r: Recipient): string {
  return `${r.kind}:${r.id.trim()}`;
}

export function describeRecipient(r: Recipient): string {
  return r.kind === 'user' ? `user ${r.id}` : `channel ${r.id}`;
}
