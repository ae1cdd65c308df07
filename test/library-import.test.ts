// Library import end to end on a real sample App: matching, seeds and likes, text likes that shape
// picks, idempotence, bounds, and the CLI.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCommand, parseCommand, isReply, type CommandContext } from '../src/commands/index.ts';
import { importLibraryFrom } from '../src/library/import.ts';
import { matchLibrary } from '../src/library/match.ts';
import { parseLibrary } from '../src/library/detect.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { getPicks, profileSummary, recordFeedback, IMPORT_SEEDS, type Recipient } from '../src/recommend/index.ts';
import { PROFILE_LIMITS } from '../src/recommend/profile.ts';
import { readFileSource } from '../src/sources/files.ts';
import { runCli } from './helpers/cli.ts';
import { openSampleApp, type SampleApp } from './helpers/sample-app.ts';

const FIXTURES = new URL('./fixtures/library/', import.meta.url).pathname;
const bytes = async (name: string) => (await import('node:fs')).readFileSync(join(FIXTURES, name));

let app: SampleApp;
const who = (id: string): Recipient => ({ kind: 'user', platform: 'cli', id });
const rawProfile = (id: string) => app.kv('profiles').get(`user:${id}`);

beforeAll(async () => {
  app = await openSampleApp();
  // Three papers with arXiv ids besides the sample corpus (which has none).
  await ingest(app, [readFileSource(join(FIXTURES, 'stored-arxiv.jsonl'))]);
});

afterAll(async () => {
  await app?.dispose();
});

describe('matching', () => {
  it('matches by arXiv id in every form, by arXiv DOI and by normalized title; keeps the rest as text; names the others', async () => {
    const m = await matchLibrary(app.store, parseLibrary(await bytes('zotero.bib'), 'zotero.bib').entries);
    const matched = Object.fromEntries(m.matched.map((x) => [x.where.split(' ')[1], [x.paper.id, x.by]]));
    expect(matched).toMatchObject({
      vaswani2017attention: ['1706.03762', 'arxiv'],
      ho2020ddpm: ['2006.11239', 'arxiv'],
      devlin2018bert: ['1810.04805', 'arxiv'],
    });
    expect(matched.pidm![1]).toBe('title');
    expect((await app.store.getPaper(matched.pidm![0] as string))!.title).toBe('Physics-Informed Diffusion Models');
    // arXiv 1904.09237 is not stored, but the sample corpus has the paper under its title.
    expect((await app.store.getPaper(matched.reddi2018adam![0] as string))!.title).toBe('On the Convergence of Adam and Beyond');
    expect(m.text.map((t) => t.where.split(' ')[1])).toEqual(['goedel1931', 'erdos', 'lastone']);
    expect(m.text[0]!.abstract).toContain('größerer Exaktheit');
  });

  it('names duplicates and ids that are neither stored nor titled', async () => {
    const m = await matchLibrary(app.store, parseLibrary(await bytes('ids.txt'), 'ids.txt').entries);
    expect(m.matched.map((x) => x.paper.id)).toEqual(['1706.03762', '2006.11239', '1810.04805']);
    expect(m.skipped).toEqual([
      { where: 'line 4 (https://huggingface.co/papers/1904.09237)', reason: 'arXiv 1904.09237 is not a stored paper, and without a title it cannot be kept as text' },
      { where: 'line 5 (doi:10.48550/arXiv.2006.11239)', reason: 'the same paper as line 3 (arXiv:2006.11239)' },
      { where: 'line 6 (https://doi.org/10.1007/BF01700692)', reason: 'DOI 10.1007/bf01700692 is not a stored paper, and without a title it cannot be kept as text' },
      { where: 'line 9 (2401.99999)', reason: 'arXiv 2401.99999 is not a stored paper, and without a title it cannot be kept as text' },
    ]);
  });
});

