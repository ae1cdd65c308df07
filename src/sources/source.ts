import type { PaperInput } from '../papers/paper.ts';

/** One skipped item: where it was (file:line, URL#item) and what was wrong with it. */
export interface SourceIssue {
  where: string;
  problem: string;
}

/** What a source yields: the papers it could read, and a report for each item it skipped. */
export interface SourceBatch {
  papers: PaperInput[];
  issues: SourceIssue[];
}

/** Every source, file or network, is this one small interface. */
export interface PaperSource {
  readonly name: string;
  read(): Promise<SourceBatch>;
}
