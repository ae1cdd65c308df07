// Reading-list exports read back: BibTeX by a strict reader (balanced braces, every escape undone),
// CSL JSON as Zotero's importer expects it, JSON Lines by paperfeed's own ingest parser.
import { describe, expect, it } from 'vitest';
import { exportReferences } from '../src/commands/definitions/saved.ts';
import type { Paper } from '../src/papers/paper.ts';
import { bibtexEscape, bibtexKey, toBibtex, toCslItems } from '../src/papers/reference-export.ts';
import { parseJsonl } from '../src/sources/jsonl.ts';

const paper = (over: Partial<Paper>): Paper => ({
  id: '2401.12345',
  arxivId: '2401.12345',
  title: 'Attention Is All You Need',
  abstract: 'We propose the Transformer.',
  authors: ['Ashish Vaswani', 'Noam Shazeer'],
  sources: ['jsonl'],
  absUrl: 'https://arxiv.org/abs/2401.12345',
  published: '2024-01-19',
  categories: ['cs.CL'],
  firstSeen: '2024-01-19T10:00:00.000Z',
  updatedAt: '2024-01-19T10:00:00.000Z',
  ...over,
});

const HOSTILE = paper({
  id: '2402.00001',
  arxivId: '2402.00001',
  title: 'Cost 100% & {unbalanced $x_i^2$ #1 ~ \\LaTeX} }{ Müller–Øresund',
  abstract: 'Line one\nline two\twith a tab \u0007bell and a trailing backslash \\',
  authors: ['José Müller', 'Smith and Sons', 'van der Berg, Jan'],
  authorCount: 5,
  published: '2024-02-03',
});

const UNLATEX: [RegExp, string][] = [
  [/\\textbackslash\{\}/g, '\\'],
  [/\\textasciitilde\{\}/g, '~'],
  [/\\textasciicircum\{\}/g, '^'],
  [/\\([{}&%$#_])/g, '$1'],
];

/**
 * A strict reader for the BibTeX we write: `@type{key,` then `name = {value}` or a bare macro,
 * with brace depth tracked (an escaped brace does not count); throws on anything unbalanced.
 */
function readBibtex(text: string): { type: string; key: string; fields: Record<string, string> }[] {
  const out: { type: string; key: string; fields: Record<string, string> }[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const braced = (): string => {
    if (text[i] !== '{') fail('expected {');
    let depth = 0;
    const start = i + 1;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return text.slice(start, i++);
    }
    return fail('unbalanced braces');
  };
  for (skipWs(); i < text.length; skipWs()) {
    const head = /^@(\w+)\{([^,\s{}]+),/.exec(text.slice(i)) ?? fail('expected an entry');
    i += head[0].length;
    const fields: Record<string, string> = {};
    for (;;) {
      skipWs();
      if (text[i] === '}') {
        i++;
        break;
      }
      const name = /^(\w+)\s*=\s*/.exec(text.slice(i)) ?? fail('expected a field');
      i += name[0].length;
      let value: string;
      if (text[i] === '{') value = braced();
      else {
        const macro = /^\w+/.exec(text.slice(i)) ?? fail('expected a value');
        value = macro[0];
        i += value.length;
      }
      if (fields[name[1]!] !== undefined) fail(`field ${name[1]} twice`);
      fields[name[1]!] = UNLATEX.reduce((s, [re, to]) => s.replace(re, to), value);
      skipWs();
      if (text[i] === ',') i++;
    }
    out.push({ type: head[1]!, key: head[2]!, fields });
  }
  return out;
}

describe('BibTeX', () => {
  it('escapes every special character, so hostile text reads back as written (spaces folded)', () => {
    const [e] = readBibtex(toBibtex([HOSTILE]));
    expect(e!.type).toBe('misc');
    expect(e!.fields.title).toBe(HOSTILE.title.replace(/\s+/g, ' '));
    expect(e!.fields.abstract).toBe('Line one line two with a tab bell and a trailing backslash \\');
    expect(e!.fields.author).toBe('José Müller and {Smith and Sons} and van der Berg, Jan and others');
    expect(e!.fields.month).toBe('feb');
    expect(e!.fields.year).toBe('2024');
    expect(e!.fields.eprint).toBe('2402.00001');
    expect(e!.fields.archiveprefix).toBe('arXiv');
    expect(e!.fields.primaryclass).toBe('cs.CL');
    expect(bibtexEscape('a\u0000b')).toBe('a b');
  });

  it('gives each paper a stable key, unique within a file whatever the order', () => {
    expect(bibtexKey(paper({}))).toBe('vaswani2024attention');
    expect(bibtexKey(HOSTILE)).toBe('muller2024cost');
    expect(bibtexKey(paper({ authors: [], title: 'The On Of', published: undefined }))).toBe('anon');
    const twin = paper({ id: '2401.99999', arxivId: '2401.99999' });
    const keys = (ps: Paper[]) => Object.fromEntries(readBibtex(toBibtex(ps)).map((e) => [e.fields.eprint, e.key]));
    const forward = keys([paper({}), twin, HOSTILE]);
    expect(forward).toEqual({ '2401.12345': 'vaswani2024attentiona', '2401.99999': 'vaswani2024attentionb', '2402.00001': 'muller2024cost' });
    expect(keys([HOSTILE, twin, paper({})])).toEqual(forward);
  });

  it('writes an undated paper without a year or month, and a title-hash paper without an eprint', () => {
    const [e] = readBibtex(toBibtex([paper({ id: 't-abc', arxivId: undefined, published: undefined, absUrl: undefined, authors: [] })]));
    expect(Object.keys(e!.fields).sort()).toEqual(['abstract', 'title']);
  });
});

describe('CSL JSON', () => {
  it('is an array of article items with split names and date parts, as Zotero imports them', () => {
    const items = JSON.parse(exportReferences([paper({}), HOSTILE], 'csl')) as ReturnType<typeof toCslItems>;
    expect(items[0]).toEqual({
      id: 'vaswani2024attention',
      'citation-key': 'vaswani2024attention',
      type: 'article',
      title: 'Attention Is All You Need',
      author: [
        { family: 'Vaswani', given: 'Ashish' },
        { family: 'Shazeer', given: 'Noam' },
      ],
      issued: { 'date-parts': [[2024, 1, 19]] },
      abstract: 'We propose the Transformer.',
      URL: 'https://arxiv.org/abs/2401.12345',
      number: 'arXiv:2401.12345',
      publisher: 'arXiv',
    });
    expect(items[1]!.title).toBe(HOSTILE.title);
    expect(items[1]!.author).toEqual([
      { family: 'Müller', given: 'José' },
      { family: 'Sons', given: 'Smith and' },
      { family: 'van der Berg', given: 'Jan' },
    ]);
    expect(new Set(items.map((x) => x.id)).size).toBe(2);
  });
});

describe('JSON Lines', () => {
  it('is what `paperfeed export --jsonl` writes, and ingest reads it back', () => {
    const text = exportReferences([paper({}), HOSTILE], 'jsonl');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    const batch = parseJsonl(text, 'saved.jsonl');
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => [p.rawId, p.title, p.authors])).toEqual([
      ['2401.12345', 'Attention Is All You Need', ['Ashish Vaswani', 'Noam Shazeer']],
      ['2402.00001', HOSTILE.title, HOSTILE.authors],
    ]);
  });
});
