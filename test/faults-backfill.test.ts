/**
 * A backfill killed with SIGKILL (no chance to clean up) resumes where it stopped: the rerun
 * starts from the recorded position, not from the beginning, and the final store holds every
 * paper of the file exactly once; killed while indexing, the rerun builds the index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotId, snapshotTitle, writeSnapshotFile } from '../bench/snapshot-file.ts';
import { positionKey } from '../src/pipeline/ingest.ts';
import { readFileSource } from '../src/sources/files.ts';
import { loadConfig } from '../src/config/config.ts';
import { openApp } from '../src/service/open-app.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { runChild, startChild } from './helpers/child.ts';
import { silentLog } from './helpers/silent-log.ts';

const PAPERS = 12_000;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperfeed-backfill-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A snapshot file of PAPERS papers and the environment of a CLI ingest of it into a data dir of its own. */
async function backfill(name: string) {
  const file = join(root, `${name}-snapshot.json`);
  await writeSnapshotFile(file, PAPERS);
  const dataDir = join(root, name);
  const env = {
    PAPERFEED_DATA_DIR: dataDir,
    PAPERFEED_EMBEDDINGS: 'builtin',
    PAPERFEED_MODEL_DIR: join(dataDir, 'models'),
    PAPERFEED_MODEL_CACHE_DIR: join(dataDir, 'model-cache'),
  };
  return { file, dataDir, env };
}

describe('kill -9 during a backfill', () => {
  it('resumes after the last stored batch: nothing lost, nothing twice, not read from the start', async () => {
    const { file, dataDir, env } = await backfill('store');

    // Store writes are logged at debug: each "papers upserted" line is a committed batch.
    const first = startChild('bin/paperfeed.js', ['ingest', file, '--json'], { ...env, PAPERFEED_LOG_LEVEL: 'debug' });
    // Four batches: at least two whole chunks, so a position has been recorded after one of them.
    await first.waitFor(/("msg":"papers upserted"[\s\S]*){4}/, 90_000);
    expect(await first.kill9()).toBe('SIGKILL');

    const store = await openSqliteStore(join(dataDir, 'papers.sqlite'));
    let storedBefore: number;
    let recorded: { file: string; offset: number; line: number };
    try {
      storedBefore = await store.count();
      recorded = JSON.parse((await store.getMeta(positionKey(readFileSource(file))!))!);
    } finally {
      await store.close();
    }
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(PAPERS);
    expect(recorded.file).toBe(file);
    expect(recorded.line).toBeGreaterThan(0);
    expect(recorded.line).toBeLessThanOrEqual(storedBefore);

    const second = await runChild('bin/paperfeed.js', ['ingest', file, '--json'], { ...env, PAPERFEED_LOG_LEVEL: 'warn' }, 180_000);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.resumed).toEqual([{ source: `file:${file}`, from: recorded }]);
    // Only what follows the position was read: the papers after it, nothing before.
    expect(report.read).toBe(PAPERS - recorded.line);
    // Papers stored after the position was recorded (at most the chunk in flight) come back unchanged.
    expect(report.added).toBe(PAPERS - storedBefore);
    expect(report.unchanged).toBe(storedBefore - recorded.line);
    expect(report.skipped).toEqual([]);

    const after = await openSqliteStore(join(dataDir, 'papers.sqlite'));
    try {
      expect(await after.count()).toBe(PAPERS);
      for (const i of [0, recorded.line - 1, recorded.line, PAPERS - 1]) {
        expect((await after.getPaper(snapshotId(i)))?.title).toBe(snapshotTitle(i));
      }
      // Read to the end: the next run starts afresh.
      expect(await after.getMeta(positionKey(readFileSource(file))!)).toBe('');
    } finally {
      await after.close();
    }
  }, 300_000);

  it('while the index is built, after every paper was stored: the rerun reads nothing again, takes over the build at once and builds the index', async () => {
    const { file, env } = await backfill('indexing');
    const first = startChild('bin/paperfeed.js', ['ingest', file, '--json'], { ...env, PAPERFEED_LOG_LEVEL: 'info' });
    // The first generation is the empty one of a new data dir; the second is the whole corpus's.
    await first.waitFor(/("msg":"building a new corpus generation[\s\S]*){2}/, 120_000);
    expect(await first.kill9()).toBe('SIGKILL');

    // Before: the position was cleared once the file was read, so the rerun read all 12,000 again,
    // then left the build to the killed process (its lock looked held for a lease) and built nothing.
    const second = await runChild('bin/paperfeed.js', ['ingest', file, '--json'], { ...env, PAPERFEED_LOG_LEVEL: 'warn' }, 180_000);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report).toMatchObject({ read: 0, added: 0 });
    expect(report.resumed).toHaveLength(1);

    const app = await openApp(loadConfig({}, { ...env, PAPERFEED_OFFLINE: 'true' }), { log: silentLog, indexAccess: 'one-query' });
    try {
      expect(app.corpus.current().index.info()).toMatchObject({ count: PAPERS, corpusChecksum: await app.store.corpusChecksum() });
      // Done: the next run starts afresh.
      expect(await app.store.getMeta(positionKey(readFileSource(file))!)).toBe('');
    } finally {
      await app.close();
    }
  }, 300_000);
});
