// `history [days]`: what a recipient was sent, per day, with the reactions given to it.
import type { RecommendDeps } from '../deps.ts';
import { latestFeedback, type FeedbackKind } from '../profile.ts';
import { loadProfile } from '../profile-store.ts';
import { papersByRecordedId } from '../recorded-papers.ts';
import { checkRecipient, type Recipient } from '../recipient.ts';
import { loadSentLog } from '../sent-log.ts';
import { clock, type OpOptions } from './shared.ts';

export interface HistoryPaper {
  paperId: string;
  /** The stored title; the id when the paper is no longer stored. */
  title: string;
  /** When it was delivered (ISO). */
  at: string;
  reaction?: FeedbackKind;
  saved: boolean;
}

export interface HistoryDay {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  papers: HistoryPaper[];
}

/**
 * Papers delivered to `sentTo` in the last `days` days (newest day first), each with the reaction
 * and reading-list mark of `reactionsOf`: the same recipient for a user, the asking member for a
 * channel (a click on a channel's card always goes to the clicking user's own profile).
 */
export async function deliveryHistory(
  app: RecommendDeps,
  sentTo: Recipient,
  reactionsOf: Recipient,
  days: number,
  opts: OpOptions = {},
): Promise<HistoryDay[]> {
  const now = clock(opts);
  const [sent, profile] = await Promise.all([loadSentLog(app, checkRecipient(sentTo), now), loadProfile(app, checkRecipient(reactionsOf), now)]);
  const from = now.getTime() - days * 86_400_000;
  const entries = Object.entries(sent.value.papers)
    .filter(([, at]) => Date.parse(at) >= from && Date.parse(at) <= now.getTime())
    .sort((a, b) => b[1].localeCompare(a[1]) || a[0].localeCompare(b[0]));
  const stored = await papersByRecordedId(app, entries.map(([id]) => id));
  const reactions = latestFeedback(profile.value);
  const saved = new Set(profile.value.saved.map((s) => s.paperId));
  const out: HistoryDay[] = [];
  for (const [id, at] of entries) {
    const paper = stored.get(id);
    const ids = [id, ...(paper ? [paper.id] : [])];
    const reaction = ids.map((x) => reactions.get(x)?.kind).find(Boolean);
    const date = at.slice(0, 10);
    let day = out.at(-1);
    if (day?.date !== date) out.push((day = { date, papers: [] }));
    day.papers.push({ paperId: paper?.id ?? id, title: paper?.title ?? id, at, ...(reaction ? { reaction } : {}), saved: ids.some((x) => saved.has(x)) });
  }
  return out;
}
