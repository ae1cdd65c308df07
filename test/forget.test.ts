/**
 * Forget-me forgets (issue 14, item 1). On each backend set-up (everything in SQLite; kv and
 * outbox in PostgreSQL; kv in Redis), a user touches every kind of state there is, through the
 * production code; then every namespace and table found in the real stores must be declared by
 * src/service/forget.ts, and after forget no row, key, value or (SQLite) file byte anywhere may
 * still name the user or hold their text, while a bystander's records stay.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markDead } from '../bots/slack/slack-errors.ts';
import { changeDigest } from '../src/digests/settings.ts';
import { listSubscriptions } from '../src/digests/subscriptions.ts';
import { toPaper } from '../src/papers/normalize.ts';
import { addKeyword, addTopic, profileSummary, recipientKey, recordDelivered, type Recipient } from '../src/recommend/index.ts';
import { withOutbox } from '../src/service/backends.ts';
import { FORGOTTEN_NAMESPACES, FORGOTTEN_TABLES, forgetRecipient, KEPT_NAMESPACES, KEPT_TABLES } from '../src/service/forget.ts';
import { KeyvBetterSqlite, KV_APPLICATION_ID, KV_MIGRATIONS } from '../src/store/keyv-sqlite.ts';
import { openPgPool } from '../src/store/postgres-client.ts';
import { openDatabase } from '../src/store/sqlite-schema.ts';
import { startFakeOpenAi, type FakeOpenAi } from './fixtures/openai/fake-openai.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';
import { announceSkip, freshPgDatabase, freshRedisDb, PG_URL, REDIS_URL, type TestDatabase } from './helpers/servers.ts';
import { silentLog } from './helpers/silent-log.ts';

const REDIS_DB = 15;
/** In the leaving user's id and in their topic and keyword: neither may be found anywhere afterwards. */
const ID_MARK = 'Uqx7forgetme';
const TEXT_MARK = 'zanzibarquokka';
const leaving: Recipient = { kind: 'user', platform: 'slack', id: ID_MARK };
const staying: Recipient = { kind: 'user', platform: 'slack', id: 'Ustaying' };
const paper = toPaper(
  { rawId: '2401.01234', title: 'Sparse optimal transport', abstract: 'Cardinality constraints for regularized optimal transport.', source: 'jsonl' },
  new Date('2024-01-10T00:00:00Z'),
);
const declaredNamespaces = Object.keys({ ...FORGOTTEN_NAMESPACES, ...KEPT_NAMESPACES }).sort();
const declaredTables = new Set(Object.keys({ ...FORGOTTEN_TABLES, ...KEPT_TABLES }));

let fake: FakeOpenAi;
const databases: TestDatabase[] = [];
beforeAll(async () => {
  fake = await startFakeOpenAi();
  // The why-line repeats the reader's topics, as a real model would.
  fake.onChat((body) => ({ content: `Relevant to ${body.messages[1]!.content.match(/zanzibarquokka \w+/)?.[0] ?? 'nothing'}.` }));
});
afterAll(async () => {
  await fake?.close();
  for (const db of databases) await db.drop();
});

/** What a backend set-up holds, read straight from its engines (not through paperfeed). */
interface Raw {
  /** Every kv key, with its namespace as the engine stores it. */
  kvKeys(): Promise<{ namespace: string; key: string }[]>;
  /** Every table name, and every row of every table (and kv value) as text. */
  tables(): Promise<string[]>;
  dump(): Promise<string>;
  close(): Promise<void>;
}

function sqliteRaw(dataDir: string): Raw {
  const files = () => readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'));
  const each = <T>(fn: (db: Database.Database) => T): T[] =>
    files().map((f) => {
      const db = new Database(join(dataDir, f), { readonly: true });
      try {
        return fn(db);
      } finally {
        db.close();
      }
    });
  const names = (db: Database.Database) =>
    db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all().map((r) => r.name);
  return {
    async kvKeys() {
      return each((db) => (names(db).includes('keyv') ? db.prepare<[], { key: string }>('SELECT key FROM keyv').all() : []))
        .flat()
        .map(({ key }) => ({ namespace: key.slice(0, key.indexOf(':')), key }));
    },
    async tables() {
      return each(names).flat();
    },
    async dump() {
      return each((db) => names(db).map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()))).flat().join('\n');
    },
    async close() {},
  };
}

