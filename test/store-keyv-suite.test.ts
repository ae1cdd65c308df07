/**
 * keyv's own adapter test suite (@keyv/test-suite, the one every official keyv store runs) on the
 * better-sqlite3 adapter: API, values, namespaces and iteration, as keyv itself defines them.
 * Each store gets its own file, so the suite's tests never see each other's keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import keyvTestSuite, { keyvIteratorTests } from './vendor/keyv-test-suite/index.js';
import KeyvModule from 'keyv';
import * as Vitest from 'vitest';
import { KeyvBetterSqlite } from '../src/store/keyv-sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'paperfeed-keyv-suite-'));
const adapters: KeyvBetterSqlite[] = [];
let n = 0;
const store = () => {
  const adapter = new KeyvBetterSqlite({ file: join(dir, `kv-${n++}.sqlite`) });
  adapters.push(adapter);
  return adapter;
};

Vitest.afterAll(async () => {
  for (const a of adapters) await a.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

keyvTestSuite(Vitest, KeyvModule, store);
keyvIteratorTests(Vitest, KeyvModule, store);
