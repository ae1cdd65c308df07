import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { toPaper } from '../src/papers/normalize.ts';
import { arxivQueryUrl, parseArxivAtom } from '../src/sources/arxiv-atom.ts';
import { parseArxivRss, splitAuthors } from '../src/sources/arxiv-rss.ts';
import { createNetworkSource } from '../src/sources/network.ts';
import { sendText, startLocalServer, type LocalServer } from './helpers/local-server.ts';
import { collectSource } from '../src/sources/source.ts';
import { networkConfig } from './helpers/network-config.ts';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/arxiv/${name}`, import.meta.url)), 'utf8');
const WHERE = 'https://export.arxiv.org/api/query?search_query=cat:cs.LG';

const config = (url: string, minIntervalMs = 0) => networkConfig(url, { PAPERFEED_ARXIV_MIN_INTERVAL_MS: minIntervalMs });

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('arXiv Atom (export API)', () => {
  it('maps entries: id, collapsed title and abstract, authors, dates, links, categories (primary first)', () => {
    const batch = parseArxivAtom(fixture('atom-page1.xml'), WHERE);
    expect(batch.issues).toEqual([]);
    expect(batch.papers).toHaveLength(2);
    const [first, second] = batch.papers;
    expect(first).toEqual({
      rawId: '2401.07890',
      title: 'Sharp Bounds for $\\ell_1$-Regularized Policy Gradient in Linear Quadratic Control',
      abstract: expect.stringMatching(/^We study policy gradient methods with an \$\\ell_1\$ penalty for the linear quadratic regulator\. /),
      authors: ['Lena M\\"uller', 'Tomás Ferreira', 'Priya Raman'],
      absUrl: 'http://arxiv.org/abs/2401.07890v1',
      pdfUrl: 'http://arxiv.org/pdf/2401.07890v1',
      published: '2024-01-15',
      categories: ['cs.LG', 'math.OC', 'eess.SY'],
      source: 'arxiv-atom',
    });
    expect(first!.abstract).toContain('confirm that $<5\\%$ of the gains');
    expect(first!.abstract).not.toMatch(/\n|\s{2}/);
    // <arxiv:doi>, kept in its stored form (the first entry has none: toEqual above says so).
    expect(second).toMatchObject({ rawId: '2401.07812', authors: ['Daniel Kim'], categories: ['cs.CL', 'cs.LG'], doi: '10.48550/arxiv.2401.07812' });
    expect(second!.abstract).toContain('PG-19 & arXiv');
    expect(toPaper(second!, new Date()).id).toBe('2401.07812');
  });

  it('turns the API\'s "Error" entry into one issue for the page', () => {
    const batch = parseArxivAtom(fixture('atom-error.xml'), WHERE);
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toEqual([{ where: WHERE, problem: 'arXiv API error: max_results must be non-negative' }]);
  });

  it('reports XML that does not parse with its position, and a document that is not a feed', () => {
    const broken = fixture('atom-page1.xml').replace('</title>\n    <summary>', '\n    <summary>');
    const batch = parseArxivAtom(broken, WHERE);
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toHaveLength(1);
    expect(batch.issues[0]!.where).toBe(WHERE);
    expect(batch.issues[0]!.problem).toMatch(/^not well-formed XML: .*\(line \d+, column \d+\)$/);
    expect(parseArxivAtom('<html><body>Service unavailable</body></html>', WHERE).issues).toEqual([
      { where: WHERE, problem: 'not an Atom feed (no <feed> element)' },
    ]);
  });

  it('skips an entry with an empty summary or a huge title, keeping the others', () => {
    const text = fixture('atom-page1.xml')
      .replace(/<summary>\s+Long-context[\s\S]*?<\/summary>/, '<summary>   </summary>')
      .replace('<title>Sharp Bounds', `<title>${'Very '.repeat(300)}Sharp Bounds`);
    const batch = parseArxivAtom(text, WHERE);
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toEqual([
      { where: `${WHERE}#item 1`, problem: 'title is longer than 1000 characters' },
      { where: `${WHERE}#item 2`, problem: 'abstract is empty' },
    ]);
  });

  it('builds the documented query for categories and a submission day', () => {
    const url = new URL(arxivQueryUrl('https://export.arxiv.org/', { categories: ['cs.LG', 'cs.CL'], date: '2024-01-15' }, 100, 50));
    expect(url.pathname).toBe('/api/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      search_query: '(cat:cs.LG OR cat:cs.CL) AND submittedDate:[202401150000 TO 202401152359]',
      start: '100',
      max_results: '50',
      sortBy: 'submittedDate',
      sortOrder: 'descending',
    });
  });

  it('pages by start until totalResults, keeping the minimum interval between requests', async () => {
    server = await startLocalServer({
      '/api/query': (req, res) =>
        sendText(res, 200, fixture(req.url.searchParams.get('start') === '0' ? 'atom-page1.xml' : 'atom-page2.xml'), {
          'content-type': 'application/atom+xml; charset=utf-8',
        }),
    });
    const source = createNetworkSource('arxiv', config(server.url, 150), { date: '2024-01-15', pageSize: 2 });
    const batch = await collectSource(source);
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.07890', '2401.07812', '2401.07655']);
    expect(server.requests.map((r) => [r.url.searchParams.get('start'), r.url.searchParams.get('max_results')])).toEqual([
      ['0', '2'],
      ['2', '2'],
    ]);
    expect(server.requests[0]!.url.searchParams.get('search_query')).toBe(
      'cat:cs.LG AND submittedDate:[202401150000 TO 202401152359]',
    );
    const gap = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(140);
  });

  it('stops at the configured maximum and says how much it left', async () => {
    server = await startLocalServer({ '/api/query': (_req, res) => sendText(res, 200, fixture('atom-page1.xml')) });
    const source = createNetworkSource('arxiv', config(server.url), { date: '2024-01-15', pageSize: 2, maxResults: 2 });
    const batch = await collectSource(source);
    expect(batch.papers).toHaveLength(2);
    expect(server.requests).toHaveLength(1);
    expect(batch.issues.map((i) => i.problem)).toEqual(['read 2 of 3 results (the configured maximum)']);
  });

  it('stops paging after an error page and reports it', async () => {
    server = await startLocalServer({ '/api/query': (_req, res) => sendText(res, 200, fixture('atom-error.xml')) });
    const batch = await collectSource(createNetworkSource('arxiv', config(server.url), { date: '2024-01-15', mode: 'atom' }));
    expect(server.requests).toHaveLength(1);
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toEqual([
      { where: expect.stringContaining(`${server.url}/api/query?`), problem: 'arXiv API error: max_results must be non-negative' },
    ]);
  });

  it('rejects a malformed date or category before any request', () => {
    expect(() => createNetworkSource('arxiv', config('http://127.0.0.1:9'), { date: '2024-02-30' })).toThrow(/date is not a real day/);
    expect(() => createNetworkSource('arxiv', config('http://127.0.0.1:9'), { categories: ['cs LG'] })).toThrow(/categories look like/);
    expect(() => createNetworkSource('arxiv', config('http://127.0.0.1:9'), { date: '2024-01-15', mode: 'rss' })).toThrow(/RSS/);
  });
});

