import { describe, expect, it } from 'vitest';
import { contentHash, mergePapers, samePaper, toPaper } from '../src/papers/normalize.ts';
import type { PaperInput } from '../src/papers/paper.ts';

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