async function pgRaw(url: string): Promise<Raw> {
  const pool = await openPgPool(url, { max: 1 });
  const names = async () =>
    (await pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).rows.map((r) => r.table_name);
  return {
    async kvKeys() {
      const { rows } = await pool.query<{ key: string }>('SELECT key FROM keyv');
      return rows.map(({ key }) => ({ namespace: key.slice(0, key.indexOf(':')), key }));
    },
    tables: names,
    async dump() {
      const out: string[] = [];
      for (const t of await names()) out.push(...(await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${t}" t`)).rows.map((r) => r.row));
      return out.join('\n');
    },
    close: () => pool.end(),
  };
}

async function redisRaw(url: string): Promise<Raw> {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  const keys = async () => (await client.keys('*')).filter((k) => !k.startsWith('paperfeed:lock:'));
  return {
    async kvKeys() {
      return (await keys()).map((key) => ({ namespace: key.slice(0, key.indexOf('::')), key }));
    },
    async tables() {
      return [];
    },
    async dump() {
      const out: string[] = [];
      for (const k of await keys()) out.push(k, String(await client.get(k)));
      return out.join('\n');
    },
    close: async () => {
      await client.close();
    },
  };
}

/** Every byte of every file under the data dir (SQLite files, their WALs, the index). */
function fileBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    parts.push(statSync(path).isDirectory() ? fileBytes(path) : readFileSync(path));
  }
  return Buffer.concat(parts);
}

interface SetUp {
  name: string;
  available: boolean;
  variable?: string;
  /** Env for the App, and the raw views of the engines it uses. */
  open(): Promise<{ env: Record<string, string>; raws: (dataDir: string) => Promise<Raw[]> }>;
}

const setUps: SetUp[] = [
  { name: 'SQLite', available: true, open: async () => ({ env: {}, raws: async (dir) => [sqliteRaw(dir)] }) },
  {
    name: 'PostgreSQL (papers, outbox and kv)',
    available: Boolean(PG_URL),
    variable: 'PAPERFEED_TEST_PG_URL',
    async open() {
      const db = await freshPgDatabase('forget');
      databases.push(db);
      return { env: { PAPERFEED_DATABASE_URL: db.url, PAPERFEED_KV_URL: db.url }, raws: async (dir) => [sqliteRaw(dir), await pgRaw(db.url)] };
    },
  },
  {
    name: 'Redis (kv)',
    available: Boolean(REDIS_URL),
    variable: 'PAPERFEED_TEST_REDIS_URL',
    async open() {
      const url = await freshRedisDb(REDIS_DB);
      return { env: { PAPERFEED_KV_URL: url }, raws: async (dir) => [sqliteRaw(dir), await redisRaw(url)] };
    },
  },
];

/** Everything a user can leave behind, each through the code that writes it in production. */
async function liveALittle(app: SampleApp, who: Recipient, topic: string): Promise<void> {
  const now = new Date();
  await addTopic(app, who, topic);
  await addKeyword(app, who, `-${topic.split(' ')[0]}`);
  await recordDelivered(app, who, [paper.id]);
  await changeDigest(app, who, { op: 'on' }, { now });
  await changeDigest(app, { ...who, platform: 'discord' }, { op: 'on' }, { now });
  await withOutbox(app.config, (o) => o.enqueue([{ recipient: who, date: '2030-01-01' }, { recipient: who, date: '2030-01-02' }], now));
  const llm = app.llm!;
  expect(await llm.rate.take(recipientKey(who))).toMatchObject({ ok: true });
  expect(await llm.whyForYou(paper, [topic])).toMatch(/^Relevant to/);
  await markDead(app, silentLog, who.id, 'user_not_found');
}

