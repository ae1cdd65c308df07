import type { Paper } from '../papers/paper.ts';
import { mergePapers, normalizeTitle, samePaper } from '../papers/normalize.ts';
import { titleId } from '../papers/ids.ts';
import type { UpsertResult } from './paper-store.ts';

/** What the dedupe rules need from storage; every call runs inside the caller's transaction. */
export interface DedupeRepo {
  /** The paper stored under this id, or under a paper this id is an alias of. */
  byId(id: string): Paper | undefined;
  /** Papers stored with this normalized title, most recently first seen first. */
  byNormTitle(normTitle: string): Paper[];
  insert(paper: Paper): void;
  /** Overwrites the row stored as `fromId` (which differs from `paper.id` on a rename). */
  update(fromId: string, paper: Paper): void;
  /** Lets `alias` keep resolving to `paperId`; ignored when a paper or alias already owns that id. */
  addAlias(alias: string, paperId: string): void;
}

type Outcome = { kind: 'added' } | { kind: 'merged' | 'unchanged'; storedAs: string };

/**
 * Stores a batch of normalized papers with the dedupe rules: same canonical id (or alias) → merge;
 * else same normalized title → merge, the arXiv id replacing a title id (a rename); duplicates
 * inside the batch meet the rows written a moment earlier, so they follow the same rules.
 */
export function storeBatch(papers: readonly Paper[], repo: DedupeRepo): UpsertResult {
  // Keyed by each paper's id as it stands now, so later items of the batch find their entry after a rename.
  const outcomes = new Map<string, Outcome>();
  for (const incoming of papers) {
    const stored = findMatch(incoming, repo);
    if (!stored) {
      const fresh = canonical(incoming);
      repo.insert(fresh);
      outcomes.set(fresh.id, { kind: 'added' });
      continue;
    }
    const merged = mergePapers(stored, incoming);
    const changed = !samePaper(stored, merged);
    if (changed) repo.update(stored.id, merged);
    if (merged.id !== stored.id) repo.addAlias(stored.id, merged.id);
    // A merge can keep only one title; the other spelling's title id must still find this paper.
    const kept = titleId(merged.title);
    for (const alt of new Set([titleId(stored.title), titleId(incoming.title)])) {
      if (alt !== kept && alt !== merged.id) repo.addAlias(alt, merged.id);
    }
    const before: Outcome = outcomes.get(stored.id) ?? { kind: 'unchanged', storedAs: stored.id };
    outcomes.delete(stored.id);
    outcomes.set(merged.id, before.kind === 'unchanged' && changed ? { ...before, kind: 'merged' } : before);
  }
  const result: UpsertResult = { added: [], merged: [], unchanged: [], renamed: [] };
  for (const [id, o] of outcomes) {
    result[o.kind].push(id);
    if (o.kind !== 'added' && o.storedAs !== id) result.renamed.push({ from: o.storedAs, to: id });
  }
  return result;
}

function findMatch(incoming: Paper, repo: DedupeRepo): Paper | undefined {
  const byId = repo.byId(incoming.id);
  if (byId) return byId;
  const sameTitle = repo.byNormTitle(normalizeTitle(incoming.title));
  // Two arXiv papers may share a title and still be different papers: an arXiv id only claims a
  // paper that has none yet.
  return incoming.arxivId ? sameTitle.find((p) => !p.arxivId) : sameTitle[0];
}

/**
 * mergePapers is the store's canonical form (e.g. it drops an author count equal to the author
 * list's length, which toPaper keeps); storing a new paper in that form makes a re-ingest of the
 * same item compare equal instead of counting as a change.
 */
function canonical(p: Paper): Paper {
  return mergePapers(p, p);
}
