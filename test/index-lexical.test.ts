/**
 * The lexical index: its term semantics (shared by both stores), then one contract suite run on
 * the SQLite store (FTS5) and the PostgreSQL store (tsvector + GIN): ranking, title boost, joined
 * names, plurals, filters, updates in the papers' own transaction, whole abstracts as queries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_QUERY_POSTINGS,
  MAX_QUERY_TERMS,
  MIN_QUERY_TERMS,
  processTerm,
  queryTerms,
  textTerms,
  tokenize,
} from '../src/index/lexical-index.ts';
import type { PaperInput } from '../src/papers/paper.ts';
import { readPaperFiles } from '../src/sources/files.ts';
import type { PaperStore } from '../src/store/paper-store.ts';
import { openPgPool } from '../src/store/postgres-client.ts';
import { openPostgresStore } from '../src/store/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import { announceSkip, freshPgDatabase, PG_URL, type TestDatabase } from './helpers/servers.ts';

if (!PG_URL) announceSkip('PostgreSQL lexical index', 'PAPERFEED_TEST_PG_URL');

const DATA = new URL('../data/', import.meta.url).pathname;
const NOW = new Date('2025-03-01T08:00:00.000Z');

const paper = (id: string, title: string, abstract: string, extra: Partial<PaperInput> = {}): PaperInput => ({
  rawId: id,
  title,
  abstract,
  source: 'arxiv-atom',
  ...extra,
});

const docs: PaperInput[] = [
  paper('2401.00001', 'Evaluating GPT-4o on Visual Math Word Problems', 'We benchmark GPT-4o and open models on visual mathematics problems drawn from exams.', { published: '2024-01-05' }),
  paper('2401.00002', 'How GPT-4 Answers Medical Questions', 'An analysis of GPT-4 on medical licensing exams, with error categories and a reader study.', { published: '2023-06-01', source: 'hf-api' }),
  paper('2401.00003', 'Fine-tuning LLaMA-2 for Low-Resource Translation', 'We adapt LLaMA-2 with parameter-efficient fine-tuning to translate between low-resource languages.', { published: '2024-02-01' }),
  paper('2401.00004', 'Scaling Laws Revisited with Llama 3', 'Llama 3 models trained on 15T tokens; we fit scaling laws to their losses.', { published: '2024-03-01' }),
  paper('2401.00005', 'Why ResNet-50 Still Matters: A Baseline Study', 'Residual networks such as ResNet-50 remain strong image classification baselines under modern training recipes.'),
  paper('2401.00006', 'Consistency Distillation for Fast Diffusion Sampling', 'We distill diffusion models into few-step samplers with consistency training and evaluate image quality.', { published: '2024-04-01' }),
  paper('2401.00007', 'Message Passing on Heterophilous Graphs', 'Graph neural networks struggle when neighbouring nodes differ; we propose signed message passing.', { published: '2024-05-01' }),
  // Same length; "quokka" in the title of one and in the abstract of the other.
  paper('2401.00008', 'Quokka counting from aerial images', 'A survey method for island fauna using drones and detectors.', { published: '2024-06-01' }),
  paper('2401.00009', 'Counting animals from aerial images', 'A survey method for island quokka using drones and detectors.', { published: '2024-06-01' }),
];
const name = {
  gpt4o: '2401.00001',
  gpt4: '2401.00002',
  llama2: '2401.00003',
  llama3: '2401.00004',
  resnet: '2401.00005',
  diffusion: '2401.00006',
  graphs: '2401.00007',
  quokkaTitle: '2401.00008',
  quokkaAbstract: '2401.00009',
};

describe('lexical terms', () => {
  it('keeps joined model names whole and also yields their parts', () => {
    expect(tokenize('Fine-tuning LLaMA-2 (7B), GPT-4o; Qwen2.5.')).toEqual(['Fine-tuning', 'LLaMA-2', '7B', 'GPT-4o', 'Qwen2.5.']);
    expect(processTerm('GPT-4o')).toEqual(['gpt-4o', 'gpt4o', 'gpt', '4o']);
    expect(processTerm('Qwen2.5.')).toEqual(['qwen2.5', 'qwen25', 'qwen2', '5']);
    expect(processTerm('ResNet-50')).toEqual(['resnet-50', 'resnet50', 'resnet', '50']);
    // Text with any non-ASCII character takes the Unicode split: letters with marks stay in their word.
    expect(tokenize('naïve Über-Modelle, 東京 GPT-4o')).toEqual(['naïve', 'Über-Modelle', '東京', 'GPT-4o']);
    expect(textTerms('Über-Modelle')).toEqual(['über-modelle', 'übermodelle', 'über', 'modelle']);
  });

  it('lowercases, drops stop words and folds plurals', () => {
    expect(processTerm('The')).toBeNull();
    expect(processTerm('Transformers')).toEqual(['transformer']);
    expect(processTerm('studies')).toEqual(['study']);
    expect(processTerm('classes')).toEqual(['class']);
    expect(processTerm('analysis')).toEqual(['analysis']);
    expect(processTerm('--')).toBeNull();
    expect(textTerms('The Transformers of GPT-4o')).toEqual(['transformer', 'gpt-4o', 'gpt4o', 'gpt', '4o']);
    // A pasted path joined into one huge token is not a term.
    expect(textTerms(`see ${'ab/'.repeat(60)}c`)).toEqual(['see', 'ab', 'c']);
  });

  it('queries with the rarest terms within a postings budget, never the near-universal ones', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
    const df = new Map(words.map((w, i) => [w, (i + 1) * 50]));
    const docs = 100_000;
    const picked = queryTerms([...words, 'w0', 'unknown'], df, docs);
    // Rarest first, each once, the unknown term dropped; 50+100+...: cut where the sum passes 5k.
    expect(picked.map((t) => t.term)).toEqual(words.slice(0, picked.length));
    expect(picked.length).toBeGreaterThanOrEqual(MIN_QUERY_TERMS);
    expect(picked.length).toBeLessThan(30);
    expect(picked[0]!.idf).toBeGreaterThan(picked[1]!.idf);
    // A small corpus: everything fits, up to the cap.
    expect(queryTerms(words, new Map(words.map((w) => [w, 1])), docs)).toHaveLength(MAX_QUERY_TERMS);
    // Terms in half the documents or more go, unless nothing else is left.
    expect(queryTerms(['common', 'rare'], new Map([['common', 60_000], ['rare', 10]]), docs).map((t) => t.term)).toEqual(['rare']);
    expect(queryTerms(['common'], new Map([['common', 600]]), 1_000).map((t) => t.term)).toEqual(['common']);
  });

  it('never takes more postings than the hard ceiling, not even to reach the minimum terms', () => {
    const docs = 1_000_000;
    const df = new Map([
      ['learning', 210_000],
      ['model', 220_000],
      ['language', 40_000],
      ['quokka', 12],
      ['resnet-50', 900],
    ]);
    // The rare terms are kept, the common ones dropped although fewer than MIN_QUERY_TERMS remain.
    expect(queryTerms(['learning', 'model', 'quokka', 'language', 'resnet-50'], df, docs).map((t) => t.term)).toEqual(['quokka', 'resnet-50']);
    // Only common terms: no lexical query at all (hybrid search then ranks by its dense half).
    expect(queryTerms(['learning', 'model', 'language'], df, docs)).toEqual([]);
    // Unless the lexical ranking is the only one: then the rarest term is kept, and only it.
    expect(queryTerms(['learning', 'model', 'language'], df, docs, MAX_QUERY_POSTINGS, true).map((t) => t.term)).toEqual(['language']);
    expect(queryTerms(['learning', 'quokka'], df, docs, MAX_QUERY_POSTINGS, true).map((t) => t.term)).toEqual(['quokka']);
    // Terms are taken while their sum stays within the ceiling.
    const near = new Map([['a', MAX_QUERY_POSTINGS / 2], ['b', MAX_QUERY_POSTINGS / 2], ['c', 1 + MAX_QUERY_POSTINGS / 2]]);
    expect(queryTerms(['a', 'b', 'c'], near, docs).map((t) => t.term)).toEqual(['a', 'b']);
    // The ceiling can be set per store.
    expect(queryTerms(['learning', 'language', 'quokka'], df, docs, 50_000).map((t) => t.term)).toEqual(['quokka', 'language']);
  });
});

interface Backend {
  name: string;
  skip: boolean;
  open(): Promise<PaperStore>;
  /** Another store on the data open() opened, with a lexical postings ceiling. */
  reopen(opts: { lexicalMaxPostings: number }): Promise<PaperStore>;
  /** Makes the next insert of a paper whose title contains BOOM fail inside the store's transaction. */
  sabotage(): Promise<void>;
}

