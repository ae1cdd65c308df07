import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { textTerms } from '../index/lexical-index.ts';
import type { Logger } from '../log.ts';

/** Marks a file as a paperfeed store (PRAGMA application_id), so a foreign SQLite file is refused, not altered. */
export const APPLICATION_ID = 0x70667364; // "pfsd"

/**
 * Forward migrations: entry N-1 takes the schema from version N-1 to N. Append only; never edit a
 * released step, because `PRAGMA user_version` records which steps a file has already run.
 */
export const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE papers (
    id           TEXT PRIMARY KEY,
    norm_title   TEXT NOT NULL,
    arxiv_id     TEXT,
    title        TEXT NOT NULL,
    abstract     TEXT NOT NULL,
    authors      TEXT NOT NULL,          -- JSON array of strings
    author_count INTEGER,
    abs_url      TEXT,
    pdf_url      TEXT,
    published    TEXT,                   -- YYYY-MM-DD
    sources      TEXT NOT NULL,          -- JSON array of source names
    upvotes      INTEGER,
    organization TEXT,
    categories   TEXT,                   -- JSON array, NULL when none
    content_hash TEXT NOT NULL,
    first_seen   TEXT NOT NULL,          -- ISO instant
    updated_at   TEXT NOT NULL
  );
  CREATE INDEX papers_norm_title ON papers(norm_title);
  CREATE INDEX papers_first_seen ON papers(first_seen DESC, id);
  CREATE INDEX papers_published ON papers(published);
  -- Covers the corpus checksum scan and the paper/vector join without touching the wide rows.
  CREATE INDEX papers_id_hash ON papers(id, content_hash);

  -- Old ids (a title id later matched to its arXiv id) and alternative title ids that still name a paper.
  CREATE TABLE aliases (
    alias    TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON UPDATE CASCADE ON DELETE CASCADE
  );
  CREATE INDEX aliases_paper ON aliases(paper_id);

  -- The embedding cache: one vector per provider and text, shared by every paper with that text.
  CREATE TABLE vectors (
    provider_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BLOB NOT NULL,
    PRIMARY KEY (provider_key, content_hash)
  );

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // v2
  `
  -- Language-model TL;DRs, one per text and model, so a summary is never paid for twice. Keyed by
  -- content hash like the vector cache: it outlives paper renames and removals; paper_id records
  -- which paper it was first written for.
  CREATE TABLE summaries (
    content_hash TEXT NOT NULL,
    model        TEXT NOT NULL,
    paper_id     TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL,          -- ISO instant
    PRIMARY KEY (content_hash, model)
  );
  `,
  // v3
  `
  -- The lexical index (BM25 over titles and abstracts), written in the same transaction as the
  -- papers. Its documents are the term strings of src/index/lexical-index.ts joined by spaces
  -- (paperfeed_terms), so FTS5 only splits on spaces: queries and documents share one term
  -- semantics. Contentless: the text lives in papers once. Its rows are addressed by doc, which
  -- follows a renamed paper by the cascade; the papers table's own rowid may change in a VACUUM.
  -- date and sources repeat what a since/source filter reads from papers: checking them on these
  -- narrow rows is several times cheaper than on the wide paper rows, for thousands of matches.
  CREATE TABLE lexical_docs (
    doc      INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL UNIQUE REFERENCES papers(id) ON UPDATE CASCADE,
    date     TEXT NOT NULL,          -- published, else the day first seen
    sources  TEXT NOT NULL           -- JSON array, as in papers
  );
  CREATE VIRTUAL TABLE lexical USING fts5(
    title, abstract, content = '', contentless_delete = 1, tokenize = "ascii tokenchars '-._+/'"
  );
  -- Document frequencies and the document count, kept with every write: a long query picks its
  -- rarest terms from them with a few index lookups (fts5vocab reads a term's whole posting list).
  CREATE TABLE lexical_terms (
    term TEXT PRIMARY KEY,
    df   INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE lexical_stats (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    docs INTEGER NOT NULL
  );

  INSERT INTO lexical_docs (paper_id, date, sources)
    SELECT id, coalesce(published, substr(first_seen, 1, 10)), sources FROM papers ORDER BY id;
  INSERT INTO lexical (rowid, title, abstract)
    SELECT d.doc, paperfeed_terms(p.title), paperfeed_terms(p.abstract) FROM lexical_docs d JOIN papers p ON p.id = d.paper_id;
  CREATE VIRTUAL TABLE temp.lexical_vocab USING fts5vocab(main, lexical, row);
  INSERT INTO lexical_terms (term, df) SELECT term, doc FROM temp.lexical_vocab;
  DROP TABLE temp.lexical_vocab;
  INSERT INTO lexical_stats (one, docs) SELECT 1, count(*) FROM lexical_docs;

  -- The change feed: the last change of each paper id, numbered in commit order (a follower
  -- reads what moved after its cursor). Removed ids stay as tombstones.
  CREATE TABLE paper_changes (
    paper_id TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL UNIQUE,
    removed  INTEGER NOT NULL
  );
  `,
  // v4
  `
  -- DOIs (lower-case, bare; papers/doi.ts), so a library entry known only by its DOI finds its paper.
  ALTER TABLE papers ADD COLUMN doi TEXT;
  CREATE INDEX papers_doi ON papers(doi);
  `,
  // v5
  `
  -- Which cached vectors some paper still uses, asked a page of vectors at a time (pruneVectors):
  -- one statement over the whole table held the write lock for seconds at 1M papers.
  CREATE INDEX papers_content_hash ON papers(content_hash);
  `,
  // v6
  `
  -- Each provider key's vectors in a table of their own (sqlite-vectors.ts), named here, so that a
  -- superseded fit is dropped whole. Vectors already stored stay in \`vectors\`, named for their keys
  -- (a new store's \`vectors\` stays empty and unnamed).
  CREATE TABLE vector_tables (
    provider_key TEXT PRIMARY KEY,
    name         TEXT NOT NULL
  );
  INSERT INTO vector_tables (provider_key, name) SELECT DISTINCT provider_key, 'vectors' FROM vectors;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opening failed for a reason the user can act on; the message names the file. */
export class StoreOpenError extends Error {
  constructor(
    public readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export interface OpenOptions {
  log?: Logger;
  /** Which kind of paperfeed file this is: its PRAGMA application_id and its name in messages. */
  applicationId?: number;
  kind?: string;
  /** Migrations to run; tests pass a longer list to exercise an upgrade. */
  migrations?: readonly string[];
  /**
   * Overwrite deleted content with zeros (PRAGMA secure_delete, a per-connection setting): for
   * files holding people's data, so that what forget-me deletes cannot be read back from the file.
   * An existing file is also vacuumed when a migration upgrades it, so that content deleted by an
   * older paperfeed (without secure_delete) leaves its free pages.
   */
  secureDelete?: boolean;
  /**
   * Page size of a new file. A 512-d vector row is about 2.1 KB, so at the default 4 KB only one
   * fits a page (half of it wasted); 16 KB pages hold seven.
   */
  pageSize?: number;
}

/**
 * Opens (creating if needed) a SQLite file for paperfeed: checks that an existing file really is a
 * SQLite database of ours before anything writes to it, sets the pragmas and runs pending migrations.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Database.Database {
  const migrations = opts.migrations ?? MIGRATIONS;
  const kind: FileKind = { applicationId: opts.applicationId ?? APPLICATION_ID, kind: opts.kind ?? 'paper store' };
  const memory = file === ':memory:';
  const path = memory ? file : resolve(file);
  if (!memory) {
    if (existsSync(path)) checkExisting(path, migrations.length, kind);
    else mkdirSync(dirname(path), { recursive: true });
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new StoreOpenError(path, `cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    // Only a file with no tables yet takes a new page size, and only before WAL mode is set.
    if (opts.pageSize && db.prepare(`SELECT count(*) AS n FROM sqlite_master`).pluck().get() === 0) {
      db.pragma(`page_size = ${Math.floor(opts.pageSize)}`);
    }
    db.pragma('journal_mode = WAL');
    // With WAL, NORMAL is durable across application crashes and only risks the last commits on power loss.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (opts.secureDelete) db.pragma('secure_delete = ON');
    // The lexical index's term strings (migration v3 fills the index with it).
    db.function('paperfeed_terms', { deterministic: true }, (text: unknown) => textTerms(String(text ?? '')).join(' '));
    const upgraded = migrate(db, path, migrations, kind, opts.log);
    if (opts.secureDelete && upgraded) vacuumOnce(db, path, opts.log);
  } catch (err) {
    db.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(path, `cannot open ${path}: ${(err as Error).message}`);
  }
  return db;
}

