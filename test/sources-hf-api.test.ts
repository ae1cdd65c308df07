import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { toPaper } from '../src/papers/normalize.ts';
import { hfDailyPapersUrl, parseHfDailyPapers } from '../src/sources/hf-api.ts';
import { createNetworkSource } from '../src/sources/network.ts';
import { sendJson, sendText, startLocalServer, type LocalServer } from './helpers/local-server.ts';
import { collectSource } from '../src/sources/source.ts';
import { networkConfig } from './helpers/network-config.ts';

const fixtureText = readFileSync(
  fileURLToPath(new URL('./fixtures/hf-api/daily_papers-2024-01-19.json', import.meta.url)),
  'utf8',
);
const WHERE = 'https://huggingface.co/api/daily_papers?date=2024-01-19';

const config = (url: string) => networkConfig(url, { PAPERFEED_HTTP_RETRIES: 2 });

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Hugging Face Daily Papers API', () => {
  it('maps each daily paper: arXiv id, paper title and abstract, authors, date, upvotes, organization', () => {
    const batch = parseHfDailyPapers(fixtureText, WHERE);
    expect(batch.issues).toEqual([]);
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.10020', '2401.04088', '2401.02954', '2401.05566']);
    expect(batch.papers[0]).toEqual({
      rawId: '2401.10020',
      title: 'Self-Rewarding Language Models',
      abstract: expect.stringMatching(/^We posit that to achieve superhuman agents, future models require superhuman feedback in order/),
      authors: ['Weizhe Yuan', 'Richard Yuanzhe Pang', 'Kyunghyun Cho', 'Sainbayar Sukhbaatar', 'Jing Xu', 'Jason Weston'],
      published: '2024-01-18',
      upvotes: 145,
      organization: 'AI at Meta',
      source: 'hf-api',
    });
    // The paper's own summary (the full abstract) wins over the listing's short one; line breaks collapse.
    expect(batch.papers[0]!.abstract).toMatch(/during training\.$/);
    expect(batch.papers[0]!.abstract).not.toContain('\n');
    expect(batch.papers[2]).not.toHaveProperty('organization');
    expect(batch.papers[3]!.organization).toBe('Anthropic');
    expect(toPaper(batch.papers[1]!, new Date()).absUrl).toBe('https://arxiv.org/abs/2401.04088');
  });

  it('skips items with missing or invalid fields, naming the item, and keeps the others', () => {
    const items = JSON.parse(fixtureText) as Array<{ paper: Record<string, unknown>; summary?: string }>;
    delete items[0]!.paper.id;
    items[1]!.paper.summary = '';
    items[2]!.paper.upvotes = -3;
    items[3]!.paper.summary = '  \n ';
    const batch = parseHfDailyPapers(JSON.stringify(items), WHERE);
    // Item 2 has an empty paper summary but the listing carries one: that is used.
    expect(batch.papers.map((p) => p.rawId)).toEqual(['2401.04088']);
    expect(batch.papers[0]!.abstract).toBe('We introduce Mixtral 8x7B, a Sparse Mixture of Experts (SMoE) language model.');
    expect(batch.issues).toEqual([
      { where: `${WHERE}#item 1`, problem: 'paper.id is missing' },
      { where: `${WHERE}#item 3`, problem: 'upvotes: Too small: expected number to be >=0' },
      { where: `${WHERE}#item 4`, problem: 'abstract is empty' },
    ]);
  });

  it('reports a body that is not JSON, or not an array, as one issue', () => {
    expect(parseHfDailyPapers('<html>rate limited</html>', WHERE).issues[0]!.problem).toMatch(/^not JSON: /);
    expect(parseHfDailyPapers('{"error":"Invalid date"}', WHERE).issues).toEqual([
      { where: WHERE, problem: 'expected a JSON array of daily papers, got object' },
    ]);
  });

  it('builds {base}/api/daily_papers with an optional date', () => {
    expect(hfDailyPapersUrl('https://huggingface.co/', '2024-01-19')).toBe(WHERE);
    expect(hfDailyPapersUrl('https://huggingface.co')).toBe('https://huggingface.co/api/daily_papers');
  });

  it('fetches the day through the network source, retrying a 503 first', async () => {
    let calls = 0;
    server = await startLocalServer({
      'GET /api/daily_papers': (req, res) => {
        if (++calls === 1) return sendText(res, 503, 'upstream unavailable');
        sendJson(res, 200, req.url.searchParams.get('date') === '2024-01-19' ? JSON.parse(fixtureText) : []);
      },
    });
    const source = createNetworkSource('hf', config(server.url), { date: '2024-01-19', http: { backoffMs: 1 } });
    const batch = await collectSource(source);
    expect(batch.papers).toHaveLength(4);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/daily_papers?date=2024-01-19',
      '/api/daily_papers?date=2024-01-19',
    ]);
    expect(server.requests[1]!.headers.accept).toBe('application/json');
  });

  it('fails the whole read with the URL when the API answers 404', async () => {
    server = await startLocalServer({});
    const source = createNetworkSource('hf', config(server.url), { date: '2024-01-19' });
    await expect(collectSource(source)).rejects.toThrow(`GET ${server.url}/api/daily_papers?date=2024-01-19 failed: HTTP 404`);
    expect(server.requests).toHaveLength(1);
  });
});
