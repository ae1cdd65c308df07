/**
 * "A user who imports their library on one topic gets picks on that topic the same day" (issue 16),
 * measured on the personalization bench's groups: per group, a library of up to 50 of its papers
 * (at most half the group, so the other half can be found) is exported as BibTeX (title and
 * abstract, no ids: matched by title, the hardest path) and imported through the product path;
 * the user then gets default picks (n = 10) at once. The groups hold 12-23 papers, so a second user
 * per group imports 50 papers that are not stored, made from half of the group (each the first half
 * of one abstract and the second half of another, titled "Notes on <title>"), kept as text likes;
 * the papers they were made from count as already delivered (and are left out of the baselines), and
 * the other half of the group are the targets. Baselines on the bench's own TF-IDF, trained on the
 * same library: Rocchio (the library's mean) and the linear SVM.
 */
import { importLibraryFrom } from '../src/library/import.ts';
import type { Paper } from '../src/papers/paper.ts';
import { getPicks, recordDelivered } from '../src/recommend/index.ts';
import type { Recipient } from '../src/recommend/recipient.ts';
import type { App } from '../src/service/app.ts';
import type { Figure } from './figures.ts';
import { cosineScores, rocchioScores, svmScores, topK, type Group, type TfIdf } from './personal-eval.ts';
import type { SparseVector } from '../embeddings/provider.ts';

const N = 10;
const LIBRARY = 50;

const bibEscape = (s: string): string => s.replace(/[{}\\]/g, ' ');

type Entry = Pick<Paper, 'title' | 'abstract'>;

export function libraryBibtex(papers: readonly Entry[]): string {
  return papers.map((p, i) => `@article{lib${i},\n  title = {${bibEscape(p.title)}},\n  abstract = {${bibEscape(p.abstract)}},\n}`).join('\n\n');
}

const halves = (s: string): [string, string] => {
  const sentences = s.split(/(?<=\.)\s+/);
  const mid = Math.max(1, sentences.length >> 1);
  return [sentences.slice(0, mid).join(' '), sentences.slice(mid).join(' ')];
};

/** LIBRARY papers on a group's topic that the store does not hold. */
function unstoredLibrary(papers: readonly Paper[], members: readonly number[]): Entry[] {
  return Array.from({ length: LIBRARY }, (_, j) => {
    const a = papers[members[j % members.length]!]!;
    const b = papers[members[(j * 7 + 3) % members.length]!]!;
    return { title: `Notes on ${a.title} (${j + 1})`, abstract: `${halves(a.abstract)[0]} ${halves(b.abstract)[1]}`.trim() };
  });
}

function meanVector(vs: readonly SparseVector[]): SparseVector {
  const q: SparseVector = new Map();
  for (const v of vs) for (const [k, x] of v) q.set(k, (q.get(k) ?? 0) + x / vs.length);
  return q;
}

/** P@5 / P@10 of the imported-library users and of the baselines, as bench figures. */
export async function evaluateLibraryImport(app: App, papers: readonly Paper[], tf: TfIdf, groups: readonly Group[]): Promise<Figure[]> {
  const index = new Map(papers.map((p, i) => [p.id, i] as const));
  const precision = (ranked: number[], targets: Set<number>, k: number) => ranked.slice(0, k).filter((i) => targets.has(i)).length / k;
  const rows: { size: number; matched: number; picked: number[]; rocchio: number[]; svm: number[]; targets: Set<number> }[] = [];
  const text: { kept: number; picked: number[]; rocchio: number[]; svm: number[]; targets: Set<number> }[] = [];
  for (const [g, group] of groups.entries()) {
    const library = group.members.slice(0, Math.min(LIBRARY, group.members.length >> 1));
    const own = new Set(library);
    const r: Recipient = { kind: 'user', platform: 'cli', id: `library-${g}` };
    const report = await importLibraryFrom(app, r, { name: `group-${g}.bib`, content: libraryBibtex(library.map((i) => papers[i]!)) });
    const res = await getPicks(app, r, { n: N, record: false });
    rows.push({
      size: library.length,
      matched: report.matched.length,
      picked: res.picks.map((p) => index.get(p.paper.id)!),
      rocchio: topK(rocchioScores(tf, library, []), N, own),
      svm: topK(svmScores(tf, library.map((i) => tf.rows[i]!), own), N, own),
      targets: new Set(group.members.filter((i) => !own.has(i))),
    });

    const sources = group.members.slice(0, group.members.length >> 1);
    const unstored = unstoredLibrary(papers, sources);
    const t: Recipient = { kind: 'user', platform: 'cli', id: `library-text-${g}` };
    await recordDelivered(app, t, sources.map((i) => papers[i]!.id));
    const kept = (await importLibraryFrom(app, t, { name: `notes-${g}.bib`, content: libraryBibtex(unstored) })).keptAsText.length;
    const vectors = unstored.map((e) => tf.embed(`${e.title}. ${e.abstract}`));
    const read = new Set(sources);
    text.push({
      kept,
      picked: (await getPicks(app, t, { n: N, record: false })).picks.map((p) => index.get(p.paper.id)!),
      rocchio: topK(cosineScores(tf, meanVector(vectors)), N, read),
      svm: topK(svmScores(tf, vectors, read), N, read),
      targets: new Set(group.members.filter((i) => !read.has(i))),
    });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const at = <T extends { targets: Set<number> }>(k: number, of: readonly T[], pick: (x: T) => number[]) => mean(of.map((x) => precision(pick(x), x.targets, k)));
  const note = `${rows.length} users; library ${Math.min(...rows.map((x) => x.size))}-${Math.max(...rows.map((x) => x.size))} papers (mean ${mean(rows.map((x) => x.size)).toFixed(1)}), ${mean(rows.map((x) => x.matched / x.size)).toFixed(2)} matched by title`;
  return [
    { bench: 'personal', metric: 'library import: paperfeed P@5', value: at(5, rows, (x) => x.picked), unit: '', note },
    { bench: 'personal', metric: 'library import: paperfeed P@10', value: at(10, rows, (x) => x.picked), unit: '' },
    { bench: 'personal', metric: 'library import: paperfeed picks returned', value: mean(rows.map((x) => x.picked.length)), unit: '', note: `of ${N} asked` },
    { bench: 'personal', metric: 'library import: Rocchio P@10', value: at(10, rows, (x) => x.rocchio), unit: '' },
    { bench: 'personal', metric: 'library import: linear SVM P@10', value: at(10, rows, (x) => x.svm), unit: '' },
    {
      bench: 'personal',
      metric: `${LIBRARY} unstored papers imported: paperfeed P@10`,
      value: at(10, text, (x) => x.picked),
      unit: '',
      note: `${text.length} users; ${mean(text.map((x) => x.kept)).toFixed(0)} kept as text each`,
    },
    { bench: 'personal', metric: `${LIBRARY} unstored papers imported: paperfeed picks returned`, value: mean(text.map((x) => x.picked.length)), unit: '', note: `of ${N} asked` },
    { bench: 'personal', metric: `${LIBRARY} unstored papers imported: Rocchio P@10`, value: at(10, text, (x) => x.rocchio), unit: '' },
    { bench: 'personal', metric: `${LIBRARY} unstored papers imported: linear SVM P@10`, value: at(10, text, (x) => x.svm), unit: '' },
  ];
}
