import type { Command } from 'commander';
import type { App } from '../service/app.ts';
import type { IndexAccess } from '../corpus/corpus.ts';

/** What every CLI command gets: a way to open the app for the duration of the command, and output. */
export interface CliContext {
  /**
   * Opens the app (store, embedder, index) from the global options, runs fn, closes it.
   * `service`: a long-running command (serve, the bots), which logs as a service does.
   * `indexAccess`: how the command uses the vector index (see IndexAccess): by default a service
   * (and a reindex) loads it and every other command reads it in its files, read-only
   * ('one-query'); an ingest only writes it.
   */
  withApp<T>(
    fn: (app: App) => Promise<T>,
    /** batch: a long job (ingest, reindex) that yields the CPU to a serve beside it (PAPERFEED_BATCH_NICE). */
    opts?: { forReindex?: boolean; service?: boolean; indexAccess?: IndexAccess; batch?: boolean },
  ): Promise<T>;
  /** Writes a line to stdout (results); logs and progress go to stderr. */
  print(text: string): void;
  /** Writes a value as pretty JSON to stdout (for --json). */
  printJson(value: unknown): void;
}

/** Each file in src/cli/commands exports one of these; src/cli/main.ts registers them all. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
