/**
 * The platform-neutral result of a chat command. Adapters (bots/slack, bots/discord, the CLI)
 * only translate it: Block Kit, embeds, or plain text.
 */

/** Buttons on a paper card. */
export const CARD_ACTIONS = ['more-like-this', 'up', 'down', 'not-interested', 'save'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

export interface PaperCard {
  paperId: string;
  title: string;
  /** Abstract page (or the best link known). */
  url: string;
  /** Authors, already trimmed ("A, B, C +4 more"); empty when unknown. */
  authors: string;
  /** Published date, YYYY-MM-DD, when known. */
  date?: string;
  /** Why this paper is here, in words ("matches your topic 'X' (0.71)"). */
  why: string[];
  /** One-sentence summary when a language model is configured (issue 8). */
  tldr?: string;
  score?: number;
  actions: CardAction[];
}

export interface Reply {
  /** Markdown-lite text: **bold**, _italic_, `code`, and [label](url) links; adapters convert. */
  text: string;
  cards: PaperCard[];
  /** private: only the requester may see it (ephemeral/DM); channel: everyone in the channel. */
  visibility: 'private' | 'channel';
  /** usage/error replies are short and name the right form. */
  kind: 'ok' | 'notice' | 'usage' | 'error';
}
