import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startTsWorker } from '../src/ts-worker.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/workers/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'paperfeed-ts-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const starts = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('startTsWorker', () => {
  it('hands out a worker once its module reports ready, and it works', async () => {
    const file = join(dir, 'ready');
    const worker = await startTsWorker(fixture('hangs-first.ts'), { file, hangs: 0 });
    const reply = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage('hello');
    expect(await reply).toBe('echo hello');
    await worker.terminate();
    expect(starts(file)).toBe(1);
  });

  it('ends a start that never reports ready and starts the worker again', async () => {
    const file = join(dir, 'hangs-once');
    const worker = await startTsWorker(fixture('hangs-first.ts'), { file, hangs: 1 }, { readyTimeoutMs: 12_000 });
    const reply = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage('again');
    expect(await reply).toBe('echo again');
    await worker.terminate();
    expect(starts(file)).toBe(2);
  });

  it('gives up after three hung starts, saying so', async () => {
    const file = join(dir, 'hangs-always');
    await expect(startTsWorker(fixture('hangs-first.ts'), { file, hangs: 99 }, { readyTimeoutMs: 3_000 })).rejects.toThrow(/did not start within 3 s \(3 tries\)/);
    expect(starts(file)).toBe(3);
  });

  it('fails at once, with the reason, when the module throws while loading', async () => {
    await expect(startTsWorker(fixture('fails-at-load.ts'), {})).rejects.toThrow(/failed while starting: .*bad input on line 3/);
  });
});