describe('matching by DOI', () => {
  it('matches entries known only by a DOI (BibTeX, RIS, CSL JSON, a list), after the arXiv id and before the title', async () => {
    // Papers that carry DOIs: a journal paper without an arXiv id, and an arXiv paper with its journal DOI.
    await app.store.upsertPapers([
      { title: 'Deep Residual Learning for Image Recognition', abstract: 'We present a residual learning framework.', doi: 'https://doi.org/10.1109/CVPR.2016.90', source: 'jsonl' },
      { rawId: '2101.00042', title: 'Protein Structure from Sequence', abstract: 'We predict structures.', doi: '10.1038/s41586-021-03819-2', source: 'jsonl' },
    ]);
    const residual = (await app.store.findByTitle('Deep Residual Learning for Image Recognition'))!;
    const match = async (name: string, text: string) => {
      const parsed = parseLibrary(text, name);
      expect(parsed.skipped).toEqual([]);
      return matchLibrary(app.store, parsed.entries);
    };
    const how = (m: Awaited<ReturnType<typeof match>>) => m.matched.map((x) => [x.paper.id, x.by]);

    // A DOI-only BibTeX entry; an entry whose title names another paper (the DOI decides); an
    // entry with an arXiv id and a DOI of another paper (the arXiv id decides).
    const bib = await match('refs.bib', [
      '@article{he2016, doi = {10.1109/cvpr.2016.90}}',
      '@article{jumper2021, title = {Highly accurate protein structure prediction with AlphaFold}, doi = {https://doi.org/10.1038/S41586-021-03819-2}}',
      '@article{vaswani, title = {Attention Is All You Need}, eprint = {1706.03762}, archivePrefix = {arXiv}, doi = {10.1109/CVPR.2016.90}}',
    ].join('\n'));
    expect(how(bib)).toEqual([[residual.id, 'doi'], ['2101.00042', 'doi'], ['1706.03762', 'arxiv']]);
    expect(bib.text).toEqual([]);

    const ris = await match('refs.ris', ['TY  - JOUR', 'DO  - 10.1109/CVPR.2016.90', 'ER  - ', ''].join('\n'));
    expect(how(ris)).toEqual([[residual.id, 'doi']]);
    const csl = await match('refs.json', JSON.stringify([
      { id: 'a', type: 'article-journal', DOI: '10.1038/s41586-021-03819-2' },
      // A DOI no stored paper carries: the title still matches.
      { id: 'b', type: 'article-journal', DOI: '10.9999/elsewhere', title: 'deep residual learning for image recognition' },
    ]));
    expect(how(csl)).toEqual([['2101.00042', 'doi'], [residual.id, 'title']]);
    const list = await match('the pasted list', 'doi:10.1109/CVPR.2016.90\nhttps://doi.org/10.1038/s41586-021-03819-2\n');
    expect(how(list)).toEqual([[residual.id, 'doi'], ['2101.00042', 'doi']]);
    // The same paper by DOI and by title is one match; the other is named.
    const twice = await match('refs.bib', '@article{x, doi = {10.1109/CVPR.2016.90}}\n@article{y, title = {Deep Residual Learning for Image Recognition}}');
    expect(how(twice)).toEqual([[residual.id, 'doi']]);
    expect(twice.skipped).toEqual([{ where: expect.stringContaining('y'), reason: expect.stringMatching(/^the same paper as .*x/) }]);
  });
});