interface FileKind {
  applicationId: number;
  kind: string;
}

/** Read-only inspection, so that a file which is not ours is never touched. */
function checkExisting(path: string, latest: number, file: FileKind): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = (
      db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).get() as { n: number }
    ).n;
    if (appId !== file.applicationId && (appId !== 0 || tables > 0)) {
      throw new StoreOpenError(
        path,
        `${path} is a SQLite database, but not a paperfeed ${file.kind}; refusing to modify it`,
      );
    }
    if (version > latest) {
      throw new StoreOpenError(
        path,
        `${path} has ${file.kind} schema v${version}, newer than this paperfeed understands (v${latest}); ` +
          'upgrade paperfeed',
      );
    }
  } catch (err) {
    if (err instanceof StoreOpenError) throw err;
    const code = (err as { code?: string }).code;
    const why = code === 'SQLITE_NOTADB' ? 'is not a SQLite database' : `cannot be read (${(err as Error).message})`;
    throw new StoreOpenError(path, `${path} ${why}; it was left untouched`);
  } finally {
    db?.close();
  }
}

/** Runs pending migrations; true when an existing file (not a new one) was upgraded. */
function migrate(
  db: Database.Database,
  path: string,
  migrations: readonly string[],
  file: FileKind,
  log?: Logger,
): boolean {
  const existing = (db.pragma('user_version', { simple: true }) as number) > 0;
  let ran = false;
  for (;;) {
    // The version is read inside the write lock, so two processes opening a new file at once do not
    // both run a step. Each step commits with its version bump: a crash mid-upgrade leaves the old version.
    const reached = db
      .transaction((): number | undefined => {
        const v = db.pragma('user_version', { simple: true }) as number;
        if (v > migrations.length) {
          throw new StoreOpenError(
            path,
            `${path} has ${file.kind} schema v${v}, newer than this paperfeed (v${migrations.length})`,
          );
        }
        if (v === migrations.length) return undefined;
        db.exec(migrations[v]!);
        db.pragma(`application_id = ${file.applicationId}`);
        db.pragma(`user_version = ${v + 1}`);
        return v + 1;
      })
      .immediate();
    if (reached === undefined) return existing && ran;
    ran = true;
    log?.info({ file: path, version: reached }, `${file.kind} schema migrated`);
  }
}

/** Rewrites the file without its free pages; another process holding it open only postpones this. */
function vacuumOnce(db: Database.Database, path: string, log?: Logger): void {
  try {
    db.exec('VACUUM');
  } catch (err) {
    log?.warn({ file: path, err: (err as Error).message }, 'could not vacuum the file after its upgrade; deleted content may stay in free pages');
  }
}
