/**
 * Delivering a digest on a chat platform. Every platform does it the same way: a user's digest in
 * their DM only (their picks never reach a channel), a channel's into the channel; a destination
 * gone for good answers 'dead' (the digest is turned off), any other failure throws (retried).
 * A platform implements DigestPoster; digestSender adds that policy once.
 */
import type { Reply } from '../commands/reply.ts';
import type { Recipient } from '../recommend/index.ts';

/** Delivers one digest. 'dead': the destination is gone for good. Throwing: try again later. */
export type DigestSender = (recipient: Recipient, reply: Reply) => Promise<'sent' | 'dead'>;

/** What a platform provides to post digests. */
export interface DigestPoster {
  /** The DM conversation with a user. */
  openDm(userId: string): Promise<string>;
  /** Posts a reply into a conversation, as many messages as it takes. */
  post(conversation: string, reply: Reply): Promise<void>;
  /** Whether a failure means the destination is gone for good (bot removed, channel deleted, DMs closed). */
  isGone(err: unknown): boolean;
  /** Forgets what is remembered about a user's DM once it is gone. */
  forgetDm?(userId: string): void;
}

export function digestSender(poster: DigestPoster): DigestSender {
  return async (recipient, reply) => {
    try {
      const conversation = recipient.kind === 'user' ? await poster.openDm(recipient.id) : recipient.id;
      await poster.post(conversation, reply);
      return 'sent';
    } catch (err) {
      if (!poster.isGone(err)) throw err;
      if (recipient.kind === 'user') poster.forgetDm?.(recipient.id);
      return 'dead';
    }
  };
}
