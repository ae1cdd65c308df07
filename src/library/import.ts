/**
 * One library import, whichever way the file arrived (CLI path, chat attachment, pasted list):
 * parse, match against the store, write the profile, and report every entry's fate.
 */
import type { RecommendDeps } from '../recommend/deps.ts';
import { importLibrary, type PaperOutcome } from '../recommend/index.ts';
import { PROFILE_LIMITS } from '../recommend/profile.ts';
import type { Recipient } from '../recommend/recipient.ts';
import type { OpOptions } from '../recommend/ops/shared.ts';
import { parseLibrary } from './detect.ts';
import type { LibraryFormat, Skipped } from './entry.ts';
import { matchLibrary, type MatchedEntry } from './match.ts';

export interface LibraryReport {
  /** The file name, or "the pasted list". */
  source: string;
  format: LibraryFormat;
  /** Entries that name a stored paper: seeded or liked now, or already in the profile. */
  matched: { where: string; paperId: string; title: string; by: MatchedEntry['by']; outcome: PaperOutcome }[];
  /** Entries not stored, kept as text likes (now or by an earlier import). */
  keptAsText: { where: string; title: string; outcome: 'kept' | 'already' }[];
  skipped: Skipped[];
  /** Whether the profile changed (importing the same library again changes nothing). */
  changed: boolean;
}

export async function importLibraryFrom(
  app: RecommendDeps,
  recipient: Recipient,
  input: { name: string; content: Uint8Array | string },
  opts: OpOptions = {},
): Promise<LibraryReport> {
  const parsed = parseLibrary(input.content, input.name);
  const match = await matchLibrary(app.store, parsed.entries);
  const result = await importLibrary(
    app,
    recipient,
    { papers: match.matched.map((m) => ({ paperId: m.paper.id, title: m.paper.title })), texts: match.text },
    opts,
  );
  const skipped = [...parsed.skipped, ...match.skipped];
  const keptAsText: LibraryReport['keptAsText'] = [];
  match.text.forEach((t, i) => {
    const outcome = result.texts[i]!;
    if (outcome === 'full') skipped.push({ where: t.where, reason: `not stored here, and a profile keeps at most ${PROFILE_LIMITS.textLikes} library papers as text` });
    else keptAsText.push({ where: t.where, title: t.title, outcome });
  });
  return {
    source: input.name,
    format: parsed.format,
    matched: match.matched.map((m, i) => ({ where: m.where, paperId: m.paper.id, title: m.paper.title, by: m.by, outcome: result.papers[i]! })),
    keptAsText,
    skipped,
    changed: result.changed,
  };
}
