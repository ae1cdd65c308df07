// The library parsers on real-shaped exports (Zotero BibTeX / CSL JSON / RIS, a pasted list) and on hostile input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { parseBibtex } from '../src/library/bibtex.ts';
import { detectFormat, parseLibrary } from '../src/library/detect.ts';
import { LIBRARY_LIMITS, type LibraryEntry } from '../src/library/entry.ts';
import { normalizeDoi } from '../src/papers/doi.ts';
import { latexToText } from '../src/library/latex.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/library/${name}`, import.meta.url));
const byWhere = (entries: LibraryEntry[], prefix: string) => entries.find((e) => e.where.startsWith(prefix));

describe('LaTeX in BibTeX values', () => {
  it('decodes accents in every spelling, letters, escapes, dashes, font commands and braces', () => {
    expect(latexToText('G{\\"o}del, \\"Uber, Caf\\\'e, \\v{C}ech, Erd\\H{o}s, Na\\"{\\i}ve, \\c c')).toBe('Gödel, Über, Café, Čech, Erdős, Naïve, ç');
    expect(latexToText('gr{\\"o}{\\ss}erer, {\\AA}ngstr\\"om, \\o{}re, \\L{}\\\'od\\\'z')).toBe('größerer, Ångström, øre, Łódź');
    expect(latexToText('50\\% of \\emph{Deep} {{BERT}} -- pages 1--2 --- \\& co~et~al. \\$5')).toBe('50% of Deep BERT – pages 1–2 — & co et al. $5');
    expect(latexToText('An $O(n \\log n)$ bound')).toBe('An O(n log n) bound');
  });
});

describe('BibTeX', () => {
  const lib = parseLibrary(fixture('zotero.bib'), 'zotero.bib');

  it('reads Zotero/Better BibTeX entries: ids from eprint, arXiv DOIs, journal notes and URLs; macros, # and month names', () => {
    expect(lib.format).toBe('bibtex');
    const v = byWhere(lib.entries, 'entry vaswani2017attention')!;
    expect(v).toMatchObject({ title: 'Attention Is All You Need', arxivId: '1706.03762' });
    expect(v.abstract).toMatch(/^The dominant sequence transduction models/);
    expect(v.where).toBe('entry vaswani2017attention (line 5)');
    expect(byWhere(lib.entries, 'entry ho2020ddpm')).toMatchObject({ title: 'Denoising Diffusion Probabilistic Models', arxivId: '2006.11239', doi: '10.48550/arxiv.2006.11239' });
    expect(byWhere(lib.entries, 'entry devlin2018bert')).toMatchObject({ arxivId: '1810.04805' });
    expect(byWhere(lib.entries, 'entry reddi2018adam')).toMatchObject({ arxivId: '1904.09237', title: 'On the convergence of Adam and beyond' });
    expect(byWhere(lib.entries, 'entry lastone')).toMatchObject({ arxivId: '2101.00001', title: 'Naïve Bayes at Scale' });
    expect(byWhere(lib.entries, 'entry pidm')).toMatchObject({ title: 'Physics-Informed Diffusion Models' });
    expect(byWhere(lib.entries, 'entry pidm')!.arxivId).toBeUndefined();
  });

  it('decodes accents in titles and abstracts and keeps a journal DOI lower-cased', () => {
    const g = byWhere(lib.entries, 'entry goedel1931')!;
    expect(g.title).toBe('Über formal unentscheidbare Sätze der Principia Mathematica und verwandter Systeme I');
    expect(g.abstract).toContain('größerer Exaktheit');
    expect(g.abstract).toContain('daß weite Gebiete');
    expect(g.doi).toBe('10.1007/bf01700692');
    expect(byWhere(lib.entries, 'entry erdos')!.title).toBe('Erdős on Graphs: His Legacy of Unsolved Problems');
  });

  it('names every bad entry with its key, line and reason, and reads the entries after it', () => {
    const reasons = Object.fromEntries(lib.skipped.map((s) => [s.where, s.reason]));
    expect(reasons['entry broken2020 (line 56)']).toMatch(/^unbalanced braces: field title opened at line 57 is not closed before the next entry at line 61/);
    expect(reasons['entry nofields (line 68)']).toBe('it has no title, arXiv id or DOI');
    expect(reasons['entry missingcomma (line 73)']).toBe("line 75: expected ',' or '}' after field title");
    expect(lib.skipped).toHaveLength(3);
    // The entry right after the unclosed brace, and the last one, still count.
    expect(lib.entries.map((e) => e.where.split(' ')[1])).toEqual(['vaswani2017attention', 'ho2020ddpm', 'devlin2018bert', 'pidm', 'reddi2018adam', 'goedel1931', 'erdos', 'lastone']);
  });

  it('reports an entry whose brace never closes with the line it opened on', () => {
    const r = parseBibtex('@article{a, title={One}}\n\n@article{b,\n  title = {Two {nested}\n  year = 2020\n');
    expect(r.entries.map((e) => e.title)).toEqual(['One']);
    expect(r.skipped).toEqual([{ where: 'entry b (line 3)', reason: 'unbalanced braces: field title opened at line 4 is not closed before the end of the file' }]);
  });

  it('takes parentheses as entry delimiters, @string macros case-insensitively, and ignores text between entries', () => {
    const r = parseBibtex('Some notes, mail me at a@b.org\n@STRING(T = "Deep")\n@Article(k1, title = t # " Nets", eprint = "hep-th/9901001")');
    expect(r.entries).toEqual([{ where: 'entry k1 (line 3)', title: 'Deep Nets', arxivId: 'hep-th/9901001' }]);
  });
});

