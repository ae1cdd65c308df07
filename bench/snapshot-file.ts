// Generated files in the arXiv metadata snapshot format, for the backfill bench and the kill -9 test.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const WORDS = 'sparse dense graph neural transport kernel diffusion retrieval policy gradient language vision token expert'.split(' ');
const word = (i: number, k: number): string => WORDS[(i * 7 + k * 3) % WORDS.length]!;

/** The arXiv id of record i: distinct for i < 100,000. */
export function snapshotId(i: number): string {
  return `23${String(1 + (i % 12)).padStart(2, '0')}.${String(i).padStart(5, '0')}`;
}

/** The stored (normalized) title of record i. */
export function snapshotTitle(i: number): string {
  return `On ${word(i, 1)} ${word(i, 2)} methods number ${i}`;
}

/** One snapshot line (about 700 bytes), with the line breaks and double spaces of the real file. */
export function snapshotLine(i: number): string {
  return JSON.stringify({
    id: snapshotId(i),
    submitter: 'A. Author',
    authors: 'A. Author, B. Author and C. Author',
    title: `On ${word(i, 1)} ${word(i, 2)} methods\n  number ${i}`,
    comments: '12 pages, 3 figures',
    'journal-ref': null,
    doi: null,
    'report-no': null,
    categories: i % 3 ? 'cs.LG stat.ML' : 'cs.CL',
    license: 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
    abstract:
      `  We study ${word(i, 1)} ${word(i, 2)} and ${word(i, 3)} ${word(i, 4)} models, paper ${i}, with\n${word(i, 5)} experiments ` +
      `on ${word(i, 6)} data and a  ${word(i, 7)} analysis of their ${word(i, 8)} behaviour over many settings, ` +
      `comparing ${word(i, 9)} baselines\nacross ${word(i, 10)} benchmarks.\n`,
    versions: [
      { version: 'v1', created: 'Mon, 2 Jan 2023 10:00:00 GMT' },
      { version: 'v2', created: 'Tue, 14 Feb 2023 18:30:00 GMT' },
    ],
    update_date: '2023-02-15',
    authors_parsed: [['Author', 'A.', ''], ['Author', 'B.', ''], ['Author', 'C.', '']],
  });
}

/** Writes records 0..n-1 to path. */
export async function writeSnapshotFile(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    if (!out.write(`${snapshotLine(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
