import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Keyv } from 'keyv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyvBetterSqlite } from '../src/store/keyv-sqlite.ts';
import { createKv, KV_FILE, KvConfigError } from '../src/store/kv.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { StoreOpenError } from '../src/store/sqlite-schema.ts';

const T0 = new Date('2025-04-01T12:00:00.000Z');
let dir: string;
const open: Keyv[] = [];
/** A Keyv on the default SQLite store of the temp data dir; closed after each test. */
const kv = (namespace: string, url?: string): Keyv => {
  const k = createKv(url, dir, namespace);
  open.push(k);
  return k;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperfeed-kv-'));
});
afterEach(async () => {
  vi.useRealTimers();
  for (const k of open.splice(0)) await k.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('keyv on better-sqlite3', () => {
  it('sets, gets, checks and deletes values', async () => {
    const users = kv('users');
    const state = { topics: ['diffusion', 'rl'], digest: { hour: 8 }, muted: false };
    expect(await users.set('U123', state)).toBe(true);
    expect(await users.get('U123')).toEqual(state);
    expect(await users.has('U123')).toBe(true);
    expect(await users.get('U999')).toBeUndefined();
    expect(await users.has('U999')).toBe(false);
    expect(await users.delete('U123')).toBe(true);
    expect(await users.delete('U123')).toBe(false);
    expect(await users.get('U123')).toBeUndefined();
    expect(existsSync(join(dir, KV_FILE))).toBe(true);
  });

  it('expires values after their ttl (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const users = kv('users');
    await users.set('session', 'abc', 60_000);
    await users.set('forever', 'x');
    vi.setSystemTime(T0.getTime() + 59_999);
    expect(await users.get('session')).toBe('abc');
    expect(await users.has('session')).toBe(true);
    vi.setSystemTime(T0.getTime() + 60_001);
    expect(await users.has('session')).toBe(false);
    expect(await users.get('session')).toBeUndefined();
    expect(await users.get('forever')).toBe('x');
    const raw = new Database(join(dir, KV_FILE), { readonly: true });
    expect(raw.prepare(`SELECT key FROM keyv ORDER BY key`).pluck().all()).toEqual(['users:forever']);
    raw.close();
  });

  it('applies a default ttl and batch operations', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const channels = kv('channels');
    channels.ttl = 1_000;
    await channels.setMany([
      { key: 'C1', value: { on: true } },
      { key: 'C2', value: { on: false }, ttl: 10_000 },
    ]);
    expect(await channels.getMany(['C1', 'C2', 'C3'])).toEqual([{ on: true }, { on: false }, undefined]);
    vi.setSystemTime(T0.getTime() + 5_000);
    expect(await channels.getMany(['C1', 'C2'])).toEqual([undefined, { on: false }]);
    expect(await channels.hasMany(['C1', 'C2'])).toEqual([false, true]);
    expect(await channels.deleteMany(['C1', 'C2'])).toBe(true);
    expect(await channels.deleteMany(['C1', 'C2'])).toBe(false);
  });

  it('isolates namespaces, also for clear() and names with LIKE wildcards', async () => {
    const a = kv('team_a');
    const b = kv('teamXa');
    const users = kv('users');
    await a.set('k', 1);
    await b.set('k', 2);
    await users.set('k', 3);
    expect([await a.get('k'), await b.get('k'), await users.get('k')]).toEqual([1, 2, 3]);
    await a.clear();
    expect([await a.get('k'), await b.get('k'), await users.get('k')]).toEqual([undefined, 2, 3]);
  });

  it('iterates the entries of its own namespace across pages', async () => {
    const file = join(dir, 'iter.sqlite');
    const store = new KeyvBetterSqlite({ file, iterationLimit: 2 });
    const users = new Keyv({ store, namespace: 'users' });
    const other = new Keyv({ store: new KeyvBetterSqlite({ file }), namespace: 'channels' });
    open.push(users, other);
    for (const k of ['a', 'b', 'c', 'd', 'e']) await users.set(k, k.toUpperCase());
    await other.set('z', 'Z');
    const seen: [string, unknown][] = [];
    for await (const [key, value] of users.iterator!(undefined)) seen.push([key as string, value]);
    expect(seen).toEqual([
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
      ['d', 'D'],
      ['e', 'E'],
    ]);
  });

  it('keeps values across a reopen', async () => {
    const first = createKv(undefined, dir, 'users');
    await first.set('U1', { topics: ['graphs'] });
    await first.disconnect();
    expect(await kv('users').get('U1')).toEqual({ topics: ['graphs'] });
  });
});

describe('the adapter itself', () => {
  it('hides and purges rows whose expiry has passed', async () => {
    let now = T0.getTime();
    const file = join(dir, 'raw.sqlite');
    const store = new KeyvBetterSqlite({ file, now: () => now });
    await store.set('ns:a', '{"value":1}', 1_000);
    await store.set('ns:b', '{"value":2}');
    now += 1_001;
    expect(await store.get('ns:a')).toBeUndefined();
    expect(await store.getMany(['ns:a', 'ns:b'])).toEqual([undefined, '{"value":2}']);
    expect(await store.delete('ns:a')).toBe(false);
    await store.set('ns:c', '{"value":3}', 1_000);
    await store.disconnect();

    now += 5_000;
    const reopened = new KeyvBetterSqlite({ file, now: () => now });
    await reopened.disconnect();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare(`SELECT key FROM keyv`).pluck().all()).toEqual(['ns:b']);
    raw.close();
  });

  it('refuses a paper store file (and vice versa) instead of mixing schemas', async () => {
    const papers = join(dir, 'papers.sqlite');
    await (await openSqliteStore(papers)).close();
    expect(() => new KeyvBetterSqlite({ file: papers })).toThrow(StoreOpenError);
    const kvFile = join(dir, KV_FILE);
    await new KeyvBetterSqlite({ file: kvFile }).disconnect();
    await expect(openSqliteStore(kvFile)).rejects.toThrow(/not a paperfeed paper store/);
  });
});

describe('createKv', () => {
  it('uses the SQLite file named by a sqlite:// URL', async () => {
    const file = join(dir, 'elsewhere', 'state.sqlite');
    await kv('users', `sqlite://${file}`).set('k', 'v');
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(dir, KV_FILE))).toBe(false);
    expect(await kv('users', `sqlite://${file}`).get('k')).toBe('v');
  });

  it('names PAPERFEED_KV_URL for an unsupported scheme, without echoing a password', () => {
    expect(() => createKv('mongodb://admin:s3cret@db.example:27017/pf', dir, 'users')).toThrow(KvConfigError);
    try {
      createKv('mongodb://admin:s3cret@db.example:27017/pf', dir, 'users');
    } catch (err) {
      expect((err as Error).message).toMatch(/^PAPERFEED_KV_URL: unsupported store "mongodb:\/\/\*\*\*@db\.example/);
      expect((err as Error).message).not.toContain('s3cret');
    }
    expect(() => createKv('just-a-path.sqlite', dir, 'users')).toThrow(/PAPERFEED_KV_URL/);
  });
});