describe('CSL JSON (Zotero)', () => {
  const lib = parseLibrary(fixture('zotero.json'), 'zotero.json');

  it('reads arXiv ids from URL, number and DOI, titles and abstracts', () => {
    expect(lib.format).toBe('csl-json');
    expect(lib.entries[0]).toMatchObject({ where: 'item 1 (http://zotero.org/users/123/items/ABCD1234)', arxivId: '1706.03762', title: 'Attention Is All You Need' });
    expect(lib.entries[1]).toMatchObject({ title: 'Input perturbation reduces exposure bias in diffusion models' });
    expect(lib.entries[2]).toMatchObject({ doi: '10.1007/bf01700692', abstract: 'Die Entwicklung der Mathematik in der Richtung zu größerer Exaktheit.' });
  });

  it('names an item of the wrong shape and one that names no paper', () => {
    expect(lib.skipped).toEqual([
      { where: 'item 4 (http://zotero.org/users/123/items/MNOP3456)', reason: expect.stringMatching(/^title: .*string/) },
      { where: 'item 5 (http://zotero.org/users/123/items/QRST7890)', reason: 'it has no title, arXiv id or DOI' },
    ]);
  });

  it('refuses JSON that does not parse, saying so', () => {
    expect(() => parseLibrary('[{"title": "x",]', 'broken.json')).toThrow(/not valid JSON/);
  });
});

describe('RIS', () => {
  const lib = parseLibrary(fixture('zotero.ris'), 'zotero.ris');

  it('reads records with CRLF line ends, wrapped abstracts, UR and DO', () => {
    expect(lib.format).toBe('ris');
    expect(lib.entries[0]).toMatchObject({ where: 'record 1 (line 1)', title: 'Attention Is All You Need', arxivId: '1706.03762' });
    expect(lib.entries[1]).toMatchObject({
      title: 'Solving inverse problems with latent diffusion models via hard data consistency',
      abstract: 'Diffusion models have recently emerged as powerful generative priors for solving inverse problems.',
    });
    expect(lib.entries[2]).toMatchObject({ title: 'Eine neue Bestimmung der Moleküldimensionen', doi: '10.1002/andp.19063240204' });
  });

  it('names a record without a title or id and one the file cuts off', () => {
    expect(lib.skipped).toEqual([
      { where: 'record 4 (line 21)', reason: 'it has no title, arXiv id or DOI' },
      { where: 'record 5 (line 25)', reason: 'the file ends before its ER line' },
    ]);
  });
});