let dir: string;
let pgDb: TestDatabase | undefined;
let opened = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperfeed-lexical-'));
  if (PG_URL) pgDb = await freshPgDatabase('lexical');
});
afterAll(async () => {
  await pgDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

const backends: Backend[] = [
  {
    name: 'sqlite (FTS5)',
    skip: false,
    file: '',
    async open() {
      this.file = join(dir, `papers-${++opened}.sqlite`);
      return openSqliteStore(this.file);
    },
    async reopen(opts) {
      return openSqliteStore(this.file, opts);
    },
    async sabotage() {
      const db = new Database(this.file);
      db.exec(`CREATE TRIGGER boom BEFORE INSERT ON papers WHEN NEW.title LIKE '%BOOM%' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
      db.close();
    },
  } as Backend & { file: string },
  {
    name: 'postgresql (tsvector)',
    skip: !PG_URL,
    async open() {
      // One database per file: start each suite from an empty schema.
      const pool = await openPgPool(pgDb!.url, { max: 1 });
      await pool.query(`DROP TABLE IF EXISTS paper_changes, lexical_stats, lexical_terms, lexical_docs, summaries, corpus_version, meta, vectors, vector_tables, aliases, papers, paperfeed_schema CASCADE`);
      await pool.end();
      return openPostgresStore(pgDb!.url);
    },
    async reopen(opts) {
      return openPostgresStore(pgDb!.url, opts);
    },
    async sabotage() {
      const pool = await openPgPool(pgDb!.url, { max: 1 });
      await pool.query(`CREATE OR REPLACE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.title LIKE '%BOOM%' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`);
      await pool.query(`CREATE TRIGGER boom BEFORE INSERT ON papers FOR EACH ROW EXECUTE FUNCTION boom()`);
      await pool.end();
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`lexical index on ${backend.name}`, () => {
    let store: PaperStore;
    const ids = async (text: string, k = 5, filter?: Parameters<PaperStore['searchLexical']>[2]) =>
      (await store.searchLexical(text, k, filter)).map((h) => h.id);

    beforeAll(async () => {
      store = await backend.open();
      await store.upsertPapers(docs, NOW);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('ranks the paper whose title holds the query words first', async () => {
      expect((await ids('consistency distillation'))[0]).toBe(name.diffusion);
      expect((await ids('heterophilous graphs message passing'))[0]).toBe(name.graphs);
      expect((await ids('scaling laws'))[0]).toBe(name.llama3);
    });

    it('counts a title match more than an abstract match', async () => {
      expect(await ids('quokka')).toEqual([name.quokkaTitle, name.quokkaAbstract]);
    });

    it('tells model names apart: GPT-4o from GPT-4, LLaMA-2 from Llama 3', async () => {
      expect((await ids('GPT-4o'))[0]).toBe(name.gpt4o);
      expect((await ids('gpt4o'))[0]).toBe(name.gpt4o);
      expect((await ids('GPT-4'))[0]).toBe(name.gpt4);
      expect((await ids('LLaMA-2'))[0]).toBe(name.llama2);
      expect((await ids('llama2'))[0]).toBe(name.llama2);
      expect((await ids('ResNet-50'))[0]).toBe(name.resnet);
      expect((await ids('resnet50 baseline'))[0]).toBe(name.resnet);
    });

    it('folds plurals on both sides', async () => {
      expect(await ids('baseline')).toEqual([name.resnet]);
      expect(await ids('studies')).toEqual([name.resnet, name.gpt4]);
      expect(await ids('network')).toEqual(expect.arrayContaining([name.resnet, name.graphs]));
    });

    it('returns BM25 scores best first, at most k, and nothing for stop words or unknown words', async () => {
      const hits = await store.searchLexical('image models', 10);
      expect(hits.length).toBeGreaterThan(1);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      expect(hits.every((h) => h.score > 0)).toBe(true);
      expect(await store.searchLexical('image models', 1)).toHaveLength(1);
      expect(await store.searchLexical('the of and', 5)).toEqual([]);
      expect(await store.searchLexical('zyxquorp', 5)).toEqual([]);
      await expect(store.searchLexical('image', 0)).rejects.toThrow(/searchLexical: k/);
      await expect(store.searchLexical('image', 5, { since: '2024-13-01' })).rejects.toThrow(/since/);
    });

    it('drops terms beyond the postings ceiling: a common word no longer costs its whole posting list', async () => {
      // "image" is in 4 papers, "translate" in 1: with a ceiling of 3 postings only "translate" is asked.
      expect(await ids('image translate', 10)).toEqual(expect.arrayContaining([name.llama2, name.resnet, name.diffusion, name.quokkaTitle]));
      const capped = await backend.reopen({ lexicalMaxPostings: 3 });
      try {
        expect((await capped.searchLexical('image translate', 10)).map((h) => h.id)).toEqual([name.llama2]);
        expect(await capped.searchLexical('image', 10)).toEqual([]);
        // As the only ranking (lexical mode), a query of common words still answers.
        const image = await ids('image', 10);
        expect(image).toHaveLength(4);
        expect((await capped.searchLexical('image', 10, { sole: true })).map((h) => h.id)).toEqual(image);
        expect((await capped.searchLexical('image translate', 10, { sole: true })).map((h) => h.id)).toEqual([name.llama2]);
        expect((await capped.searchLexical('quokka', 10)).map((h) => h.id)).toEqual([name.quokkaTitle, name.quokkaAbstract]);
      } finally {
        await capped.close();
      }
    });

    it('filters by date (published, else the day first seen), source and excluded ids before cutting the top k', async () => {
      expect(await ids('GPT-4o exams', 1, { excludeIds: [name.gpt4o] })).toEqual([name.gpt4]);
      expect(await ids('GPT-4 exams', 5, { since: '2024-01-01' })).toEqual([name.gpt4o]);
      expect(await ids('GPT-4 exams', 5, { source: 'hf-api' })).toEqual([name.gpt4]);
      // No published date: first seen on 2025-03-01 counts.
      expect(await ids('ResNet-50', 5, { since: '2025-03-01' })).toEqual([name.resnet]);
      expect(await ids('ResNet-50', 5, { since: '2025-03-02' })).toEqual([]);
      expect(await ids('GPT-4 exams', 5, { since: '2024-01-01', source: 'hf-api' })).toEqual([]);
    });

    it('follows merges, renames and removals in the papers’ own transaction', async () => {
      // A merge that changes the abstract (the longer one wins): the old words stop matching, the new ones match.
      await store.upsertPapers(
        [paper(name.graphs, 'Message Passing on Heterophilous Graphs', 'Sheaves generalise message passing to heterophilous graphs: signed edges let a node disagree with its differing neighbours.')],
        NOW,
      );
      expect(await ids('sheaves')).toEqual([name.graphs]);
      expect(await ids('neighbouring')).toEqual([]);
      // A paper first known by title, then matched to its arXiv id: found under the new id only.
      const { added } = await store.upsertPapers([{ title: 'Wombat Burrow Acoustics', abstract: 'Listening to wombats underground.', source: 'hf-page' }], NOW);
      expect(await ids('wombat')).toEqual(added);
      const renamed = await store.upsertPapers([paper('2402.09999', 'Wombat burrow acoustics', 'Listening to wombats underground.')], NOW);
      expect(renamed.renamed).toEqual([{ from: added[0], to: '2402.09999' }]);
      expect(await ids('wombat')).toEqual(['2402.09999']);
      expect(await ids('wombat', 5, { since: '2025-03-01' })).toEqual(['2402.09999']);
      // A merge that changes only the sources or the date: the filters follow.
      await store.upsertPapers([{ ...docs[7]!, source: 'hf-page' }, { ...docs[4]!, published: '2023-01-01' }], NOW);
      expect(await ids('quokka', 5, { source: 'hf-page' })).toEqual([name.quokkaTitle]);
      expect(await ids('ResNet-50', 5, { since: '2025-03-01' })).toEqual([]);
      expect(await ids('ResNet-50', 5, { since: '2023-01-01' })).toEqual([name.resnet]);
      // Removed: gone from the index.
      expect(await store.removePaper('2402.09999')).toBe(true);
      expect(await ids('wombat')).toEqual([]);
      expect(await ids('quokka')).toEqual([name.quokkaTitle, name.quokkaAbstract]);
    });

    it('leaves no lexical rows behind when a batch rolls back', async () => {
      const before = await store.changesSince(undefined);
      await backend.sabotage();
      await expect(
        store.upsertPapers([paper('2403.00001', 'Platypus electroreception', 'Bills sense fields.'), paper('2403.00002', 'BOOM', 'x')], NOW),
      ).rejects.toThrow(/boom/);
      expect(await ids('platypus')).toEqual([]);
      expect(await store.getPaper('2403.00001')).toBeUndefined();
      expect(await store.changesSince(before.cursor)).toEqual({ cursor: before.cursor, upserted: [], removed: [] });
      // The statistics did not move either: the next paper with that word is the only one holding it.
      await store.upsertPapers([paper('2403.00003', 'Platypus venom', 'Spurs deliver venom.')], NOW);
      expect(await ids('platypus')).toEqual(['2403.00003']);
    });

    it('finds each sample paper first when its whole text is the query', async () => {
      const sample = (await readPaperFiles(join(DATA, '003_e6b82b24773b7471.txt'))).papers;
      await store.upsertPapers(sample, NOW);
      for (const input of sample.slice(0, 25)) {
        const stored = await store.findByTitle(input.title);
        const [top] = await store.searchLexical(`${stored!.title}\n\n${stored!.abstract}`, 10);
        expect(top?.id, stored!.title).toBe(stored!.id);
      }
    });
  });
}
