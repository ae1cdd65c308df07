import type { App } from '../service/app.ts';
import type { PaperSource, SourceIssue } from '../sources/source.ts';
import type { Progress } from './embed.ts';

export interface IngestReport {
  /** Items the sources could read. */
  read: number;
  added: number;
  merged: number;
  unchanged: number;
  /** Items that repeated another item of the same run (merged into it). */
  duplicates: number;
  /** Items the sources could not read, each with where and why. */
  skipped: SourceIssue[];
  /** Papers whose text had to be embedded (cache misses). */
  embedded: number;
}

export interface IngestOptions {
  /** Store batch size: each batch is one transaction. */
  batchSize?: number;
  onStage?: (stage: 'read' | 'store' | 'embed', source?: string) => void;
  onProgress?: Progress;
}

/**
 * sources -> normalize and dedupe (the store) -> embed -> index. Each store batch is one
 * transaction, so a crash loses at most the batch in flight, never what was reported stored.
 */
export async function ingest(app: App, sources: PaperSource[], opts: IngestOptions = {}): Promise<IngestReport> {
  const report: IngestReport = { read: 0, added: 0, merged: 0, unchanged: 0, duplicates: 0, skipped: [], embedded: 0 };
  const batchSize = opts.batchSize ?? 1_000;
  // What the index must follow: only the ids this run touched, never a corpus scan.
  // (`since`: the store as this run found it, so the index can tell whether anyone else wrote too.)
  const changes = { upserted: [] as string[], removed: [] as string[], since: await app.store.corpusChecksum() };
  for (const source of sources) {
    opts.onStage?.('read', source.name);
    const batch = await source.read();
    report.read += batch.papers.length;
    report.skipped.push(...batch.issues);
    opts.onStage?.('store', source.name);
    for (let i = 0; i < batch.papers.length; i += batchSize) {
      const items = batch.papers.slice(i, i + batchSize);
      const result = await app.store.upsertPapers(items);
      report.duplicates += items.length - result.added.length - result.merged.length - result.unchanged.length;
      report.added += result.added.length;
      report.merged += result.merged.length;
      report.unchanged += result.unchanged.length;
      changes.upserted.push(...result.added, ...result.merged, ...result.renamed.map((r) => r.to));
      changes.removed.push(...result.renamed.map((r) => r.from));
      opts.onProgress?.(Math.min(i + batchSize, batch.papers.length), batch.papers.length);
    }
  }
  opts.onStage?.('embed');
  const synced = await app.syncIndex({ changes, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  report.embedded = synced.embedded;
  app.log.info(
    { read: report.read, added: report.added, merged: report.merged, skipped: report.skipped.length },
    'ingest finished',
  );
  return report;
}