describe('a plain list', () => {
  it('reads arXiv ids in every form and DOIs, and names what is neither', () => {
    const lib = parseLibrary(fixture('ids.txt'), 'ids.txt');
    expect(lib.format).toBe('list');
    expect(lib.entries.map((e) => e.arxivId ?? e.doi)).toEqual(['1706.03762', '2006.11239', '1810.04805', '1904.09237', '2006.11239', '10.1007/bf01700692', '2401.99999']);
    expect(lib.entries[0]!.where).toBe('line 2 (1706.03762v5)');
    expect(lib.skipped).toEqual([
      { where: 'line 7 (https://example.org/not-a-paper)', reason: 'a link that names no arXiv paper or DOI' },
      { where: 'line 8 (hello)', reason: 'not an arXiv id, DOI or link' },
    ]);
  });

  it('normalizes DOIs from any spelling', () => {
    expect(['10.1000/ABC.def', 'doi:10.1000/abc.DEF', 'https://dx.doi.org/10.1000/abc.def.', 'https://doi.org/10.1000%2Fabc.def'].map(normalizeDoi)).toEqual(
      Array(4).fill('10.1000/abc.def'),
    );
  });
});

describe('format detection and hostile input', () => {
  it('detects by content, with the extension as tie-breaker', () => {
    expect(detectFormat('  [ {"title": "x"} ]', 'refs.txt')).toBe('csl-json');
    expect(detectFormat('% comment\n@article{a, title={x}}', 'refs.txt')).toBe('bibtex');
    expect(detectFormat('TY  - JOUR\nER  - ', undefined)).toBe('ris');
    expect(detectFormat('1706.03762', 'list.bib')).toBe('bibtex');
    expect(detectFormat('1706.03762', undefined)).toBe('list');
  });

  it('refuses a file over the size limit, saying the limit', () => {
    const huge = Buffer.alloc(LIBRARY_LIMITS.bytes + 1, 0x20);
    expect(() => parseLibrary(huge, 'huge.bib')).toThrow(new UserError('huge.bib is 5.0 MB; a library file may be at most 5.0 MB (export a smaller collection, or split it)'));
  });

  it('refuses binary input: a PDF, a zip, NUL bytes, invalid UTF-8', () => {
    expect(() => parseLibrary(Buffer.from('%PDF-1.7\n...'), 'paper.pdf')).toThrow(/paper\.pdf is a PDF, not a library file/);
    expect(() => parseLibrary(Buffer.from([0x50, 0x4b, 3, 4, 0, 0]), 'refs.zip')).toThrow(/zip archive/);
    expect(() => parseLibrary(Buffer.from('@article{a,\u0000}'), 'x.bib')).toThrow(/binary \(a NUL byte at offset 11\)/);
    expect(() => parseLibrary(Buffer.from([0x40, 0xff, 0xfe, 0x41]), 'x.bib')).toThrow(/binary or not UTF-8/);
  });

  it('refuses an empty file and reads a UTF-8 BOM as nothing', () => {
    expect(() => parseLibrary(Buffer.from('  \n'), 'empty.bib')).toThrow(/empty\.bib is empty/);
    expect(parseLibrary(Buffer.from('\uFEFF@article{a, title = {T}}'), 'bom.bib').entries).toHaveLength(1);
  });

  it('reads a file of many entries up to the entry limit and names the rest', () => {
    const bib = Array.from({ length: LIBRARY_LIMITS.entries + 3 }, (_, i) => `@misc{k${i}, title = {Paper ${i}}}`).join('\n');
    const lib = parseBibtex(bib);
    expect(lib.entries).toHaveLength(LIBRARY_LIMITS.entries);
    expect(lib.skipped).toEqual([{ where: `line ${LIBRARY_LIMITS.entries + 1} onwards`, reason: `an import reads at most ${LIBRARY_LIMITS.entries} entries` }]);
  });

  it('survives deeply nested braces and an unclosed quote', () => {
    const deep = `@misc{d, title = {${'{'.repeat(5000)}x${'}'.repeat(5000)}}}\n@misc{q, title = "open\n@misc{z, title = {Z}}`;
    const lib = parseBibtex(deep);
    expect(lib.entries.map((e) => e.title)).toEqual(['x', 'Z']);
    expect(lib.skipped).toEqual([{ where: 'entry q (line 2)', reason: 'field title: the quote opened at line 2 is not closed' }]);
  });
});
