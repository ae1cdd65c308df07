import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { toPaper } from '../src/papers/normalize.ts';
import { addSnapshotLine } from '../src/sources/arxiv-snapshot.ts';
import { readFileSource, readPaperFiles } from '../src/sources/files.ts';
import { emptyBatch } from '../src/sources/validate.ts';
import type { SourceChunk } from '../src/sources/source.ts';

const SNAPSHOT = fileURLToPath(new URL('./fixtures/arxiv/arxiv-metadata-oai-snapshot.json', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'paperfeed-snapshot-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('arXiv metadata snapshot', () => {
  it('is recognised by its first record and mapped: v1 date, normalized text, parsed authors, categories', async () => {
    const batch = await readPaperFiles(SNAPSHOT);
    expect(batch.papers.map((p) => p.rawId)).toEqual([
      '0704.0001', 'hep-th/9901001', '2401.00001', '2402.01234', '1906.05000', '2312.09999',
    ]);
    expect(batch.papers[0]).toEqual({
      rawId: '0704.0001',
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
      abstract: expect.stringMatching(/^A fully differential calculation in perturbative quantum chromodynamics is presented for/),
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C. -P. Yuan'],
      published: '2007-04-02',
      categories: ['hep-ph'],
      doi: '10.1103/physrevd.76.013009',
      source: 'arxiv-snapshot',
    });
    for (const p of batch.papers) expect(`${p.title} ${p.abstract}`).not.toMatch(/\n|\s{2}|^\s|\s$/);
    // Old-style ids keep their archive; v1 (not the latest version) is the published date.
    expect(batch.papers[1]).toMatchObject({ title: 'Tachyon condensation and black strings', published: '1999-01-01' });
    expect(toPaper(batch.papers[1]!, new Date()).id).toBe('hep-th/9901001');
    // Without authors_parsed the authors string is split.
    expect(batch.papers[2]).toMatchObject({
      authors: ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'],
      published: '2023-12-31',
      categories: ['cs.LG', 'stat.ML'],
    });
  });

  it('keeps the first of several DOIs, and a record whose DOI field holds none without a DOI', () => {
    const record = (id: string, doi: string | null) =>
      JSON.stringify({ id, title: `Paper ${id}`, abstract: 'An abstract.', categories: 'hep-ph', doi, versions: [{ version: 'v1', created: 'Mon, 2 Apr 2007 19:18:42 GMT' }] });
    const batch = emptyBatch();
    addSnapshotLine(batch, record('0704.0002', '10.1103/PhysRevD.76.013009 10.1103/PhysRevD.77.019901'), 'a:1');
    addSnapshotLine(batch, record('0704.0003', 'Phys.Rev.D76:013009'), 'a:2');
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => [p.rawId, p.doi])).toEqual([['0704.0002', '10.1103/physrevd.76.013009'], ['0704.0003', undefined]]);
    expect(batch.papers[1]).not.toHaveProperty('doi');
  });

  it('names each bad record by file:line and reason, and skips it', async () => {
    const batch = await readPaperFiles(SNAPSHOT);
    expect(batch.issues.map((i) => [i.where, i.problem.replace(/: .*/s, ': …')])).toEqual([
      [`${SNAPSHOT}:4`, 'invalid JSON: …'],
      [`${SNAPSHOT}:5`, 'abstract is empty'],
      [`${SNAPSHOT}:7`, 'id "not-an-id" is not an arXiv id'],
      [`${SNAPSHOT}:8`, 'versions: …'],
      [`${SNAPSHOT}:11`, 'expected a JSON object'],
    ]);
    expect(batch.issues[3]!.problem).toBe('versions: "sometime last week" is not a date');
  });

  it('filters by category (exact, archive or prefix) and by first-submission date, counting what it left out', async () => {
    const read = async (categories?: string[], since?: string) => {
      let filtered = 0;
      const ids: string[] = [];
      for await (const chunk of readFileSource(SNAPSHOT, { filter: { categories, since } }).read()) {
        ids.push(...chunk.papers.map((p) => p.rawId!));
        filtered += chunk.filtered ?? 0;
      }
      return { ids, filtered };
    };
    expect(await read(['cs.LG', 'cs.CL'])).toEqual({ ids: ['2401.00001', '2402.01234', '2312.09999'], filtered: 3 });
    expect((await read(['cs.'])).ids).toEqual(['2401.00001', '2402.01234', '1906.05000', '2312.09999']);
    expect((await read(['hep-th'])).ids).toEqual(['hep-th/9901001']);
    expect(await read(['cs'], '2024-01-01')).toEqual({ ids: ['2402.01234'], filtered: 5 });
  });

  it('is read as the snapshot when the format is given, whatever the file is called', async () => {
    const renamed = join(tmp, 'dump.data');
    copyFileSync(SNAPSHOT, renamed);
    expect((await readPaperFiles(renamed)).issues[0]!.problem).toMatch(/unsupported file type/);
    const batch = await readPaperFiles(renamed, { format: 'arxiv-snapshot' });
    expect(batch.papers).toHaveLength(6);
  });

  it('streams with a position after each chunk, and reading from a position yields only what follows', async () => {
    const source = readFileSource(SNAPSHOT);
    const chunks: SourceChunk[] = [];
    for await (const chunk of source.read()) chunks.push(chunk);
    const positions = chunks.map((c) => c.position as { file: string; offset: number; line: number });
    expect(positions.at(-1)).toMatchObject({ file: SNAPSHOT, line: 12 });
    // Resume just after line 3 (a position taken from a fresh read of the first three lines).
    const firstThree = chunks[0]!.papers.slice(0, 3).map((p) => p.rawId);
    expect(firstThree).toEqual(['0704.0001', 'hep-th/9901001', '2401.00001']);
    const { readLines } = await import('../src/sources/lines.ts');
    let afterThree: { offset: number; line: number } | undefined;
    for await (const lines of readLines(SNAPSHOT)) afterThree ??= { offset: lines[2]!.end, line: 3 };
    const rest: string[] = [];
    const whereLines: string[] = [];
    for await (const chunk of source.read({ file: SNAPSHOT, ...afterThree })) {
      rest.push(...chunk.papers.map((p) => p.rawId!));
      whereLines.push(...chunk.issues.map((i) => i.where));
    }
    expect(rest).toEqual(['2402.01234', '1906.05000', '2312.09999']);
    // Line numbers stay those of the file.
    expect(whereLines[0]).toBe(`${SNAPSHOT}:4`);
  });
});
