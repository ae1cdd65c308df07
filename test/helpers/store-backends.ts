/**
 * The paper-store backends of the store contract suites (store-papers, store-vectors): each test
 * gets a fresh, empty store; PostgreSQL is skipped, with the banner, where no test server is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PaperStore } from '../../src/store/paper-store.ts';
import { openPgPool } from '../../src/store/postgres-client.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { announceSkip, freshPgDatabase, PG_URL } from './servers.ts';

export interface OpenedStore {
  store: PaperStore;
  /** Another connection to the same store, as another process would open it. */
  connect(): Promise<PaperStore>;
  /** Makes the database itself refuse to insert a paper titled 'Poison' (a real failure halfway through a batch). */
  poison(): Promise<void>;
  /** Closes the store and throws its data away. */
  destroy(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  skip: boolean;
  open(): Promise<OpenedStore>;
}

export function storeBackends(label: string): StoreBackend[] {
  if (!PG_URL) announceSkip(`PostgreSQL paper store (${label})`, 'PAPERFEED_TEST_PG_URL');
  return [
    {
      name: 'sqlite',
      skip: false,
      async open() {
        const dir = await mkdtemp(join(tmpdir(), `paperfeed-${label}-`));
        const file = join(dir, 'papers.sqlite');
        const store = await openSqliteStore(file);
        return {
          store,
          connect: () => openSqliteStore(file),
          async poison() {
            const raw = new Database(file);
            raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON papers WHEN NEW.title = 'Poison'
                      BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
            raw.close();
          },
          async destroy() {
            await store.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgresql',
      skip: !PG_URL,
      async open() {
        const db = await freshPgDatabase(label);
        const store = await openPostgresStore(db.url, { maxConnections: 3 });
        return {
          store,
          connect: () => openPostgresStore(db.url, { maxConnections: 3 }),
          async poison() {
            const pool = await openPgPool(db.url, { max: 1 });
            try {
              await pool.query(`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.title = 'Poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`);
              await pool.query(`CREATE TRIGGER poison BEFORE INSERT ON papers FOR EACH ROW EXECUTE FUNCTION poison()`);
            } finally {
              await pool.end();
            }
          },
          async destroy() {
            await store.close();
            await db.drop();
          },
        };
      },
    },
  ];
}
