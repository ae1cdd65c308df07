/**
 * The streaming ingest pipeline on a real App: papers are stored as chunks arrive, the source's
 * position is recorded after each stored batch, a rerun goes on from it, and restart starts over.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, positionKey } from '../src/pipeline/ingest.ts';
import { readFileSource } from '../src/sources/files.ts';
import type { PaperSource, SourceProgress } from '../src/sources/source.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const PAPERS = 3_000;
const BATCH = 100;

let dir: string;
let file: string;
let app: SampleApp;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-pipeline-'));
  file = join(dir, 'papers.jsonl');
  // About 1.4 KB a line: the 4 MB file comes in several chunks of a few hundred papers.
  const filler = 'measured against strong baselines on several benchmarks '.repeat(24);
  const lines = Array.from({ length: PAPERS }, (_, i) =>
    JSON.stringify({ id: `2402.${String(i).padStart(5, '0')}`, title: `Paper number ${i}`, abstract: `Paper ${i} is ${filler}` }),
  );
  await writeFile(file, lines.join('\n') + '\n');
  app = await openSampleApp({ ingestSample: false });
});
afterAll(async () => {
  await app?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The same source, failing after `chunks` chunks: a crash in the middle of a backfill. */
function failingAfter(source: PaperSource, chunks: number): PaperSource {
  return {
    ...source,
    async *read(from) {
      let n = 0;
      for await (const chunk of source.read(from)) {
        if (++n > chunks) throw new Error('disk on fire');
        yield chunk;
      }
    },
  };
}

describe('streaming ingest', () => {
  it('records the position after stored batches, resumes from it, and clears it at the end', async () => {
    const source = readFileSource(file);
    const key = positionKey(source)!;
    await expect(ingest(app, [failingAfter(source, 2)], { batchSize: BATCH })).rejects.toThrow('disk on fire');
    const stored = await app.store.count();
    const position = JSON.parse((await app.store.getMeta(key))!) as { file: string; offset: number; line: number };
    // Every paper up to the position is stored, and nothing after it: each chunk here holds more than a batch.
    expect(position).toMatchObject({ file });
    expect(stored).toBe(position.line);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(PAPERS);

    const progress: SourceProgress[] = [];
    const report = await ingest(app, [source], { batchSize: BATCH, onReadProgress: (p) => progress.push(p) });
    expect(report.resumed).toEqual([{ source: source.name, from: position }]);
    expect(report).toMatchObject({ read: PAPERS - stored, added: PAPERS - stored, unchanged: 0, skippedCount: 0 });
    expect(await app.store.count()).toBe(PAPERS);
    expect(await app.store.getMeta(key)).toBe('');
    // Progress in bytes of the file, from the resume point on, up to its size.
    const size = (await stat(file)).size;
    expect(progress[0]!.done).toBeGreaterThan(position.offset);
    expect(progress.at(-1)).toEqual({ done: size, total: size, unit: 'bytes' });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
  });

  it('reads from the start with restart, ignoring a recorded position', async () => {
    const source = readFileSource(file);
    await expect(ingest(app, [failingAfter(source, 1)], { batchSize: BATCH })).rejects.toThrow('disk on fire');
    expect(await app.store.getMeta(positionKey(source)!)).not.toBe('');
    const report = await ingest(app, [source], { batchSize: BATCH, restart: true });
    expect(report).toMatchObject({ resumed: [], read: PAPERS, added: 0, unchanged: PAPERS });
  });

  it('keeps chunks bounded whatever the file size', async () => {
    let most = 0;
    let chunks = 0;
    for await (const chunk of readFileSource(file).read()) {
      most = Math.max(most, chunk.papers.length);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(most).toBeLessThan(1_000);
  });
});
