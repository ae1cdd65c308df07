/**
 * The streaming ingest pipeline on a real App: papers are stored as chunks arrive, the source's
 * position is recorded after each stored batch, a rerun goes on from it, and restart starts over.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSizer, ingest, positionKey } from '../src/pipeline/ingest.ts';
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
  // About 1.4 KB a line: the 4 MB file comes in many chunks of a few dozen papers.
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
    await expect(ingest(app, [failingAfter(source, 10)], { batchSize: BATCH })).rejects.toThrow('disk on fire');
    const stored = await app.store.count();
    const position = JSON.parse((await app.store.getMeta(key))!) as { file: string; offset: number; line: number };
    // Every paper up to the position is stored, and nothing after it: a position is recorded only when nothing read is left unstored.
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
    await expect(ingest(app, [failingAfter(source, 5)], { batchSize: BATCH })).rejects.toThrow('disk on fire');
    expect(await app.store.getMeta(positionKey(source)!)).not.toBe('');
    const report = await ingest(app, [source], { batchSize: BATCH, restart: true });
    expect(report).toMatchObject({ resumed: [], read: PAPERS, added: 0, unchanged: PAPERS });
  });

  it('with a time slice, stores in small transactions and lets other work run between them and between chunks', async () => {
    const fresh = await openSampleApp({ ingestSample: false });
    try {
      // A macrotask loop stands for the HTTP server: it must get turns between the store's transactions.
      let turns = 0;
      let running = true;
      const spin = () => {
        turns++;
        if (running) setImmediate(spin);
      };
      setImmediate(spin);
      const upsert = fresh.store.upsertPapers.bind(fresh.store);
      const calls: { papers: number; turnsBefore: number }[] = [];
      fresh.store.upsertPapers = (inputs, now) => {
        calls.push({ papers: inputs.length, turnsBefore: turns });
        return upsert(inputs, now);
      };
      const report = await ingest(fresh, [readFileSource(file)], { batchSize: BATCH, sliceMs: 5 });
      running = false;
      expect(report).toMatchObject({ read: PAPERS, added: PAPERS });
      expect(await fresh.store.count()).toBe(PAPERS);
      expect(calls.length).toBeGreaterThan(PAPERS / BATCH);
      expect(Math.max(...calls.map((c) => c.papers))).toBeLessThanOrEqual(BATCH);
      // The loop ran before every transaction after the first.
      for (let i = 1; i < calls.length; i++) expect(calls[i]!.turnsBefore).toBeGreaterThan(calls[i - 1]!.turnsBefore);
    } finally {
      await fresh.dispose();
    }
  });

  it('sizes transactions to the time budget from the measured cost per paper, growing at most twofold a step', () => {
    const fixed = batchSizer(1_000);
    fixed.took(1_000, 5_000);
    expect(fixed.size()).toBe(1_000);
    const sliced = batchSizer(1_000, 10);
    expect(sliced.size()).toBe(16);
    sliced.took(16, 1.6); // 0.1 ms a paper: 100 fit, but the size only doubles
    expect(sliced.size()).toBe(32);
    sliced.took(32, 3.2);
    expect(sliced.size()).toBe(64);
    sliced.took(64, 64); // 1 ms a paper: 10 fit
    expect(sliced.size()).toBe(10);
    sliced.took(10, 500); // very slow papers: still one at a time, never none
    expect(sliced.size()).toBe(1);
    const capped = batchSizer(20, 10);
    capped.took(16, 0);
    expect(capped.size()).toBe(20);
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
