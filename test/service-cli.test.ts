/**
 * `paperfeed serve` as a real process: the quick start (`--once` on embedded defaults, no
 * accounts) and a graceful stop on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { runChild, startChild } from './helpers/child.ts';

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

describe.concurrent('paperfeed serve', () => {
  it('--once ingests the sample data, prints the day\'s picks and exits 0', async () => {
    const r = await runChild('test/helpers/serve-main.ts', ['serve', '--once'], env(join(root, 'once')));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Picks for channel console: 5 of 26 papers first seen in the last 24 hours \(not recorded\)$/m);
    expect(r.stdout).toMatch(/^ 1\. /m);
    // Logs are structured JSON on stderr; stdout holds only the picks.
    expect(r.stderr).toMatch(/"msg":"ingest finished"/);
  });

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
});
