import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CorpusChanges } from '../corpus/corpus.ts';
import type { Logger } from '../log.ts';
import type { PaperInput } from '../papers/paper.ts';
import type { PaperSource, SourceIssue, SourceProgress } from '../sources/source.ts';
import type { PaperStore } from '../store/paper-store.ts';
import type { Progress } from './embed.ts';

/** What an ingest works on: the store it writes, and the index sync that follows it. */
export interface IngestDeps {
  readonly log: Logger;
  readonly store: Pick<PaperStore, 'upsertPapers' | 'corpusChecksum' | 'getMeta' | 'setMeta'>;
  /** Brings the index in step with the ids this run upserted and renamed away (the service's App.syncIndex). */
  syncIndex(opts: { changes: CorpusChanges; onProgress?: Progress }): Promise<{ embedded: number }>;
}

export interface IngestReport {
  /** Items the sources could read. */
  read: number;
  added: number;
  merged: number;
  unchanged: number;
  /** Items that repeated another item of the same run (merged into it). */
  duplicates: number;
  /** Valid items that a filter (category, date) left out. */
  filtered: number;
  /** Items the sources could not read, each with where and why (the first MAX_LISTED_ISSUES of them). */
  skipped: SourceIssue[];
  /** All skipped items, listed or not. */
  skippedCount: number;
  /** Sources that went on from the position an interrupted run recorded, and where. */
  resumed: { source: string; from: unknown }[];
  /** Papers whose text had to be embedded (cache misses). */
  embedded: number;
}

export interface IngestOptions {
  /** Store batch size: each batch is one transaction. */
  batchSize?: number;
  /**
   * Shares the event loop (a service's own ingest): each store transaction is sized to take about
   * this long (ms, at most batchSize papers), and other work runs between transactions and between
   * the source's chunks. Unset: batchSize papers a transaction, back to back.
   */
  sliceMs?: number;
  /** Ignore recorded positions and read every source from its start. */
  restart?: boolean;
  onStage?: (stage: 'read' | 'embed', source?: string) => void;
  /** Embedding progress (papers), from the index sync after storing. */
  onProgress?: Progress;
  /** Reading progress of the current source (bytes of its files or records), with the papers read so far. */
  onReadProgress?: (progress: SourceProgress, read: number) => void;
}

/** A backfill of a bad file could name millions of bad lines: the report keeps this many. */
export const MAX_LISTED_ISSUES = 10_000;

/** Meta key under which a resumable source's position is kept between runs. */
export function positionKey(source: PaperSource): string | undefined {
  return source.resumeKey ? `ingest-position:${source.resumeKey}` : undefined;
}

/**
 * sources -> normalize and dedupe (the store) -> embed -> index, streamed: papers are stored in
 * batches as the sources yield them, so memory does not grow with the input. Each store batch is
 * one transaction, and after it the source's position is recorded, so a run killed at any point
 * resumes after the last stored batch (at worst re-reading that one batch, which dedupes), and one
 * killed while indexing reads nothing again.
 */
