/**
 * One-shot CLI commands search the vector index in its files (IndexAccess 'one-query'): none of
 * them loads a graph into memory, which at 1M papers cost a `show` or a `list` 9 s and 2.5 GB.
 * hnswlib's readIndex is what loading a graph calls: the real one, counted; the commands run in
 * this process.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { openApp } from '../src/service/open-app.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const graphsRead = vi.hoisted(() => ({ count: 0 }));
vi.mock('hnswlib-node', async (importOriginal) => {
  const real = ((await importOriginal()) as { default: typeof import('hnswlib-node') }).default;
  class CountingHnsw extends real.HierarchicalNSW {
    override readIndex(...args: Parameters<InstanceType<typeof real.HierarchicalNSW>['readIndex']>) {
      graphsRead.count += 1;
      return super.readIndex(...args);
    }
  }
  return { default: { ...real, HierarchicalNSW: CountingHnsw } };
});

describe('the vector index of a one-shot CLI command', () => {
  let sample: SampleApp;
  let id: string;
  const printed = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

  beforeAll(async () => {
    sample = await openSampleApp();
    id = (await sample.store.listPapers({ limit: 1 }))[0]!.id;
    await sample.close();
  });
  afterAll(async () => {
    printed.mockRestore();
    await sample.dispose();
  });

  it('is read where it lies by commands that only read (no graph loaded), and loaded by an app that serves', async () => {
    for (const args of [['show', id], ['list', '-n', '3'], ['stats'], ['picks', '--user', 'alice', '-n', '2'], ['similar', id], ['topics', 'list', '--user', 'alice']]) {
      graphsRead.count = 0;
      printed.mockClear();
      expect(await main(['node', 'paperfeed', '--data-dir', sample.dataDir, ...args]), args.join(' ')).toBe(0);
      expect(printed, args.join(' ')).toHaveBeenCalled();
      expect(graphsRead.count, args.join(' ')).toBe(0);
    }
    const serving = await openApp(sample.config, { log: sample.log });
    expect(graphsRead.count).toBeGreaterThan(0);
    await serving.close();
  });
});
