/**
 * The compare-and-set under every profile edit (src/store/kv-cas.ts), on each kv backend: many
 * overlapping read-modify-writes of one key all land (each conflict is retried on the fresh
 * value), a change may decline to write, and entries written by plain keyv calls are read and
 * updated in place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { readEntry, updateEntry } from '../src/store/kv-cas.ts';
import { createKv, disconnectKvs } from '../src/store/kv.ts';
import { announceSkip, kvBackends } from './helpers/servers.ts';

// Each test file its own Redis database: 11-13 are taken (service-locks, pg-replicas), 14 and 15 by profile-concurrency and forget.
const REDIS_DB = 10;
const dirs: string[] = [];
const { backends, dropDatabases } = kvBackends('kv_cas', REDIS_DB);
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropDatabases();
});

for (const b of backends) {
  describe.skipIf(!b.available)(`atomic kv updates on ${b.name}`, () => {
    it('overlapping updates of one key all land; a declined change writes nothing; plain keyv entries update in place', { timeout: 60_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'paperfeed-kv-cas-'));
      dirs.push(dir);
      const url = await b.url();
      // Two keyv instances on one store, as two processes would have.
      const a: Keyv = createKv(url, dir, 'counters');
      const c: Keyv = createKv(url, dir, 'counters');
      try {
        const add = (kv: Keyv, item: string) =>
          updateEntry(kv, 'list', ({ value }) => {
            const list = Array.isArray(value) ? [...(value as string[])] : [];
            list.push(item);
            return { write: true, value: list, result: list.length };
          });
        const items = Array.from({ length: 30 }, (_, i) => `item ${i}`);
        await Promise.all(items.map((item, i) => add(i % 2 ? a : c, item)));
        expect(((await a.get('list')) as string[]).sort()).toEqual([...items].sort());

        const declined = await updateEntry(a, 'list', () => ({ write: false, result: 'kept' }));
        expect(declined).toBe('kept');
        expect((await a.get('list')) as string[]).toHaveLength(30);

        await c.set('plain', { n: 1 });
        expect((await readEntry(a, 'plain')).value).toEqual({ n: 1 });
        await updateEntry(a, 'plain', ({ value }) => ({ write: true, value: { n: (value as { n: number }).n + 1 }, result: undefined }));
        expect(await c.get('plain')).toEqual({ n: 2 });
        expect((await readEntry(a, 'absent')).text).toBeUndefined();
      } finally {
        await disconnectKvs(url, [a, c]);
      }
    });
  });
  if (!b.available) announceSkip(`atomic kv updates on ${b.name}`, b.variable);
}
