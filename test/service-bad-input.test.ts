/**
 * Bad input to the service: malformed configuration, stores and lock servers that cannot be
 * reached, a corrupt index, a corrupt store file, a port in use. Each gives one clear message
 * (and, from the command line, a non-zero exit without a stack trace) or recovers, and never
 * loses what is stored.
 */
import { createServer, type AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { SIDECAR_FILE } from '../src/index/hnsw-index.ts';
import { shardDir } from '../src/index/sharded-index.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { indexDir } from '../src/corpus/index-files.ts';
import { openServiceBackends } from '../src/service/backends.ts';
import { openApp } from '../src/service/open-app.ts';
import { startService } from '../src/service/serve.ts';
import { readFileSource } from '../src/sources/files.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { runChild } from './helpers/child.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';
import { silentLog } from './helpers/silent-log.ts';

const SAMPLE_FILE = new URL('../data/003_e6b82b24773b7471.txt', import.meta.url).pathname;
const STACK = /\n\s+at .+[(:]\d+/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let app: SampleApp;
beforeAll(async () => {
  // A data dir with a stored corpus and a saved index, closed again: what the cases get to damage.
  app = await openSampleApp({ ingestSample: false, env: { PAPERFEED_SAMPLE_DIR: SAMPLE_FILE } });
  await ingest(app, [readFileSource(SAMPLE_FILE)]);
  await app.close();
});
afterAll(async () => {
  await app?.dispose();
});

const configFor = (dataDir: string, extra: Record<string, string> = {}) =>
  loadConfig({}, {
    PAPERFEED_DATA_DIR: dataDir,
    PAPERFEED_EMBEDDINGS: 'builtin',
    PAPERFEED_OFFLINE: 'true',
    PAPERFEED_SAMPLE_DIR: SAMPLE_FILE,
    PAPERFEED_LOG_LEVEL: 'silent',
    PAPERFEED_API_PORT: '0',
    ...extra,
  });

describe('the service refuses bad input clearly', () => {
  it('malformed configuration: one error naming every bad variable', () => {
    const err = (() => {
      try {
        configFor(app.dataDir, {
          PAPERFEED_INGEST_CRON: 'every morning',
          PAPERFEED_SCHEDULE_TIMEZONE: 'Mars/Olympus_Mons',
          PAPERFEED_DATABASE_URL: 'mysql://localhost/papers',
          PAPERFEED_LOCK_URL: 'memcached://x',
          PAPERFEED_API_TOKEN: 'short',
          PAPERFEED_INGEST_SOURCES: 'sample,rss',
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of ['PAPERFEED_INGEST_CRON', 'PAPERFEED_SCHEDULE_TIMEZONE', 'PAPERFEED_DATABASE_URL', 'PAPERFEED_LOCK_URL', 'PAPERFEED_API_TOKEN', 'PAPERFEED_INGEST_SOURCES']) {
      expect(err!.message).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    }
    expect(err!.message).not.toContain('short');
  });

  it('an unreachable paper store: named without its password', async () => {
    const config = configFor(join(app.dataDir, 'x'), { PAPERFEED_DATABASE_URL: 'postgres://paperfeed:hunter2@127.0.0.1:1/papers' });
    const err = await openApp(config, { log: silentLog }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/paperfeed:\*\*\*@127\.0\.0\.1:1\/papers: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('an unreachable lock server: named without its password, before anything runs', async () => {
    const config = configFor(join(app.dataDir, 'x'), { PAPERFEED_LOCK_URL: 'redis://:hunter2@127.0.0.1:1' });
    const err = await openServiceBackends(config).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^cannot connect to Redis at redis:\/\/\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('a store file that is not a database: refused and left untouched', async () => {
    const dir = join(app.dataDir, 'corrupt-store');
    await mkdir(dir);
    const file = join(dir, 'papers.sqlite');
    const garbage = Buffer.alloc(8192, 0x5a);
    await writeFile(file, garbage);
    const err = await openApp(configFor(dir), { log: silentLog }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe(`${file} is not a SQLite database; it was left untouched`);
    expect((await readFile(file)).equals(garbage)).toBe(true);
  });

  it('a corrupt index file: rebuilt from the store with a warning; the service runs and nothing is lost', async () => {
    // A corpus this small is one shard.
    const dir = shardDir(indexDir(app.dataDir), 0);
    const graph = (await readdir(dir)).find((f) => /^hnsw-.*\.bin$/.test(f))!;
    await writeFile(join(dir, graph), Buffer.from('not an hnsw graph at all'));
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const reopened = await openApp(configFor(app.dataDir), { log });
    try {
      expect(warnings.join('\n')).toMatch(/rebuilding it from the store/);
      const printed: string[] = [];
      const svc = await startService(reopened, { once: true, print: (t) => printed.push(t) });
      await svc.startup;
      await svc.stop();
      expect(printed.join('\n')).toMatch(/^Picks for channel console: 5 of 26 papers/m);
      expect(await reopened.store.count()).toBe(26);
      const sidecar = JSON.parse(await readFile(join(dir, SIDECAR_FILE), 'utf8')) as { labelCount: number; deleted: number[]; corpusChecksum: string };
      expect(sidecar.labelCount - sidecar.deleted.length).toBe(26);
      expect(sidecar.corpusChecksum).toBe(await reopened.store.corpusChecksum());
    } finally {
      await reopened.close();
    }
  });

  it('the API port in use: a clear error, and nothing left running', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as AddressInfo).port;
    const reopened = await openApp(configFor(app.dataDir), { log: silentLog });
    try {
      const err = await startService(reopened, { port, print: () => {} }).catch((e: unknown) => e as Error);
      expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port}: the port is in use (set PAPERFEED_API_PORT or --port)`);
    } finally {
      busy.close();
      await reopened.close();
    }
  });
});

describe('from the command line', () => {
  const env = (dir: string, extra: Record<string, string> = {}) => ({
    PAPERFEED_DATA_DIR: dir,
    PAPERFEED_EMBEDDINGS: 'builtin',
    PAPERFEED_SAMPLE_DIR: SAMPLE_FILE,
    PAPERFEED_LOG_LEVEL: 'warn',
    ...extra,
  });

  it('bad configuration exits 2 with the problems and no stack trace; a runtime failure exits 1 and the process does not linger', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    try {
      const port = (busy.address() as AddressInfo).port;
      const [bad, taken] = await Promise.all([
        runChild('test/helpers/serve-main.ts', ['serve', '--host', '0.0.0.0'], env(join(app.dataDir, 'cli-bad'), { PAPERFEED_API_PORT: '99999' })),
        runChild('test/helpers/serve-main.ts', ['serve', '--port', String(port)], env(app.dataDir), 30_000),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^paperfeed: invalid configuration:\n  - PAPERFEED_API_PORT: /m);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(new RegExp(`^paperfeed: ${escape(`cannot listen on 127.0.0.1:${port}: the port is in use`)}`, 'm'));
      expect(bad.stderr + taken.stderr).not.toMatch(STACK);
      // Nothing was written for the bad configuration.
      await expect(readdir(join(app.dataDir, 'cli-bad'))).rejects.toThrow(/ENOENT/);
      // The store the failed start opened is intact.
      const store = await openSqliteStore(join(app.dataDir, 'papers.sqlite'));
      expect(await store.count()).toBe(26);
      await store.close();
    } finally {
      busy.close();
    }
  });
});
