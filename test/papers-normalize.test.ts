import { describe, expect, it } from 'vitest';
import { contentHash, mergePapers, samePaper, toPaper } from '../src/papers/normalize.ts';
import { paperInputSchema, type PaperInput } from '../src/papers/paper.ts';

const t0 = new Date('2024-01-15T08:00:00Z');
const t1 = new Date('2024-01-16T08:00:00Z');

const fromPage: PaperInput = {
  title: 'Sparse  Mixture of Experts\nfor Everyone',
  abstract: 'We study sparse experts.',
  authorCount: 4,
  published: '2024-01-14',
  upvotes: 12,
  source: 'hf-page',
};
const fromArxiv: PaperInput = {
  rawId: 'http://arxiv.org/abs/2401.12345v2',
  title: 'Sparse Mixture of Experts for Everyone',
  abstract: 'We study sparse experts, at length, with many more details.',
  authors: ['Ada Lovelace', 'Alan Turing'],
  categories: ['cs.LG'],
  source: 'arxiv-atom',
};

describe('toPaper', () => {
  it('derives the canonical id and links from an arXiv id', () => {
    const p = toPaper(fromArxiv, t0);
    expect(p.id).toBe('2401.12345');
    expect(p.absUrl).toBe('https://arxiv.org/abs/2401.12345');
    expect(p.pdfUrl).toBe('https://arxiv.org/pdf/2401.12345');
    expect(p.firstSeen).toBe(t0.toISOString());
  });

  it('falls back to a title id and collapses whitespace', () => {
    const p = toPaper(fromPage, t0);
    expect(p.id).toMatch(/^t-/);
    expect(p.title).toBe('Sparse Mixture of Experts for Everyone');
    expect(p.arxivId).toBeUndefined();
  });
});

describe('mergePapers', () => {
  it('keeps the richest fields, the arXiv id and the first-seen time', () => {
    const merged = mergePapers(toPaper(fromPage, t0), toPaper(fromArxiv, t1));
    expect(merged.id).toBe('2401.12345');
    expect(merged.abstract).toBe(fromArxiv.abstract);
    expect(merged.authors).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(merged.authorCount).toBe(4);
    expect(merged.upvotes).toBe(12);
    expect(merged.published).toBe('2024-01-14');
    expect(merged.sources).toEqual(['hf-page', 'arxiv-atom']);
    expect(merged.categories).toEqual(['cs.LG']);
    expect(merged.firstSeen).toBe(t0.toISOString());
    expect(merged.updatedAt).toBe(t1.toISOString());
  });

  it('reports no change when the same copy arrives again', () => {
    const a = toPaper(fromArxiv, t0);
    const again = mergePapers(a, toPaper(fromArxiv, t1));
    expect(samePaper(a, again)).toBe(true);
    expect(again.updatedAt).toBe(a.updatedAt);
    expect(contentHash(again)).toBe(contentHash(a));
  });
});

describe('control and invisible characters at the input edge', () => {
  const hostile: PaperInput = {
    title: 'Clean\u0000 title\u0007 with \u001b[31mcolour\u001b[0m and a \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
    abstract: 'Line one.\r\nLine two,\ttabbed.\u001b[2J\u001b[H Cleared? \u009b31m C1 too. \u202Eesrever\u202C and zero\u200Bwidth\uFEFF.',
    authors: ['Ada\u0008 Lovelace', '\u0007', 'Alan \u001b[1mTuring'],
    organization: 'Org\u0000',
    categories: ['cs.LG\u0007', 'cs.LG'],
    source: 'jsonl',
  };

  it('strips escape sequences, control characters, bidi overrides and zero-width spaces; whitespace becomes one space', () => {
    const p = toPaper(hostile, t0);
    expect(p.title).toBe('Clean title with colour and a link');
    expect(p.abstract).toBe('Line one. Line two, tabbed. Cleared? C1 too. esrever and zerowidth.');
    expect(p.authors).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(p.organization).toBe('Org');
    expect(p.categories).toEqual(['cs.LG']);
    // The id of a title-only paper is that of the cleaned title.
    expect(p.id).toBe(toPaper({ ...hostile, title: 'Clean title with colour and a link' }, t0).id);
  });

  it('keeps joiners and the characters of other scripts', () => {
    const p = toPaper({ ...hostile, title: 'नमस्ते \u200D👩\u200D🔬 فارسی\u200Cها Ünïcödé' }, t0);
    expect(p.title).toBe('नमस्ते \u200D👩\u200D🔬 فارسی\u200Cها Ünïcödé');
  });

  it('refuses a title or abstract made only of control characters, naming the field', () => {
    const title = paperInputSchema.safeParse({ ...hostile, title: '\u0007\u001b[0m\u0000' });
    expect(title.success).toBe(false);
    expect(title.error!.issues[0]).toMatchObject({ path: ['title'], message: 'title has only control or invisible characters' });
    const abstract = paperInputSchema.safeParse({ ...hostile, abstract: '\u200B\u202E' });
    expect(abstract.error!.issues[0]).toMatchObject({ path: ['abstract'], message: 'abstract has only control or invisible characters' });
    expect(paperInputSchema.safeParse(hostile).success).toBe(true);
  });
});

describe('DOIs', () => {
  it('are validated and normalized at the edge: lower-case, without resolver or doi: prefix', () => {
    const parse = (doi: string) => paperInputSchema.safeParse({ ...fromArxiv, doi });
    for (const spelling of ['10.1145/3571730.ABC', 'doi:10.1145/3571730.abc', 'DOI: 10.1145/3571730.abc', 'https://doi.org/10.1145/3571730.abc', 'http://dx.doi.org/10.1145%2F3571730.abc']) {
      expect(parse(spelling).data?.doi, spelling).toBe('10.1145/3571730.abc');
    }
    for (const garbage of ['', 'n/a', '10.12/x', 'https://example.org/10.1145/abc', `10.1145/${'x'.repeat(400)}`, '10.1145/has space', '10.1145/bell\u0007\u001b[2J']) {
      const result = parse(garbage);
      expect(result.success, garbage).toBe(false);
      expect(result.error?.issues.map((i) => [i.path.join('.'), i.message.replace(/".*"/, '"…"')])).toEqual([
        ['doi', 'doi "…" is not a DOI (expected 10.<registrant>/<suffix>)'],
      ]);
    }
  });

  it('a merge keeps a known DOI, takes a new one when none was known, and a paper without one is unchanged by a copy without one', () => {
    const page = toPaper({ ...fromPage, doi: '10.1000/Page' }, t0);
    const arxiv = toPaper({ ...fromArxiv, doi: '10.1000/other' }, t1);
    expect(page.doi).toBe('10.1000/page');
    expect(mergePapers(page, arxiv).doi).toBe('10.1000/page');
    const merged = mergePapers(toPaper(fromPage, t0), arxiv);
    expect(merged.doi).toBe('10.1000/other');
    expect(samePaper(merged, mergePapers(merged, toPaper(fromArxiv, t1)))).toBe(true);
    expect(mergePapers(toPaper(fromPage, t0), toPaper(fromArxiv, t1))).not.toHaveProperty('doi');
  });
});