describe('import into a profile', () => {
  it('makes the first papers seeds and the rest likes, keeps unstored ones as text, and a second import changes nothing', async () => {
    const sample = (await app.store.listPapers({ limit: 40 })).filter((p) => !p.arxivId).slice(0, IMPORT_SEEDS + 2);
    const csl = JSON.stringify([
      ...sample.map((p, i) => ({ id: `s${i}`, type: 'article', title: p.title.toUpperCase() })),
      { id: 'u1', type: 'article', title: 'A paper nobody stored', abstract: 'About graph neural networks for molecules.' },
    ]);
    const first = await importLibraryFrom(app, who('alice'), { name: 'lib.json', content: csl });
    expect(first.format).toBe('csl-json');
    expect(first.matched.map((m) => m.outcome)).toEqual([...Array(IMPORT_SEEDS).fill('seed'), 'like', 'like']);
    expect(first.keptAsText).toEqual([{ where: 'item 13 (u1)', title: 'A paper nobody stored', outcome: 'kept' }]);
    expect(first.changed).toBe(true);

    const summary = await profileSummary(app, who('alice'));
    expect(summary.profile.seeds.map((s) => s.paperId)).toEqual(sample.slice(0, IMPORT_SEEDS).map((p) => p.id));
    expect(summary.profile.feedback.map((f) => [f.paperId, f.kind])).toEqual(sample.slice(IMPORT_SEEDS).map((p) => [p.id, 'up']));
    expect(summary.profile.textLikes.map((t) => t.title)).toEqual(['A paper nobody stored']);
    expect(summary.drivers.join('\n')).toMatch(/1 paper from your library that paperfeed has not stored count as liked/);

    const stored = JSON.stringify(await rawProfile('alice'));
    const second = await importLibraryFrom(app, who('alice'), { name: 'lib.json', content: csl }, { now: new Date(Date.now() + 60_000) });
    expect(second.changed).toBe(false);
    expect(second.matched.every((m) => m.outcome === 'already')).toBe(true);
    expect(second.keptAsText.map((t) => t.outcome)).toEqual(['already']);
    expect(JSON.stringify(await rawProfile('alice'))).toBe(stored);
  });

  it('leaves a paper the user already rated down as it was', async () => {
    await recordFeedback(app, who('bob'), '2006.11239', 'down');
    const r = await importLibraryFrom(app, who('bob'), { name: 'the pasted list', content: '2006.11239 1706.03762' });
    expect(r.matched.map((m) => [m.paperId, m.outcome])).toEqual([['2006.11239', 'already'], ['1706.03762', 'seed']]);
    const s = await profileSummary(app, who('bob'));
    expect(s.profile.feedback.map((f) => [f.paperId, f.kind])).toEqual([['2006.11239', 'down']]);
  });

  it(`keeps at most ${PROFILE_LIMITS.textLikes} text likes and names the rest`, async () => {
    const list = Array.from({ length: PROFILE_LIMITS.textLikes + 4 }, (_, i) => `@misc{u${i}, title = {Unstored study number ${i} of quantum error correction}}`).join('\n');
    const r = await importLibraryFrom(app, who('carol'), { name: 'big.bib', content: list });
    expect(r.keptAsText).toHaveLength(PROFILE_LIMITS.textLikes);
    expect(r.skipped).toHaveLength(4);
    expect(r.skipped[0]).toEqual({ where: `entry u${PROFILE_LIMITS.textLikes} (line ${PROFILE_LIMITS.textLikes + 1})`, reason: `not stored here, and a profile keeps at most ${PROFILE_LIMITS.textLikes} library papers as text` });
  });

  it('text likes alone make the picks personal, and the picks say which library paper they are like', async () => {
    const [diffusion] = await app.search.searchText('diffusion models image generation', { k: 1 });
    const p = diffusion!.paper;
    // A library paper that is not stored, on the topic of a stored one.
    const bib = `@article{mine, title = {My own diffusion paper}, abstract = {${p.abstract.slice(0, 600)}}}`;
    const r = await importLibraryFrom(app, who('dave'), { name: 'mine.bib', content: bib });
    expect(r.keptAsText).toHaveLength(1);
    const picks = await getPicks(app, who('dave'), { n: 5, date: p.published ?? p.firstSeen.slice(0, 10) });
    expect(picks.mode).toBe('personal');
    const top = picks.picks[0]!;
    expect(top.paper.id).toBe(p.id);
    expect(top.reasons.map((x) => x.text).join(' ')).toMatch(/My own diffusion paper/);
  });
});