export async function ingest(app: IngestDeps, sources: PaperSource[], opts: IngestOptions = {}): Promise<IngestReport> {
  const report: IngestReport = {
    read: 0, added: 0, merged: 0, unchanged: 0, duplicates: 0, filtered: 0, skipped: [], skippedCount: 0, resumed: [], embedded: 0,
  };
  const batchSize = opts.batchSize ?? 1_000;
  const sizer = batchSizer(batchSize, opts.sliceMs);
  const shareLoop = opts.sliceMs === undefined ? async () => {} : () => nextTurn();
  // Every path is checked before anything is stored: a typo in the last one must not leave half an ingest.
  for (const source of sources) await source.check?.();
  // What the index must follow: only the ids this run touched, never a corpus scan.
  // (`since`: the store as this run found it, so the index can tell whether anyone else wrote too.)
  const changes = { upserted: [] as string[], removed: [] as string[], since: await app.store.corpusChecksum() };

  const store = async (items: readonly PaperInput[]): Promise<void> => {
    for (let i = 0; i < items.length; ) {
      const batch = items.slice(i, i + sizer.size());
      i += batch.length;
      const started = performance.now();
      const result = await app.store.upsertPapers(batch);
      sizer.took(batch.length, performance.now() - started);
      await shareLoop();
      report.duplicates += batch.length - result.added.length - result.merged.length - result.unchanged.length;
      report.added += result.added.length;
      report.merged += result.merged.length;
      report.unchanged += result.unchanged.length;
      changes.upserted.push(...result.added, ...result.merged, ...result.renamed.map((r) => r.to));
      changes.removed.push(...result.renamed.map((r) => r.from));
    }
  };

  /** Sources read to the end: their position is cleared once the index has their papers too. */
  const readToEnd: string[] = [];
  for (const source of sources) {
    const key = positionKey(source);
    const from = key && !opts.restart ? await recordedPosition(app, key) : undefined;
    if (from !== undefined) {
      report.resumed.push({ source: source.name, from });
      app.log.info({ source: source.name, from }, 'resuming an interrupted ingest');
    }
    opts.onStage?.('read', source.name);
    let pending: PaperInput[] = [];
    let last: unknown;
    for await (const chunk of source.read(from)) {
      if (chunk.position !== undefined) last = chunk.position;
      report.read += chunk.papers.length;
      report.filtered += chunk.filtered ?? 0;
      report.skippedCount += chunk.issues.length;
      for (const issue of chunk.issues) if (report.skipped.length < MAX_LISTED_ISSUES) report.skipped.push(issue);
      for (const paper of chunk.papers) pending.push(paper);
      // Full batches are stored at chunk boundaries (memory: one batch plus one bounded chunk).
      if (pending.length >= sizer.size()) {
        await store(pending);
        pending = [];
      }
      // The chunk's position covers every paper read so far only when none is waiting to be stored.
      if (key && pending.length === 0 && chunk.position !== undefined) await app.store.setMeta(key, JSON.stringify(chunk.position));
      if (chunk.progress) opts.onReadProgress?.(chunk.progress, report.read);
      await shareLoop();
    }
    await store(pending);
    // Read to the end, and kept so until the index has these papers too: a run killed while it
    // indexes them goes on from here, reading nothing again (at 1M, minutes of unchanged papers).
    if (key && last !== undefined) await app.store.setMeta(key, JSON.stringify(last));
    if (key) readToEnd.push(key);
  }
  opts.onStage?.('embed');
  const synced = await app.syncIndex({ changes, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  report.embedded = synced.embedded;
  // Done: the next run starts afresh.
  for (const key of readToEnd) await app.store.setMeta(key, '');
  app.log.info(
    { read: report.read, added: report.added, merged: report.merged, filtered: report.filtered, skipped: report.skippedCount },
    'ingest finished',
  );
  return report;
}

/**
 * Papers per store transaction. With a time budget it starts small and follows the measured cost
 * per paper (growing at most twofold a step, so one cheap batch of unchanged papers cannot make
 * the next one long); without one it is always `max`.
 */
export function batchSizer(max: number, budgetMs?: number): { size(): number; took(papers: number, ms: number): void } {
  let size = budgetMs === undefined ? max : Math.min(max, 16);
  return {
    size: () => size,
    took(papers, ms) {
      if (budgetMs === undefined || papers === 0) return;
      const fits = Math.floor(budgetMs / Math.max(ms / papers, 1e-3));
      size = Math.max(1, Math.min(max, fits, size * 2));
    },
  };
}

async function recordedPosition(app: IngestDeps, key: string): Promise<unknown> {
  const value = await app.store.getMeta(key);
  if (!value) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    app.log.warn({ key }, 'recorded ingest position is not JSON; starting from the beginning');
    return undefined;
  }
}