for (const s of setUps) {
  describe.skipIf(!s.available)(`forget-me on ${s.name}`, () => {
    let app: SampleApp;
    let raws: Raw[] = [];
    beforeAll(async () => {
      const { env, raws: open } = await s.open();
      app = await openSampleApp({
        ingestSample: false,
        env: { ...env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL, PAPERFEED_LLM_RETRIES: '0' },
      });
      raws = await open(app.dataDir);
    }, 120_000);
    afterAll(async () => {
      for (const r of raws) await r.close();
      await app?.dispose();
    });

    it('every namespace and table in use is declared; after forget nothing names the user, and the bystander keeps everything', { timeout: 120_000 }, async () => {
      await liveALittle(app, leaving, `${TEXT_MARK} attention`);
      await liveALittle(app, staying, 'graph neural networks');

      const namespaces = new Set<string>();
      for (const r of raws) {
        // A paper store has a vector table per embedding provider, under a random name.
        for (const t of await r.tables()) expect(declaredTables, `table ${t} is not declared in src/service/forget.ts`).toContain(t.replace(/^(vectors_)[0-9a-f]{12}$/, '$1'));
        for (const k of await r.kvKeys()) namespaces.add(k.namespace);
      }
      // Each declared namespace was really written above, and nothing else was.
      expect([...namespaces].sort()).toEqual(declaredNamespaces);
      const before = (await Promise.all(raws.map((r) => r.dump()))).join('\n');
      expect(before).toContain(ID_MARK);
      expect(before).toContain(TEXT_MARK);

      const out = await forgetRecipient(app, leaving);
      expect(out.outboxEntries).toBe(2);
      expect(out.deleted.map((d) => d.slice(0, d.indexOf('/'))).sort()).toEqual(
        ['digests', 'digests', 'llm-rate', 'llm-why', 'profiles', 'sentlog', 'slack'],
      );

      const after = (await Promise.all(raws.map((r) => r.dump()))).join('\n');
      expect(after).not.toContain(ID_MARK);
      expect(after).not.toContain(TEXT_MARK);
      // Freed pages are overwritten and the WAL emptied: the bytes are gone from the files too.
      const bytes = fileBytes(app.dataDir);
      expect(bytes.includes(ID_MARK)).toBe(false);
      expect(bytes.includes(TEXT_MARK)).toBe(false);

      expect(after).toContain('Ustaying');
      expect((await profileSummary(app, staying)).profile.topics.map((t) => t.text)).toEqual(['graph neural networks']);
      expect((await listSubscriptions(app)).map((x) => `${x.platform}:${x.id}:${x.enabled}`).sort()).toEqual(['discord:Ustaying:true', 'slack:Ustaying:true']);
      expect(await withOutbox(app.config, (o) => o.list())).toHaveLength(2);
      expect(await forgetRecipient(app, leaving)).toEqual({ deleted: [], outboxEntries: 0 });
    });
  });
  if (!s.available) announceSkip(`forget-me on ${s.name}`, s.variable!);
}

describe('a kv file written before secure_delete', () => {
  it('is vacuumed once on upgrade, so text deleted by an older paperfeed leaves its free pages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperfeed-kv-upgrade-'));
    const file = join(dir, 'kv.sqlite');
    try {
      // The v1 kv file as the previous release wrote it: no secure_delete.
      const old = openDatabase(file, { migrations: KV_MIGRATIONS.slice(0, 1), applicationId: KV_APPLICATION_ID, kind: 'kv store' });
      old.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)').run('profiles:user:old', JSON.stringify({ value: { topic: TEXT_MARK.repeat(50) } }));
      old.prepare('DELETE FROM keyv').run();
      old.pragma('wal_checkpoint(TRUNCATE)');
      old.close();
      expect(readFileSync(file).includes(TEXT_MARK)).toBe(true);

      new KeyvBetterSqlite({ file }).disconnect();
      expect(readFileSync(file).includes(TEXT_MARK)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('forget declarations', () => {
  it('every kv namespace named in the source is declared as forgotten or kept', () => {
    const root = new URL('../', import.meta.url).pathname;
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(/_NAMESPACE\s*=\s*'([^']+)'/g)) found.add(m[1]!);
          for (const m of text.matchAll(/\.kv\(\s*'([^']+)'/g)) found.add(m[1]!);
        }
      }
    };
    for (const d of ['src', 'bots', 'embeddings']) walk(join(root, d));
    expect(found.size).toBeGreaterThan(0);
    for (const ns of found) expect(declaredNamespaces, `kv namespace "${ns}" is not declared in src/service/forget.ts`).toContain(ns);
  });
});