describe('the chat command', () => {
  const ctx = (userId: string, extra: Partial<CommandContext> = {}): CommandContext => ({ platform: 'cli', userId, isChannelAdmin: async () => false, ...extra });

  it('imports a pasted list, lines and all, and reports matched / kept as text / skipped', async () => {
    const cmd = parseCommand('library import 1706.03762\n2401.99999\nhello');
    if (isReply(cmd)) throw new Error(cmd.text);
    expect(cmd).toEqual({ name: 'library', op: 'import', text: '1706.03762\n2401.99999\nhello' });
    const reply = await executeCommand(app, ctx('erin'), cmd);
    expect(reply.kind).toBe('ok');
    expect(reply.visibility).toBe('private');
    expect(reply.text).toMatch(/from the pasted list \(a list of ids\): 1 matched paper, 0 kept as text, 2 skipped/);
    expect(reply.text).toContain('line 3 (hello): not an arXiv id, DOI or link');
  });

  it('asks for a file or a list when given neither, and refuses a declared size over the limit before reading', async () => {
    const none = await executeCommand(app, ctx('erin'), { name: 'library', op: 'import' });
    expect(none.kind).toBe('error');
    expect(none.text).toMatch(/Attach your library \(BibTeX, CSL JSON or RIS, at most 5\.0 MB\)/);
    let read = false;
    const big = await executeCommand(app, ctx('erin', { attachments: [{ name: 'huge.bib', size: 6 * 1024 * 1024, read: async () => ((read = true), new Uint8Array()) }] }), {
      name: 'library',
      op: 'import',
    });
    expect(big.text).toMatch(/huge\.bib is 6\.0 MB; a library file may be at most 5\.0 MB/);
    expect(read).toBe(false);
    expect((parseCommand('library export') as { text: string }).text).toMatch(/`library export` is not a library command/);
  });
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-library-cli-'));
    await runCli(['--data-dir', join(dir, 'data'), 'ingest', join(FIXTURES, 'stored-arxiv.jsonl')]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('`library import refs.bib --user alice --json` reports every entry; again, nothing changes', async () => {
    const args = ['--data-dir', join(dir, 'data'), 'library', 'import', join(FIXTURES, 'zotero.bib'), '--user', 'alice', '--json'];
    const first = await runCli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r.matched.map((m: { paperId: string; outcome: string }) => [m.paperId, m.outcome])).toEqual([
      ['1706.03762', 'seed'],
      ['2006.11239', 'seed'],
      ['1810.04805', 'seed'],
    ]);
    expect(r.keptAsText.map((t: { title: string }) => t.title)).toEqual([
      'Physics-Informed Diffusion Models',
      'On the convergence of Adam and beyond',
      'Über formal unentscheidbare Sätze der Principia Mathematica und verwandter Systeme I',
      'Erdős on Graphs: His Legacy of Unsolved Problems',
      'Naïve Bayes at Scale',
    ]);
    expect(r.skipped.map((s: { where: string }) => s.where)).toEqual(['entry broken2020 (line 56)', 'entry nofields (line 68)', 'entry missingcomma (line 73)']);
    const again = JSON.parse((await runCli(args)).stdout);
    expect(again.changed).toBe(false);
    const text = await runCli(args.slice(0, -1));
    expect(text.stdout).toMatch(/^Library import from zotero\.bib \(BibTeX\): 3 matched papers, 5 kept as text, 3 skipped\./);
    expect(text.stdout).toContain('Nothing changed');
  });

  it('refuses a binary file with exit code 2 and a clear message', async () => {
    const pdf = join(dir, 'paper.pdf');
    await writeFile(pdf, '%PDF-1.5\n%\u00e2\u00e3');
    const res = await runCli(['--data-dir', join(dir, 'data'), 'library', 'import', pdf, '--user', 'alice']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/paper\.pdf is a PDF, not a library file/);
  });
});
