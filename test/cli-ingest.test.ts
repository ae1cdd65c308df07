/**
 * `paperfeed ingest` at its edges, as a user runs it (a real process on a real data directory):
 * an unreadable subfolder, a missing path among good ones, input that is all garbage, and the
 * snapshot with its filters.
 */
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const SNAPSHOT = fileURLToPath(new URL('./fixtures/arxiv/arxiv-metadata-oai-snapshot.json', import.meta.url));
const paper = (id: string) => JSON.stringify({ id, title: `Paper ${id}`, abstract: `The abstract of paper ${id}.` });

// Permissions do not bind root: as root, the CLI runs as "nobody" so that a mode-000 folder is really unreadable.
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

describe('paperfeed ingest edges', () => {
  let dir: string;
  const storeIn = (name: string) => join(dir, name);
  const stats = async (store: string) => JSON.parse((await runCli(['--data-dir', store, 'stats', '--json'], { user: NOBODY })).stdout);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-cli-ingest-'));
    await chmod(dir, 0o777);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an unreadable subfolder and stores everything else', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'a'), { recursive: true });
    await mkdir(join(tree, 'b'));
    await writeFile(join(tree, 'a', 'one.jsonl'), `${paper('2401.00011')}\n${paper('2401.00012')}\n`);
    await writeFile(join(tree, 'b', 'hidden.jsonl'), `${paper('2401.00013')}\n`);
    await writeFile(join(tree, 'c.jsonl'), `${paper('2401.00014')}\n`);
    await chmod(join(tree, 'b'), 0o000);
    try {
      const res = await runCli(['--data-dir', storeIn('tree-store'), 'ingest', tree, '--json'], { user: NOBODY });
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout);
      expect(report).toMatchObject({ read: 3, added: 3 });
      expect(report.skipped).toEqual([{ where: join(tree, 'b'), problem: 'folder skipped: cannot read it (EACCES)' }]);
    } finally {
      await chmod(join(tree, 'b'), 0o755);
    }
  });

  it('checks every path before storing anything, and names the missing one', async () => {
    const good = join(dir, 'good.jsonl');
    await writeFile(good, `${paper('2401.00021')}\n`);
    const missing = join(dir, 'missing');
    const store = storeIn('missing-store');
    const res = await runCli(['--data-dir', store, 'ingest', good, missing], { user: NOBODY });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot read ${missing}: ENOENT`);
    expect((await stats(store)).papers).toBe(0);
  });

  it('exits 1 and says so when nothing could be read', async () => {
    const garbage = join(dir, 'garbage');
    await mkdir(garbage);
    await writeFile(join(garbage, 'noise.jsonl'), Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x80, 0x81, 0x0a, 0x7b, 0x22, 0x0a]));
    await writeFile(join(garbage, 'blob.bin'), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    const res = await runCli(['--data-dir', storeIn('garbage-store'), 'ingest', garbage], { user: NOBODY });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/read 0 papers: .* 4 skipped/);
    expect(res.stdout).toContain(`skipped ${join(garbage, 'noise.jsonl')}:1: invalid UTF-8 bytes; line skipped`);
    expect(res.stderr).toContain('nothing could be read: all 4 items were skipped');
  });

  it('reads the arXiv snapshot with category and date filters', async () => {
    const snapshot = join(dir, 'arxiv-metadata-oai-snapshot.json');
    await copyFile(SNAPSHOT, snapshot);
    const store = storeIn('snapshot-store');
    const res = await runCli(
      ['--data-dir', store, 'ingest', snapshot, '--category', 'cs.LG,cs.CL', '--category', 'hep-th', '--since', '1999-01-01', '--json'],
      { user: NOBODY },
    );
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({ read: 4, added: 4, filtered: 2, skippedCount: 5, resumed: [] });
    expect((await stats(store)).bySource).toEqual({ 'arxiv-snapshot': 4 });
    const bad = await runCli(['--data-dir', store, 'ingest', snapshot, '--category', 'cs LG'], { user: NOBODY });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/category/);
  });

  it('runs ingest and reindex at the batch CPU priority, every thread of it read back from the OS, unless it is 0', async () => {
    const file = join(dir, 'nice.jsonl');
    await writeFile(file, `${paper('2401.00031')}\n${paper('2401.00032')}\n`);
    const store = storeIn('nice-store');
    const debug = { PAPERFEED_LOG_LEVEL: 'debug', PAPERFEED_LOG_FORMAT: 'json' };
    const niceOf = (stderr: string): number[] =>
      stderr
        .split('\n')
        .filter((l) => l.includes('running as a batch job'))
        .map((l) => (JSON.parse(l) as { nice: number }).nice);
    const ingest = await runCli(['--data-dir', store, 'ingest', file], { env: debug });
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(niceOf(ingest.stderr)).toEqual([10]);
    const reindex = await runCli(['--data-dir', store, 'reindex'], { env: { ...debug, PAPERFEED_BATCH_NICE: '15' } });
    expect(reindex.code, reindex.stderr).toBe(0);
    expect(niceOf(reindex.stderr)).toEqual([15]);
    const plain = await runCli(['--data-dir', store, 'ingest', file], { env: { ...debug, PAPERFEED_BATCH_NICE: '0' } });
    expect(plain.code, plain.stderr).toBe(0);
    expect(niceOf(plain.stderr)).toEqual([]);
    // Queries are not batch jobs.
    const similar = await runCli(['--data-dir', store, 'similar', '2401.00031'], { env: debug });
    expect(niceOf(similar.stderr)).toEqual([]);
  });
});
