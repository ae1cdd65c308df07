// Plain-text rendering of recommendation results for the CLI. Bots render the same structured
// results their own way.
import { authorsLine } from '../papers/authors.ts';
import { paperLink } from '../papers/links.ts';
import type { CandidateWindow } from './candidates.ts';
import type { FeedbackResult, MuteView } from './ops/feedback.ts';
import type { PaperExplanation, PicksResult } from './ops/picks.ts';
import type { ProfileSummary } from './ops/profile.ts';
import type { TopicView } from './ops/topics.ts';
import { describeRecipient } from './recipient.ts';

function windowText(w: CandidateWindow): string {
  switch (w.kind) {
    case 'date':
      return `papers published or first seen on ${w.date}`;
    case 'first-digest':
      return 'papers first seen in the last 24 hours';
    case 'last-days':
      return `papers first seen in the last ${w.days} days`;
    case 'since-last-digest':
      return w.capped ? 'papers first seen in the last 7 days' : `papers first seen since ${w.since.slice(0, 16).replace('T', ' ')} UTC`;
  }
}

export function formatPicks(r: PicksResult): string {
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.picks.length === 0) {
    lines.push(r.notice ?? 'No picks.');
    return lines.join('\n');
  }
  lines.push(
    `Picks for ${describeRecipient(r.recipient)}: ${r.picks.length} of ${r.candidates} ${windowText(r.window)}${r.recorded ? '' : ' (not recorded)'}`,
  );
  if (r.hint) lines.push(r.hint);
  for (const p of r.picks) {
    const meta = [p.paper.id, p.paper.published ?? 'undated', p.paper.upvotes !== undefined ? `${p.paper.upvotes} upvotes` : undefined, `score ${p.score.toFixed(3)}`]
      .filter(Boolean)
      .join(' · ');
    lines.push('', `${String(p.rank).padStart(2)}. ${p.paper.title}`);
    const authors = authorsLine(p.paper);
    if (authors) lines.push(`    ${authors}`);
    lines.push(`    ${meta}`, `    ${paperLink(p.paper)}`);
    lines.push(`    why: ${p.reasons.map((x) => x.text).join('; ')}`);
  }
  return lines.join('\n');
}

/** `shown` renders a topic's text (chat replies pass their escaping for user text). */
export function formatTopics(topics: readonly TopicView[], shown: (text: string) => string = (t) => t): string {
  if (topics.length === 0) return 'No topics yet.';
  return topics.map((t) => `${String(t.position).padStart(2)}. ${shown(t.text)}${t.weight === 1 ? '' : `  (weight ${t.weight})`}`).join('\n');
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [...s.warnings.map((w) => `warning: ${w}`), `What drives the feed of ${describeRecipient(s.recipient)}:`];
  for (const d of s.drivers) lines.push(`  - ${d}`);
  const last = s.lastDigest ? `last digest ${s.lastDigest.slice(0, 16).replace('T', ' ')} UTC` : 'no digest yet';
  lines.push(`${s.delivered} ${s.delivered === 1 ? 'paper' : 'papers'} delivered so far; ${last}.`);
  return lines.join('\n');
}

export function formatExplanation(e: PaperExplanation): string {
  const lines = [`${e.paper.title} (${e.paper.id})`];
  if (e.excluded) lines.push(`Not picked: ${e.excluded.text}.`);
  if (e.mode === 'general') {
    lines.push('No profile yet: picks are the day\'s most central and popular papers.');
    return lines.join('\n');
  }
  const verdict = e.passes ? 'would be a pick' : e.excluded ? 'excluded whatever its relevance' : 'below the threshold';
  lines.push(`Relevance ${e.relevance.toFixed(2)} (threshold ${e.threshold.toFixed(2)}): ${verdict}.`);
  for (const r of e.reasons) lines.push(`  - ${r.text}`);
  return lines.join('\n');
}

export function formatFeedback(f: FeedbackResult): string {
  const what = { up: 'thumbs up', down: 'thumbs down', 'not-interested': 'not interested' }[f.kind];
  const before = f.previous && f.previous !== f.kind ? ` (was ${f.previous})` : '';
  return `Recorded ${what} for '${f.title}' (${f.paperId})${before}.`;
}

export function formatMute(m: MuteView): string {
  return `Muted ${m.kind} '${m.value}' until ${m.until.slice(0, 16).replace('T', ' ')} UTC.`;
}