describe('arXiv RSS (new submissions)', () => {
  const WHERE_RSS = 'https://rss.arxiv.org/rss/cs.LG';

  it('maps new, cross-listed and replaced announcements', () => {
    const batch = parseArxivRss(fixture('rss-cs.LG.xml'), WHERE_RSS);
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.07890', '2401.07655', '2401.07812', '2311.04412', '2309.11873']);
    expect(batch.papers[0]).toEqual({
      rawId: '2401.07890',
      title: 'Sharp Bounds for $\\ell_1$-Regularized Policy Gradient in Linear Quadratic Control',
      abstract: expect.stringMatching(/^We study policy gradient methods .* rate \$\\mathcal\{O\}\(\\kappa\^\{-1\}\)\$\.$/),
      authors: ['Lena M\\"uller', "Tom\\'as Ferreira", 'Priya Raman'],
      absUrl: 'https://arxiv.org/abs/2401.07890',
      published: '2024-01-16',
      categories: ['cs.LG', 'math.OC', 'eess.SY'],
      source: 'arxiv-rss',
    });
    expect(batch.papers[1]!.authors).toEqual(['Sofia Alvarez', 'Kenji Watanabe']);
    expect(batch.papers[2]).toMatchObject({ published: '2024-01-16', categories: ['cs.CL', 'cs.LG'] });
    // A replacement is an old paper's new version: the feed's date is not its publication date.
    expect(batch.papers[3]).not.toHaveProperty('published');
    expect(batch.papers[3]!.authors).toEqual(['Hannah Becker', 'Luca Romano', 'Yusuf Demir']);
    expect(batch.papers[4]).not.toHaveProperty('published');
  });

  it('treats an empty channel as no papers and broken XML as one issue', () => {
    const empty = fixture('rss-cs.LG.xml').replace(/<item>[\s\S]*<\/item>/, '');
    expect(parseArxivRss(empty, WHERE_RSS)).toEqual({ papers: [], issues: [] });
    const broken = parseArxivRss(fixture('rss-cs.LG.xml').slice(0, 2_000), WHERE_RSS);
    expect(broken.papers).toEqual([]);
    expect(broken.issues).toHaveLength(1);
    expect(broken.issues[0]!.problem).toMatch(/^not well-formed XML/);
  });

  it('skips an item without abstract and names it', () => {
    const text = fixture('rss-cs.LG.xml').replace(/Abstract: Graph neural networks[^<]*/, 'Abstract: ');
    const batch = parseArxivRss(text, WHERE_RSS);
    expect(batch.papers).toHaveLength(4);
    expect(batch.issues).toEqual([{ where: `${WHERE_RSS}#item 2`, problem: 'abstract is empty' }]);
  });

  it('splits dc:creator lists', () => {
    expect(splitAuthors('A, B and C')).toEqual(['A', 'B', 'C']);
    expect(splitAuthors('A, B, and C')).toEqual(['A', 'B', 'C']);
    expect(splitAuthors('Ada Lovelace')).toEqual(['Ada Lovelace']);
    expect(splitAuthors('  ')).toBeUndefined();
  });

  it('fetches {base}/rss/<categories> by default when no date is given', async () => {
    server = await startLocalServer({ '/rss/cs.LG+cs.CL': (_req, res) => sendText(res, 200, fixture('rss-cs.LG.xml')) });
    const batch = await collectSource(createNetworkSource('arxiv', config(server.url), { categories: ['cs.LG', 'cs.CL'] }));
    expect(server.requests.map((r) => r.path)).toEqual(['/rss/cs.LG+cs.CL']);
    expect(batch.papers).toHaveLength(5);
    expect(batch.papers.every((p) => p.source === 'arxiv-rss')).toBe(true);
  });
});

describe('arXiv network source defaults', () => {
  it('queries yesterday (UTC) in atom mode when no date is given, with the configured categories', async () => {
    server = await startLocalServer({ '/api/query': (_req, res) => sendText(res, 200, fixture('atom-page2.xml')) });
    const cfg = { ...config(server.url), PAPERFEED_ARXIV_CATEGORIES: 'cs.LG, cs.CL' };
    const yesterday = (): string => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const before = yesterday();
    await collectSource(createNetworkSource('arxiv', cfg, { mode: 'atom' }));
    // Either side of a UTC midnight that falls during the read.
    const expected = [before, yesterday()].map((day) => `(cat:cs.LG OR cat:cs.CL) AND submittedDate:[${day}0000 TO ${day}2359]`);
    expect(expected).toContain(server.requests[0]!.url.searchParams.get('search_query'));
  });
});
