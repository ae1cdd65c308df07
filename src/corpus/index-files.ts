// Where a corpus keeps its vector index, and how a generation built beside it takes its place.
import { rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export const indexDir = (dataDir: string): string => join(dataDir, 'index');
/** A generation being built: beside the live index, never inside it, so the live one stays intact. */
export const stagingDir = (dataDir: string): string => join(dataDir, 'index.next');

/**
 * Makes the index built in `staging` the one in `live`. Two renames: a crash between them leaves
 * no live index, which the next start reads as missing and rebuilds from the store.
 */
export async function swapIndexDirs(staging: string, live: string): Promise<void> {
  const retired = `${live}.old`;
  await rm(retired, { recursive: true, force: true });
  if (await exists(live)) await rename(live, retired);
  await rename(staging, live);
  await rm(retired, { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Shards for a rebuild. More shards build in parallel (one worker per core) and smaller graphs
 * reach a higher recall for the same build effort, but every query asks every shard. So `auto`
 * keeps one graph until a rebuild would take minutes, then uses at least one shard per core and
 * about SHARD_TARGET vectors per shard (bench/index.bench.ts measures 1M this way).
 */
export function shardCount(configured: number | 'auto', papers: number): number {
  if (configured !== 'auto') return configured;
  if (papers < AUTO_SHARDS_FROM) return 1;
  return Math.min(AUTO_MAX_SHARDS, Math.max(availableParallelism(), Math.ceil(papers / SHARD_TARGET)));
}
const AUTO_SHARDS_FROM = 100_000;
const SHARD_TARGET = 250_000;
const AUTO_MAX_SHARDS = 16;

/** The configured provider differs from the one the saved index was built with. */
export class ProviderMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderMismatchError';
  }
}
