/**
 * `paperfeed serve` as a real process stops gracefully on SIGTERM. (The quick start, `serve
 * --once`, runs as a real process in test/faults-crash.test.ts and in .ci/run.)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServiceBackends } from '../src/service/backends.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { startChild } from './helpers/child.ts';

const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'paperfeed-serve-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const env = (dataDir: string) => ({
  PAPERFEED_DATA_DIR: dataDir,
  PAPERFEED_EMBEDDINGS: 'builtin',
  PAPERFEED_SAMPLE_DIR: SAMPLE_FILE,
  PAPERFEED_LOG_LEVEL: 'info',
});

describe('paperfeed serve', () => {
  it('on SIGTERM stops taking work, saves, closes and exits 0', async () => {
    const dataDir = join(root, 'signal');
    const child = startChild('test/helpers/serve-main.ts', ['serve', '--port', '0'], env(dataDir));
    await child.waitFor(/serving on (http:\/\/127\.0\.0\.1:\d+)/);
    await child.waitFor(/"job":"console-digest".*"msg":"job finished"/);
    const url = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.stderr())![1]!;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.stderr()).toMatch(/SIGTERM received; finishing in-flight work/);
    expect(child.stderr()).toMatch(/"msg":"stopped"/);
    expect(child.stdout()).toMatch(/=== paperfeed digest for \d{4}-\d{2}-\d{2} ===/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const store = await openSqliteStore(join(dataDir, 'papers.sqlite'));
    expect(await store.count()).toBe(26);
    await store.close();
  });

  it('--once says which job it skipped because another process holds its lock, and stores nothing', async () => {
    const dataDir = join(root, 'locked');
    await mkdir(dataDir);
    const other = await openServiceBackends({ dataDir }, 'other-replica');
    const lease = await other.locks.tryAcquire('job:ingest', 60_000);
    expect(lease).toBeDefined();
    try {
      const child = startChild('test/helpers/serve-main.ts', ['serve', '--once'], { ...env(dataDir), PAPERFEED_LOCK_TTL_MS: '60000' });
      expect(await child.exited).toBe(0);
      expect(child.stderr()).toMatch(/paperfeed: ingest skipped: another process holds its lock \(a crashed one's lock stands for PAPERFEED_LOCK_TTL_MS, 60000 ms\)/);
      const store = await openSqliteStore(join(dataDir, 'papers.sqlite'));
      expect(await store.count()).toBe(0);
      await store.close();
    } finally {
      await lease?.release();
      await other.close();
    }
  });
});
