// Small builders so every command family shapes its Reply the same way.
import { authorsLine } from '../papers/authors.ts';
import { paperLink } from '../papers/links.ts';
import type { Paper } from '../papers/paper.ts';
import type { PickedPaper } from '../recommend/index.ts';
import type { ScoredPaper } from '../search/search-types.ts';
import { literal } from './markup.ts';
import { CARD_ACTIONS, type PaperCard, type Reply } from './reply.ts';

type Visibility = Reply['visibility'];

export const okReply = (text: string, visibility: Visibility = 'private', cards: PaperCard[] = []): Reply => ({
  kind: 'ok',
  text,
  cards,
  visibility,
});

export const noticeReply = (text: string, visibility: Visibility = 'private'): Reply => ({
  kind: 'notice',
  text,
  cards: [],
  visibility,
});

export const errorReply = (text: string): Reply => ({ kind: 'error', text, cards: [], visibility: 'private' });

export const usageReply = (text: string): Reply => ({ kind: 'usage', text, cards: [], visibility: 'private' });


/** A card for any stored paper; `why` says why it is shown. */
export function cardFromPaper(paper: Paper, why: string[], score?: number): PaperCard {
  return {
    paperId: paper.id,
    title: paper.title,
    url: paperLink(paper),
    authors: authorsLine(paper),
    // An undated paper shows no date: the day it was ingested is not when it was published.
    ...(paper.published ? { date: paper.published } : {}),
    why,
    ...(score !== undefined ? { score } : {}),
    actions: [...CARD_ACTIONS],
  };
}

export const cardFromPick = (p: PickedPaper): PaperCard => cardFromPaper(p.paper, p.reasons.map((r) => r.text), p.score);

/** A search or similarity hit; `why` says what it matched. The card shows the score the hits are ordered by. */
export function cardFromScored(r: ScoredPaper, why: string): PaperCard {
  return cardFromPaper(r.paper, [why], r.score);
}

/** Quotes user or paper text inside a reply: literal (its markup shown, never applied), one line, short. */
export function quote(s: string, max = 80): string {
  const flat = s.replace(/\s+/g, ' ');
  return `'${literal(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat)}'`;
}
