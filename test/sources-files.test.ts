import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSource, readPaperFiles } from '../src/sources/files.ts';
import { GROUP_BYTES, readLines, type FileLine } from '../src/sources/lines.ts';
import { collectSource } from '../src/sources/source.ts';
import { configuredSources } from '../src/service/jobs.ts';
import { openSampleApp } from './helpers/sample-app.ts';

const tree = fileURLToPath(new URL('./fixtures/tree', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'paperfeed-sources-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bytes that are not UTF-8: a lone continuation byte and a truncated sequence. */
const BAD = Buffer.from([0x80, 0xe2, 0x82]);
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('file sources', () => {
  it('reads a directory recursively by extension and reports other files as skipped', async () => {
    const source = readFileSource(tree);
    expect(source.name).toBe(`file:${tree}`);
    const batch = await collectSource(source);
    expect(batch.papers.map((p) => [p.source, p.title])).toEqual([
      ['jsonl', 'Self-Rewarding Language Models'],
      ['jsonl', 'Mixtral of Experts'],
      ['hf-page', 'Entropy-Regularized Process Reward Model'],
      ['hf-page', 'Band-limited Soft Actor Critic Model'],
      ['hf-page', 'Markov Categories and Entropy'],
    ]);
    expect(batch.issues).toEqual([
      { where: join(tree, 'README.md'), problem: 'skipped: unsupported file type (.md); expected .txt, .jsonl, .ndjson, .json' },
    ]);
  });

  it('throws, naming the path, when the path itself does not exist', async () => {
    const missing = join(tmp, 'nope');
    await expect(readPaperFiles(missing)).rejects.toThrow(`cannot read ${missing}: ENOENT`);
  });

  it('skips only the JSON line with invalid UTF-8 bytes', async () => {
    const path = join(tmp, 'bad.jsonl');
    writeFileSync(
      path,
      Buffer.concat([
        utf8('{"id":"1","title":"Caf\u00e9 Models","abstract":"First."}\n'),
        utf8('{"id":"2","title":"Broken '), BAD, utf8('","abstract":"Second."}\n'),
        utf8('{"id":"3","title":"Third","abstract":"Third."}\n'),
      ]),
    );
    const batch = await readPaperFiles(path);
    expect(batch.papers.map((p) => p.title)).toEqual(['Caf\u00e9 Models', 'Third']);
    expect(batch.issues).toEqual([{ where: `${path}:2`, problem: 'invalid UTF-8 bytes; line skipped' }]);
  });

  it('skips only the page entry with invalid bytes, without shifting the layout', async () => {
    const path = join(tmp, 'page.txt');
    writeFileSync(
      path,
      Buffer.concat([
        utf8('SubscribeFirst Title\nFirst abstract.\nSecond Title\nSecond abstract with '),
        BAD,
        utf8(' bytes.\nThird Title\nThird abstract.\n'),
      ]),
    );
    const batch = await readPaperFiles(path);
    expect(batch.papers.map((p) => [p.title, p.abstract])).toEqual([
      ['First Title', 'First abstract.'],
      ['Third Title', 'Third abstract.'],
    ]);
    expect(batch.issues).toEqual([{ where: `${path}:4`, problem: 'invalid UTF-8 bytes on line 4; paper skipped' }]);
  });

  it('skips the array item holding invalid bytes in a pretty-printed JSON file', async () => {
    const path = join(tmp, 'bad.json');
    writeFileSync(
      path,
      Buffer.concat([
        utf8('[\n  {\n    "id": "1",\n    "title": "Fine",\n    "abstract": "Fine."\n  },\n'),
        utf8('  {\n    "id": "2",\n    "title": "Dam'), BAD, utf8('aged",\n    "abstract": "Damaged."\n  }\n]\n'),
      ]),
    );
    const batch = await readPaperFiles(path);
    expect(batch.papers.map((p) => p.title)).toEqual(['Fine']);
    expect(batch.issues).toEqual([{ where: `${path}#item 2`, problem: 'invalid UTF-8 bytes (line 9); item skipped' }]);
  });

  it('reads an array as JSON Lines when the format is given, whatever the extension', async () => {
    const path = join(tmp, 'array.data');
    writeFileSync(path, JSON.stringify([{ id: '1', title: 'One', abstract: 'First.' }, { id: '2', title: 'Two', abstract: 'Second.' }], null, 2));
    expect((await readPaperFiles(path, { format: 'jsonl' })).papers.map((p) => p.title)).toEqual(['One', 'Two']);
  });

  it('decodes strictly and lists the lines that are not UTF-8', async () => {
    const lines = async (name: string, bytes: Buffer): Promise<FileLine[]> => {
      const path = join(tmp, name);
      writeFileSync(path, bytes);
      const out: FileLine[] = [];
      for await (const block of readLines(path)) out.push(...block);
      return out;
    };
    const clean = await lines('clean.txt', utf8('a\nb\u00e9\n'));
    expect(clean.map((l) => [l.text, l.bad ?? false])).toEqual([['a', false], ['b\u00e9', false]]);
    const damaged = await lines('damaged.txt', Buffer.concat([utf8('ok\n'), BAD, utf8('\nok\n'), BAD]));
    expect(damaged.filter((l) => l.bad).map((l) => l.no)).toEqual([2, 4]);
    expect(damaged[0]!.text).toBe('ok');
    expect(damaged[2]!.text).toBe('ok');
  });

  it('hands out lines in groups of about GROUP_BYTES, each line once, in order, with its end offset', async () => {
    const path = join(tmp, 'groups.jsonl');
    // 3 MB in lines of varied length: several 1 MB reads, each split into groups.
    const texts = Array.from({ length: 6_000 }, (_, i) => `${i} ${'w'.repeat(i % 900)}`);
    writeFileSync(path, texts.join('\n') + '\n');
    const groups: FileLine[][] = [];
    for await (const group of readLines(path)) groups.push(group);
    const lines = groups.flat();
    expect(lines.map((l) => l.text)).toEqual(texts);
    expect(lines.map((l) => l.no)).toEqual(texts.map((_, i) => i + 1));
    let end = 0;
    for (const [i, l] of lines.entries()) {
      end += Buffer.byteLength(texts[i]!) + 1;
      expect(l.end).toBe(end);
    }
    expect(groups.length).toBeGreaterThan(end / GROUP_BYTES);
    // A group is at most the budget plus its last line (the longest here is under 1 KB).
    for (const g of groups) expect(g.at(-1)!.end - g[0]!.end).toBeLessThanOrEqual(GROUP_BYTES + 1_000);
  });

  it('drops a line over the length limit without holding it, and goes on at the next line', async () => {
    const path = join(tmp, 'long.jsonl');
    writeFileSync(path, `short\n${'x'.repeat(5_000)}\nafter\n${'y'.repeat(5_000)}`);
    const lines: FileLine[] = [];
    for await (const block of readLines(path, undefined, 1_000)) lines.push(...block);
    expect(lines.map((l) => [l.no, l.text, l.tooLong ?? false])).toEqual([
      [1, 'short', false],
      [2, '', true],
      [3, 'after', false],
      [4, '', true],
    ]);
    expect(lines[2]!.end).toBe(6 + 5_001 + 6);
  });

  it('streams JSON Lines and pages of any size, and reports an oversized JSON array (read whole)', async () => {
    const path = join(tmp, 'big.jsonl');
    writeFileSync(path, '{"id":"1","title":"T","abstract":"A"}\n'.repeat(100));
    const streamed = await readPaperFiles(path, { maxWholeBytes: 1_000 });
    expect(streamed.papers).toHaveLength(100);
    expect(streamed.issues).toEqual([]);
    const page = join(tmp, 'big.txt');
    writeFileSync(page, Array.from({ length: 20 }, (_, i) => `Title ${i}\nAbstract number ${i}.`).join('\n'));
    expect((await readPaperFiles(page, { maxWholeBytes: 100 })).papers).toHaveLength(20);
    const pretty = join(tmp, 'big.json');
    writeFileSync(pretty, JSON.stringify(Array.from({ length: 100 }, () => ({ id: '1', title: 'T', abstract: 'A' })), null, 2));
    const batch = await readPaperFiles(pretty, { maxWholeBytes: 1_000 });
    expect(batch.papers).toEqual([]);
    expect(batch.issues).toEqual([
      { where: pretty, problem: 'skipped: a JSON array is read whole and this file is over the 1000-byte limit; write JSON Lines instead' },
    ]);
  });
});

describe("paperfeed's own data dir under a file source", () => {
  it('is passed over in a folder and refused as the source itself (its index keeps paper ids in .txt files)', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'paperfeed-under-source-'));
    const dataDir = join(parent, 'data');
    const app = await openSampleApp({ env: { PAPERFEED_DATA_DIR: dataDir } });
    try {
      writeFileSync(join(parent, 'day.jsonl'), `${JSON.stringify({ id: '2501.00001', title: 'A paper beside the data dir', abstract: 'Its abstract.' })}\n`);
      // Before: serve's sample source (./data) read a data dir named ./data, and the index's label
      // files became thousands of papers titled with arXiv ids.
      const unguarded = await collectSource(readFileSource(parent));
      expect(unguarded.papers.filter((p) => p.source === 'hf-page').length).toBeGreaterThan(0);

      const read = await collectSource(readFileSource(parent, { dataDir }));
      expect(read.papers.map((p) => p.title)).toEqual(['A paper beside the data dir']);
      expect(read.issues).toEqual([]);
      for (const inside of [dataDir, join(dataDir, 'index')]) {
        await expect(collectSource(readFileSource(inside, { dataDir }))).rejects.toThrow(
          `cannot read ${inside}: it is in paperfeed's data dir ${dataDir} (PAPERFEED_DATA_DIR)`,
        );
      }
      // The scheduled ingest's sample folder set to the data dir: its source refuses, naming both.
      const [sample] = configuredSources({ ...app.config, PAPERFEED_SAMPLE_DIR: dataDir, PAPERFEED_INGEST_SOURCES: 'sample' });
      await expect(sample!.check!()).rejects.toThrow(/is in paperfeed's data dir/);
    } finally {
      await app.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
