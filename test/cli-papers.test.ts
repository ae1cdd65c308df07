import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

// The CLI end to end, as a user runs it: a real process on a real data directory.
describe('paperfeed CLI', () => {
  let dir: string;
  let dataDir: string;
  const cli = (...args: string[]) => runCli(['--data-dir', dataDir, ...args]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-cli-'));
    dataDir = join(dir, 'store');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests the sample corpus, and again without adding anything', async () => {
    const first = await cli('ingest', 'data', '--json');
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout);
    expect(r1).toMatchObject({ read: 474, added: 425, duplicates: 49, skipped: [] });
    const second = await cli('ingest', 'data');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/read 474 papers: 0 new, 0 merged, 425 unchanged/);
    const stats = JSON.parse((await cli('stats', '--json')).stdout);
    expect(stats.papers).toBe(425);
  });

  it('merges the same paper from a second source and keeps its arXiv id', async () => {
    const file = join(dir, 'more.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({
          id: 'arXiv:2210.00001v2',
          title: 'Sparsity-Constrained Optimal Transport',
          abstract: 'Regularized optimal transport (OT) is now increasingly used as a loss or as a matching layer in neural networks.',
          authors: ['Tianlin Liu', 'Joan Puigcerver', 'Mathieu Blondel'],
          published: '2022-09-30',
          doi: 'https://doi.org/10.48550/arXiv.2210.00001',
        }),
        '{"id": "broken", "title": "no abstract"}',
        '{not json',
      ].join('\n'),
    );
    const res = await cli('ingest', file, '--json');
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({ read: 1, added: 0, merged: 1 });
    expect(report.skipped.map((s: { where: string }) => s.where)).toEqual([`${file}:2`, `${file}:3`]);
    const shown = JSON.parse((await cli('show', 'https://arxiv.org/abs/2210.00001', '--json')).stdout);
    expect(shown.id).toBe('2210.00001');
    expect(shown.authors).toEqual(['Tianlin Liu', 'Joan Puigcerver', 'Mathieu Blondel']);
    expect(shown.sources).toEqual(['hf-page', 'jsonl']);
    expect(shown.doi).toBe('10.48550/arxiv.2210.00001');
    expect((await cli('show', '2210.00001')).stdout).toContain('\nDOI: https://doi.org/10.48550/arxiv.2210.00001\n');
    expect((await cli('stats', '--json')).stdout).toContain('"papers": 425');
  });

  it('answers similar by arXiv id in score order with cosines, never the paper itself', async () => {
    const res = await cli('similar', '2210.00001', '-k', '5', '--json');
    expect(res.code, res.stderr).toBe(0);
    const hits = JSON.parse(res.stdout) as { id: string; title: string; score: number; cosine: number; url: string }[];
    expect(hits).toHaveLength(5);
    expect(hits.map((h) => h.id)).not.toContain('2210.00001');
    // The score shown is the one the results are ordered by (hybrid: the fused score).
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    for (const h of hits) {
      expect(h.cosine).toBeGreaterThan(0);
      expect(h.cosine).toBeLessThanOrEqual(1);
      expect(h.url).toMatch(/^https:\/\//);
    }
    expect(hits.some((h) => /optimal transport/i.test(h.title))).toBe(true);
  });

  it('searches free text, and exports what ingest reads back', async () => {
    const res = await cli('search', 'neural', 'collapse', '-k', '3');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toMatch(/Neural Collapse/i);
    const out = join(dir, 'export.jsonl');
    expect((await cli('export', '--jsonl', '-o', out)).code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(425);
    const again = await runCli(['--data-dir', join(dir, 'copy'), 'ingest', out, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 425, skipped: [] });
    expect(lines.filter((l) => l.includes('"doi"'))).toHaveLength(1);
    const copied = await runCli(['--data-dir', join(dir, 'copy'), 'show', '2210.00001', '--json']);
    expect(JSON.parse(copied.stdout).doi).toBe('10.48550/arxiv.2210.00001');
  });

  it('exits 2 with a clear message on usage errors, 0 on help', async () => {
    const badDate = await cli('list', '--date', '2024-02-31');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/YYYY-MM-DD/);
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = await cli('show', '2401.99999');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no stored paper '2401.99999'/);
    expect((await cli('--help')).code).toBe(0);
    const badConfig = await runCli(['--data-dir', dataDir, 'stats'], { env: { PAPERFEED_HNSW_M: 'lots' } });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/PAPERFEED_HNSW_M/);
    expect(badConfig.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a store file that is not a paperfeed database, leaving it untouched', async () => {
    const bogus = join(dir, 'bogus');
    await runCli(['--data-dir', bogus, 'stats']);
    await writeFile(join(bogus, 'papers.sqlite'), 'not a database');
    const res = await runCli(['--data-dir', bogus, 'stats']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/papers\.sqlite/);
    expect(await readFile(join(bogus, 'papers.sqlite'), 'utf8')).toBe('not a database');
  });
});
