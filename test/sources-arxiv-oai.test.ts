import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { toPaper } from '../src/papers/normalize.ts';
import { parseOaiPage } from '../src/sources/arxiv-oai.ts';
import { createNetworkSource } from '../src/sources/network.ts';
import { collectSource, type SourceChunk } from '../src/sources/source.ts';
import { sendText, startLocalServer, type LocalServer } from './helpers/local-server.ts';
import { networkConfig } from './helpers/network-config.ts';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/arxiv/${name}`, import.meta.url)), 'utf8');
const WHERE = 'https://export.arxiv.org/oai2?verb=ListRecords';
const TOKEN = '6960524|1001';

const config = (url: string, retries = 0) => networkConfig(url, { PAPERFEED_HTTP_RETRIES: retries });

/** arXiv's OAI endpoint: the first page for a fresh list request, the second for the token. */
function oaiServer(onFirst?: (n: number) => { status: number; headers?: Record<string, string> } | undefined) {
  let calls = 0;
  return startLocalServer({
    '/oai2': (req, res) => {
      const early = onFirst?.(++calls);
      if (early) return sendText(res, early.status, 'Retry later', early.headers);
      const token = req.url.searchParams.get('resumptionToken');
      const body = token === null ? fixture('oai-page1.xml') : token === TOKEN ? fixture('oai-page2.xml') : fixture('oai-bad-token.xml');
      sendText(res, 200, body, { 'content-type': 'text/xml; charset=utf-8' });
    },
  });
}

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('arXiv OAI-PMH', () => {
  it('maps arXiv-format records: id, created as published, authors with suffix, normalized text, categories', () => {
    const page = parseOaiPage(fixture('oai-page1.xml'), WHERE);
    expect(page).toMatchObject({ token: TOKEN, cursor: 0, completeListSize: 5, records: 3, filtered: 0 });
    expect(page.batch.papers[0]).toEqual({
      rawId: '2401.00001',
      title: 'Scaling Laws for Sparse Mixture-of-Experts Language Models',
      abstract:
        'We measure how the loss of sparse mixture-of-experts language models scales with the number of experts, the number of active parameters & the data.',
      authors: ['Ada Lovelace', 'Grace Hopper', 'Alan M. Turing Jr'],
      published: '2023-12-31',
      categories: ['cs.LG', 'stat.ML'],
      source: 'arxiv-oai',
    });
    expect(page.batch.papers[1]).toMatchObject({ rawId: '2401.00420', authors: ['Daniel Kim'], categories: ['cs.CL', 'cs.LG'], doi: '10.48550/arxiv.2401.00420' });
    expect(page.batch.issues).toEqual([{ where: `${WHERE}#record 3 (oai:arXiv.org:2401.00777)`, problem: 'abstract is empty' }]);
  });

  it('skips deleted records, reads old-style ids, and ends on an empty token', () => {
    const page = parseOaiPage(fixture('oai-page2.xml'), WHERE);
    expect(page.token).toBeUndefined();
    expect(page.batch.issues).toEqual([]);
    expect(page.batch.papers.map((p) => [p.rawId, p.title, p.published])).toEqual([
      ['cs/9901001', 'Logic Programming with Constraints', '1999-01-04'],
    ]);
    expect(toPaper(page.batch.papers[0]!, new Date()).id).toBe('cs/9901001');
  });

  it('reads noRecordsMatch as an empty harvest and fails on other OAI errors, naming the code', () => {
    const empty = parseOaiPage(fixture('oai-no-records.xml'), WHERE);
    expect(empty).toMatchObject({ records: 0, batch: { papers: [], issues: [] } });
    expect(empty.token).toBeUndefined();
    expect(() => parseOaiPage(fixture('oai-bad-token.xml'), WHERE)).toThrow(
      `${WHERE}: OAI-PMH error badResumptionToken: Invalid or expired resumptionToken`,
    );
    expect(() => parseOaiPage('<html>busy</html>', WHERE)).toThrow(/not an OAI-PMH response/);
    expect(() => parseOaiPage('<OAI-PMH><ListRecords>', WHERE)).toThrow(/not well-formed XML/);
  });

  it('harvests a set over a date range page by page through resumption tokens, each page a position', async () => {
    server = await oaiServer();
    const source = createNetworkSource('oai', config(server.url), { set: 'cs', from: '2024-01-01', until: '2024-01-15' });
    const chunks: SourceChunk[] = [];
    for await (const chunk of source.read()) chunks.push(chunk);
    expect(server.requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { verb: 'ListRecords', metadataPrefix: 'arXiv', set: 'cs', from: '2024-01-01', until: '2024-01-15' },
      { verb: 'ListRecords', resumptionToken: TOKEN },
    ]);
    expect(chunks.map((c) => [c.papers.length, c.position, c.progress])).toEqual([
      [2, { token: TOKEN, cursor: 3 }, { done: 3, total: 5, unit: 'records' }],
      [1, undefined, { done: 5, total: 5, unit: 'records' }],
    ]);
    // Resuming from the first page's position asks only for the rest.
    const rest = await collectSource({ ...source, read: () => source.read(chunks[0]!.position) });
    expect(rest.papers.map((p) => p.rawId)).toEqual(['cs/9901001']);
    expect(server.requests.at(-1)!.url.searchParams.get('resumptionToken')).toBe(TOKEN);
    expect(server.requests).toHaveLength(3);
  });

  it('waits out a 503 with Retry-After, then goes on', async () => {
    server = await oaiServer((n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : undefined));
    const source = createNetworkSource('oai', config(server.url, 2), { set: 'cs', from: '2024-01-01' });
    const batch = await collectSource(source);
    expect(batch.papers).toHaveLength(3);
    expect(server.requests).toHaveLength(3);
    const waited = server.requests[1]!.receivedAt - server.requests[0]!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(950);
  });

  it('filters records by category and first-submission date, and says how to recover from an expired token', async () => {
    server = await oaiServer();
    const source = createNetworkSource('oai', config(server.url), { set: 'cs', filter: { categories: ['cs.CL'] } });
    const chunks: SourceChunk[] = [];
    for await (const chunk of source.read()) chunks.push(chunk);
    expect(chunks.flatMap((c) => c.papers.map((p) => p.rawId))).toEqual(['2401.00420']);
    expect(chunks.reduce((n, c) => n + (c.filtered ?? 0), 0)).toBe(3);
    await expect(collectSource({ ...source, read: () => source.read({ token: 'expired|1' }) })).rejects.toThrow(
      /badResumptionToken.*run again with --restart/,
    );
  });

  it('rejects a malformed set or date before any request', () => {
    expect(() => createNetworkSource('oai', config('http://127.0.0.1:9'), { set: 'cs LG' })).toThrow(/OAI set/);
    expect(() => createNetworkSource('oai', config('http://127.0.0.1:9'), { from: '2024-13-01' })).toThrow(/date/);
    expect(() => createNetworkSource('oai', config('http://127.0.0.1:9'), { from: '2024-02-01', until: '2024-01-01' })).toThrow(
      /after until/,
    );
  });
});
