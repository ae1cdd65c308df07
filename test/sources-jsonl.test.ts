import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toPaper } from '../src/papers/normalize.ts';
import { LIMITS, type Paper, type PaperInput } from '../src/papers/paper.ts';
import { parseJsonl, toJsonl } from '../src/sources/jsonl.ts';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/jsonl/${name}`, import.meta.url)), 'utf8');

describe('JSON Lines', () => {
  it('reads good lines, skips blank ones, and reports each bad line by file:line', () => {
    const batch = parseJsonl(fixture('papers.jsonl'), 'in/papers.jsonl');
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.10020', 'arXiv:2401.04088v1', 'internal-0042']);
    expect(batch.papers[0]).toEqual({
      rawId: '2401.10020',
      title: 'Self-Rewarding Language Models',
      abstract: expect.stringMatching(/^We study Self-Rewarding Language Models/),
      authors: ['Weizhe Yuan', 'Richard Yuanzhe Pang', 'Kyunghyun Cho'],
      absUrl: 'https://arxiv.org/abs/2401.10020',
      published: '2024-01-18',
      upvotes: 145,
      source: 'jsonl',
    });
    expect(batch.papers[1]).toMatchObject({ published: '2024-01-08', organization: 'Mistral AI', categories: ['cs.LG', 'cs.CL'] });
    expect(batch.papers[2]).toMatchObject({
      absUrl: 'https://example.org/reports/retrieval-evaluation',
      pdfUrl: 'https://example.org/reports/retrieval-evaluation.pdf',
    });
    expect(batch.issues.map((i) => i.where)).toEqual([
      'in/papers.jsonl:4',
      'in/papers.jsonl:6',
      'in/papers.jsonl:7',
      'in/papers.jsonl:8',
    ]);
    expect(batch.issues[0]!.problem).toMatch(/^invalid JSON: /);
    expect(batch.issues.slice(1).map((i) => i.problem)).toEqual([
      'abstract is empty',
      'published: expected an ISO date or datetime',
      'id is missing',
    ]);
  });

  it('rejects fields over the limits and values of the wrong type', () => {
    const lines = [
      { id: 'a', title: 't'.repeat(LIMITS.title + 1), abstract: 'x' },
      { id: 'b', title: 'Many authors', abstract: 'x', authors: Array.from({ length: LIMITS.authors + 1 }, (_, i) => `A${i}`) },
      { id: 'c', title: 'Numbers as strings', abstract: 'x', upvotes: '12' },
      { id: 2401.1234, title: 'Numeric id', abstract: 'x' },
      ['not', 'an', 'object'],
    ].map((o) => JSON.stringify(o));
    const batch = parseJsonl(lines.join('\n'), 'big.jsonl');
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toEqual([
      { where: 'big.jsonl:1', problem: `title is longer than ${LIMITS.title} characters` },
      { where: 'big.jsonl:2', problem: 'authors: Too big: expected array to have <=2000 items' },
      { where: 'big.jsonl:3', problem: 'upvotes: Invalid input: expected number, received string' },
      { where: 'big.jsonl:4', problem: 'id: Invalid input: expected string, received number' },
      { where: 'big.jsonl:5', problem: 'expected a JSON object' },
    ]);
  });

  it('skips lines marked as invalid UTF-8 and keeps the others', () => {
    const text = ['{"id":"1","title":"One","abstract":"First."}', '{"id":"2","title":"Tw\uFFFD","abstract":"Second."}'].join('\n');
    const batch = parseJsonl(text, 'u.jsonl', { badLines: new Set([2]) });
    expect(batch.papers.map((p) => p.title)).toEqual(['One']);
    expect(batch.issues).toEqual([{ where: 'u.jsonl:2', problem: 'invalid UTF-8 bytes; line skipped' }]);
  });
});

describe('JSON arrays', () => {
  it('reads a pretty-printed array and names bad items by position', () => {
    const batch = parseJsonl(fixture('papers-pretty.json'), 'p.json');
    expect(batch.papers).toEqual([
      {
        rawId: '2401.07812',
        title: 'Token Dropping for Efficient Long-Context Transformers',
        abstract: expect.any(String),
        authors: ['Daniel Kim'],
        published: '2024-01-15',
        categories: ['cs.CL', 'cs.LG'],
        source: 'jsonl',
      },
    ]);
    expect(batch.issues).toEqual([{ where: 'p.json#item 2', problem: 'abstract is empty' }]);
  });

  it('reads an array written one item per line even when one line is broken', () => {
    const batch = parseJsonl(fixture('papers-array.json'), 'a.json');
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.10020', '2401.07655']);
    expect(batch.papers[1]!.upvotes).toBe(3);
    expect(batch.issues).toHaveLength(1);
    expect(batch.issues[0]!.where).toBe('a.json:3');
    expect(batch.issues[0]!.problem).toMatch(/^invalid JSON: /);
  });

  it('reports a broken multi-line array as one issue for the file', () => {
    const broken = fixture('papers-pretty.json').replace('"authors": ["Daniel Kim"],', '"authors": ["Daniel Kim"');
    const batch = parseJsonl(broken, 'p.json');
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toHaveLength(1);
    expect(batch.issues[0]!.where).toBe('p.json');
    expect(batch.issues[0]!.problem).toMatch(/^not valid JSON: /);
  });
});

describe('JSON Lines DOIs', () => {
  it('reads a DOI in any usual spelling and names one that is none, skipping only that record', () => {
    const line = (id: string, doi: string) => JSON.stringify({ id, title: `Paper ${id}`, abstract: 'An abstract.', doi });
    const batch = parseJsonl([line('2401.00001', 'doi:10.1000/ABC'), line('2401.00002', 'see the journal')].join('\n'), 'd.jsonl');
    expect(batch.papers.map((p) => [p.rawId, p.doi])).toEqual([['2401.00001', '10.1000/abc']]);
    expect(batch.issues).toEqual([{ where: 'd.jsonl:2', problem: 'doi "see the journal" is not a DOI (expected 10.<registrant>/<suffix>)' }]);
  });
});

describe('toJsonl (the export format)', () => {
  const now = new Date('2024-02-01T10:00:00.000Z');
  const inputs: PaperInput[] = [
    {
      rawId: '2401.07890v2',
      title: 'Sharp Bounds for $\\ell_1$-Regularized Policy Gradient',
      abstract: 'We study policy gradient methods.\nWith a line break and "quotes".',
      authors: ['Lena Müller', 'Priya Raman'],
      published: '2024-01-15',
      upvotes: 4,
      organization: 'University of Lisbon',
      categories: ['cs.LG', 'math.OC'],
      doi: 'https://doi.org/10.1000/XYZ.123',
      source: 'arxiv-atom',
    },
    {
      title: 'A Field Guide to Retrieval Evaluation',
      abstract: 'Notes on evaluating retrieval.',
      absUrl: 'https://example.org/reports/retrieval-evaluation',
      source: 'jsonl',
    },
    { title: 'Sparse Autoencoders Find Features', abstract: 'We train sparse autoencoders.', authorCount: 5, source: 'hf-page' },
  ];

  it('writes one line with the stable field names, omitting what is unknown', () => {
    const paper = toPaper(inputs[0]!, now);
    const line = toJsonl(paper);
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line))).toEqual([
      'id', 'title', 'abstract', 'authors', 'url', 'pdfUrl', 'published', 'upvotes', 'organization', 'categories', 'doi', 'sources', 'firstSeen',
    ]);
    expect(JSON.parse(line)).toMatchObject({
      id: '2401.07890',
      doi: '10.1000/xyz.123',
      url: 'https://arxiv.org/abs/2401.07890',
      pdfUrl: 'https://arxiv.org/pdf/2401.07890',
      sources: ['arxiv-atom'],
      firstSeen: '2024-02-01T10:00:00.000Z',
    });
    expect(Object.keys(JSON.parse(toJsonl(toPaper(inputs[1]!, now))))).toEqual([
      'id', 'title', 'abstract', 'authors', 'url', 'sources', 'firstSeen',
    ]);
  });

  it('round-trips: what export writes, ingest reads back as the same paper', () => {
    const papers = inputs.map((i) => toPaper(i, now));
    const batch = parseJsonl(papers.map(toJsonl).join('\n') + '\n', 'export.jsonl');
    expect(batch.issues).toEqual([]);
    const content = ({ sources: _s, firstSeen: _f, updatedAt: _u, ...rest }: Paper) => rest;
    expect(batch.papers.map((p) => content(toPaper(p, now)))).toEqual(papers.map(content));
  });
});
