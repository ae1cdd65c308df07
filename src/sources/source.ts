import type { PaperInput } from '../papers/paper.ts';

/** One skipped item: where it was (file:line, URL#item) and what was wrong with it. */
export interface SourceIssue {
  where: string;
  problem: string;
}

/** Papers that were read, and a report for each item that was skipped. */
export interface SourceBatch {
  papers: PaperInput[];
  issues: SourceIssue[];
}

/**
 * One bounded piece of a source's stream. Sources yield chunks of at most a few thousand items,
 * so memory stays constant whatever the size of the file or feed.
 */
export interface SourceChunk extends SourceBatch {
  /**
   * Where this source stands just after this chunk (JSON-serialisable): `read(position)` yields
   * only what follows. Absent when the source cannot resume (a single page).
   */
  position?: unknown;
  /** Valid records that the source's filters (category, date) left out. */
  filtered?: number;
  /** How far the source has got, in bytes of its files or in records. */
  progress?: SourceProgress;
}

export interface SourceProgress {
  done: number;
  /** Unknown for feeds that do not announce their size. */
  total?: number;
  unit: 'bytes' | 'records';
}

/** Every source, file or network, is this one small interface. */
export interface PaperSource {
  readonly name: string;
  /**
   * Identity under which a resumable source's position is recorded (what it reads and with which
   * filters). Absent for sources that are read in one go.
   */
  readonly resumeKey?: string;
  /** Throws, naming what is wrong, when the source cannot be read at all (a missing path). */
  check?(): Promise<void>;
  /** Streams the source, from `from` (a position this source yielded earlier) or from its start. */
  read(from?: unknown): AsyncIterable<SourceChunk>;
}

/** Reads a whole source into one batch: for small sources and tests, never for a backfill. */
export async function collectSource(source: PaperSource): Promise<SourceBatch> {
  const batch: SourceBatch = { papers: [], issues: [] };
  for await (const chunk of source.read()) {
    for (const p of chunk.papers) batch.papers.push(p);
    for (const i of chunk.issues) batch.issues.push(i);
  }
  return batch;
}
