import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusSummary } from '../bench/corpus/generate.ts';
import { runCli } from './helpers/cli.ts';

// The corpus generator behind `npm run bench -- corpus`: same seed, same bytes; arXiv-shaped ids
// and days; a vocabulary that keeps growing; files the real `paperfeed ingest` takes whole.
describe('corpus generator', () => {
  let dir: string;
  let a: CorpusSummary;
  const readDays = async (out: string) => {
    const days = join(dir, out, 'days');
    const files = (await readdir(days)).sort();
    return Promise.all(files.map(async (f) => [f, await readFile(join(days, f), 'utf8')] as const));
  };
  const records = async (out: string) =>
    (await readDays(out)).flatMap(([, text]) => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-corpus-gen-'));
    // From a Thursday at the end of January: a weekend to skip and a new month to number.
    a = generateCorpus({ papers: 2_500, out: join(dir, 'a'), perDay: 600, start: '2024-01-25', single: join(dir, 'a.jsonl') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same bytes for the same seed, and other text for another seed', async () => {
    generateCorpus({ papers: 2_500, out: join(dir, 'b'), perDay: 600, start: '2024-01-25' });
    generateCorpus({ papers: 2_500, out: join(dir, 'c'), perDay: 600, start: '2024-01-25', seed: 7 });
    const [da, db, dc] = await Promise.all([readDays('a'), readDays('b'), readDays('c')]);
    expect(db).toEqual(da);
    expect(dc.map(([f]) => f)).toEqual(da.map(([f]) => f));
    expect(dc[0]![1]).not.toBe(da[0]![1]);
  });

  it('numbers ids per month as YYMM.NNNNN and files one weekday per file', async () => {
    expect(a.days.map((d) => [d.date, d.papers])).toEqual([
      ['2024-01-25', 600],
      ['2024-01-26', 600],
      ['2024-01-29', 600],
      ['2024-01-30', 600],
      ['2024-01-31', 100],
    ]);
    const all = await records('a');
    expect(all).toHaveLength(2_500);
    expect(all[0]).toMatchObject({ id: '2401.00001', published: '2024-01-25', url: 'https://arxiv.org/abs/2401.00001' });
    expect(all.at(-1)).toMatchObject({ id: '2401.02500', published: '2024-01-31' });
    const feb = generateCorpus({ papers: 5, out: join(dir, 'feb'), perDay: 2, start: '2024-01-30' });
    expect(feb.days.map((d) => d.date)).toEqual(['2024-01-30', '2024-01-31', '2024-02-01']);
    expect((await records('feb')).map((r) => r.id)).toEqual(['2401.00001', '2401.00002', '2401.00003', '2401.00004', '2402.00001']);
  });

  it('writes papers with text, authors and categories, and the single file holds them all in order', async () => {
    const all = await records('a');
    for (const r of all) {
      expect(typeof r.title).toBe('string');
      expect((r.abstract as string).length).toBeGreaterThan(200);
      expect((r.authors as string[]).length).toBeGreaterThan(0);
      expect((r.categories as string[])[0]).toMatch(/^[a-z]+(-[a-z]+)?\.[A-Z]{2}$/);
    }
    expect(new Set(all.map((r) => r.title)).size).toBeGreaterThan(all.length * 0.99);
    const single = await readFile(join(dir, 'a.jsonl'), 'utf8');
    expect(single).toBe((await readDays('a')).map(([, text]) => text).join(''));
    expect(a.picks).toHaveLength(256);
    expect(new Set(a.picks.map((p) => p.id)).size).toBe(256);
  });

  it('keeps coining words as the corpus grows: every day has words no earlier day had', async () => {
    const seen = new Set<string>();
    const newPerDay: number[] = [];
    for (const [, text] of await readDays('a')) {
      let fresh = 0;
      for (const line of text.trimEnd().split('\n')) {
        const r = JSON.parse(line) as { title: string; abstract: string };
        for (const w of `${r.title} ${r.abstract}`.split(/[^\p{L}\p{N}-]+/u)) {
          if (w && !seen.has(w)) {
            seen.add(w);
            fresh++;
          }
        }
      }
      newPerDay.push(fresh);
    }
    expect(a.terms).toBeGreaterThan(500);
    // About 130 new terms per full day here (Heaps' law at 600 papers a day); the last day has 100 papers.
    for (const fresh of newPerDay.slice(1, -1)) expect(fresh).toBeGreaterThan(50);
    expect(newPerDay.at(-1)).toBeGreaterThan(0);
  });

  it('writes the arXiv metadata snapshot format as one object per line, without the days held back', async () => {
    const snap = generateCorpus({ papers: 7, perDay: 3, out: join(dir, 'snap'), single: join(dir, 'snap.json'), singleFormat: 'arxiv-snapshot', holdBack: 2 });
    expect(snap.days.map((d) => [d.file.split('/').at(-2), d.papers])).toEqual([['days', 3], ['held-back', 3], ['held-back', 1]]);
    expect(snap.picks.map((p) => p.id)).toEqual(['1901.00001', '1901.00002', '1901.00003']);
    const lines = (await readFile(join(dir, 'snap.json'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    const days = await records('snap');
    expect(lines).toHaveLength(3);
    lines.forEach((s, i) => {
      const d = days[i]!;
      expect(s).toMatchObject({ id: d.id, update_date: d.published, categories: (d.categories as string[]).join(' ') });
      // Hard-wrapped like the real file: the same words once runs of white space are collapsed.
      const collapse = (t: string) => t.replace(/\s+/g, ' ').trim();
      expect(s.abstract).toMatch(/^ {2}\S[^]*\n[^]*\n$/);
      expect(collapse(s.abstract)).toBe(d.abstract);
      expect(collapse(s.title)).toBe(d.title);
      expect(s.versions[0]).toMatchObject({ version: 'v1' });
      expect(s.authors_parsed).toHaveLength((d.authors as string[]).length);
    });
  });

  it('is taken whole by `paperfeed ingest`: every paper added, none skipped', async () => {
    const r = await runCli(['--data-dir', join(dir, 'store'), 'ingest', join(dir, 'a', 'days'), '--json'], {
      env: { PAPERFEED_EMBEDDINGS: 'builtin' },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ read: 2_500, added: 2_500, duplicates: 0, skipped: [] });
  }, 250_000);
});
