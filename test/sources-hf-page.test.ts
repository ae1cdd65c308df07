import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeTitle } from '../src/papers/ids.ts';
import { LIMITS } from '../src/papers/paper.ts';
import { readPaperFiles } from '../src/sources/files.ts';
import { parseHfPage } from '../src/sources/hf-page.ts';

const dataDir = fileURLToPath(new URL('../data', import.meta.url));
const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/hf-page/${name}`, import.meta.url)), 'utf8');
const now = new Date('2024-03-04T12:00:00Z');

describe('Hugging Face page text: the seed corpus in data/', () => {
  it('reads all 474 entries of the five files, 425 distinct papers, without issues', async () => {
    const batch = await readPaperFiles(dataDir, { now: new Date('2025-10-27T12:00:00Z') });
    expect(batch.issues).toEqual([]);
    expect(batch.papers).toHaveLength(474);
    expect(new Set(batch.papers.map((p) => normalizeTitle(p.title))).size).toBe(425);
    expect(batch.papers.every((p) => p.source === 'hf-page' && p.abstract.length > 100)).toBe(true);
  });

  it('reads both layouts: blank-line blocks with metadata, and title/abstract lines glued to "Subscribe"', () => {
    const blocks = parseHfPage(readFileSync(`${dataDir}/000_73e7cb5a3ecfc413.txt`, 'utf8'), 'data/000.txt', { now });
    expect(blocks.papers[0]).toMatchObject({
      title: 'An adaptively inexact first-order method for bilevel optimization with application to hyperparameter learning',
      authorCount: 4,
      published: '2023-08-19',
    });
    const lines = parseHfPage(readFileSync(`${dataDir}/001_eb5d1265b74e8397.txt`, 'utf8'), 'data/001.txt', { now });
    expect(lines.papers[0]!.title).toBe('Entropy-guided sequence weighting for efficient exploration in RL-based LLM fine-tuning');
    expect(lines.papers[0]!.abstract).toMatch(/^We introduce Entropy-Guided Sequence Weighting \(EGSW\)/);
    expect(lines.papers.at(-1)!.title).toBe('Forward-backward Gaussian variational inference via JKO in the Bures-Wasserstein Space');
  });

  it('reads the organization line and the upvote count after a year-less date ("Oct 3 2")', () => {
    const text = readFileSync(`${dataDir}/004_ff361a05fd18feef.txt`, 'utf8');
    const batch = parseHfPage(text, 'data/004.txt', { now: new Date('2025-10-27T00:00:00Z') });
    const paper = batch.papers.find((p) => p.title.startsWith('Low-probability Tokens Sustain Exploration'));
    expect(paper).toMatchObject({ organization: 'Tencent', published: '2025-10-03', upvotes: 2 });
    expect(paper).not.toHaveProperty('authorCount');
  });
});

describe('Hugging Face page text: layouts and edge cases', () => {
  it('maps every metadata form of layout A and reports an entry without abstract by its line', () => {
    const batch = parseHfPage(fixture('layout-a.txt'), 'page-a.txt', { now });
    expect(batch.papers.map((p) => p.title)).toEqual([
      'Sparse Autoencoders Find Interpretable Features in Language Models',
      'Scaling Test-Time Compute with Verifier-Guided Search',
      'A Paper Listed Without Any Metadata',
      'Year-less Dates Roll Back a Year When Still Ahead',
      'Upvotes Follow a Full Date Too',
    ]);
    const [sae, search, bare, yearless, upvoted] = batch.papers;
    expect(sae).toEqual({
      title: 'Sparse Autoencoders Find Interpretable Features in Language Models',
      abstract: expect.stringMatching(/^We train sparse autoencoders/),
      authorCount: 5,
      published: '2023-09-15',
      source: 'hf-page',
    });
    expect(search).toMatchObject({ organization: 'Tencent', published: '2024-02-28', upvotes: 12 });
    expect(bare).toEqual({ title: bare!.title, abstract: expect.any(String), source: 'hf-page' });
    expect(yearless).toMatchObject({ authorCount: 2, published: '2023-12-30' });
    expect(upvoted).toMatchObject({ authorCount: 1, published: '2022-11-02', upvotes: 7 });
    expect(batch.issues).toEqual([{ where: 'page-a.txt:41', problem: 'abstract is missing' }]);
  });

  it('resolves a year-less date to the most recent such day not after now', () => {
    const page = (date: string): string => `Title\n\nAbstract text.\n\n  • 2 authors\n·\n${date}\n`;
    const at = (iso: string) => new Date(iso);
    expect(parseHfPage(page('Mar 4'), 'x', { now: at('2024-03-04T00:00:00Z') }).papers[0]!.published).toBe('2024-03-04');
    expect(parseHfPage(page('Mar 5'), 'x', { now: at('2024-03-04T23:00:00Z') }).papers[0]!.published).toBe('2023-03-05');
    expect(parseHfPage(page('Feb 29'), 'x', { now: at('2025-06-01T00:00:00Z') }).papers[0]!.published).toBe('2024-02-29');
  });

  it('reads layout B (no blank lines) and keeps abstracts whole', () => {
    const batch = parseHfPage(fixture('layout-b.txt'), 'page-b.txt');
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => p.title)).toEqual([
      'Entropy-Regularized Process Reward Model',
      'Band-limited Soft Actor Critic Model',
      'Markov Categories and Entropy',
    ]);
    expect(batch.papers[1]!.abstract).toBe(
      'Soft Actor Critic (SAC) algorithms show remarkable performance in complex simulated environments.',
    );
  });

  it('skips an item with an invalid date, an abstract over the limit, or invalid bytes, and keeps the rest', () => {
    const huge = 'x'.repeat(LIMITS.abstract + 1);
    const text = [
      'First Paper', '', 'Fine abstract.', '', '  • 2 authors', '·', 'Feb 30, 2023', '',
      'Second Paper', '', huge, '', '  • 2 authors', '·', 'Jan 2, 2023', '',
      'Third Paper', '', 'Another fine abstract.', '', '  • 3 authors', '·', 'Jan 3, 2023', '',
      'Fourth Paper', '', 'Abstract on a damaged line.', '',
    ].join('\n');
    const batch = parseHfPage(text, 'p.txt', { badLines: new Set([27]) });
    expect(batch.papers.map((p) => p.title)).toEqual(['Third Paper']);
    expect(batch.issues).toEqual([
      { where: 'p.txt:1', problem: 'line 7: "Feb 30, 2023" is not a valid date' },
      { where: 'p.txt:9', problem: `abstract is longer than ${LIMITS.abstract} characters` },
      { where: 'p.txt:27', problem: 'invalid UTF-8 bytes on line 27; paper skipped' },
    ]);
  });

  it('reports a layout B file that lost a title instead of shifting every following paper', () => {
    const abstract = 'An abstract that lost its title line. '.repeat(20);
    const text = ['Subscribe', 'Good Title', 'Good abstract.', abstract, 'Next Title', 'Next abstract.'].join('\n');
    const batch = parseHfPage(text, 'b.txt');
    expect(batch.papers.map((p) => p.title)).toEqual(['Good Title', 'Next Title']);
    expect(batch.issues).toHaveLength(1);
    expect(batch.issues[0]!.where).toBe('b.txt:4');
    expect(batch.issues[0]!.problem).toMatch(/expected a title/);
  });
});
