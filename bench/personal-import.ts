/**
 * "A user who imports their library on one topic gets picks on that topic the same day" (issue 16),
 * measured on the personalization bench's groups: per group, a library of up to 50 of its papers
 * (at most half the group, so the other half can be found) is exported as BibTeX (title and
 * abstract, no ids: matched by title, the hardest path) and imported through the product path;
 * the user then gets default picks (n = 10) at once. Baselines on the bench's own TF-IDF, trained
 * on the same library: Rocchio and the linear SVM.
 */
import { importLibraryFrom } from '../src/library/import.ts';
import type { Paper } from '../src/papers/paper.ts';
import { getPicks } from '../src/recommend/index.ts';
import type { Recipient } from '../src/recommend/recipient.ts';
import type { App } from '../src/service/app.ts';
import type { Figure } from './figures.ts';
import { rocchioScores, svmScores, topK, type Group, type TfIdf } from './personal-eval.ts';

const N = 10;
const LIBRARY = 50;

const bibEscape = (s: string): string => s.replace(/[{}\\]/g, ' ');

export function libraryBibtex(papers: readonly Paper[]): string {
  return papers.map((p, i) => `@article{lib${i},\n  title = {${bibEscape(p.title)}},\n  abstract = {${bibEscape(p.abstract)}},\n}`).join('\n\n');
}

/** P@5 / P@10 of the imported-library users and of the baselines, as bench figures. */
export async function evaluateLibraryImport(app: App, papers: readonly Paper[], tf: TfIdf, groups: readonly Group[]): Promise<Figure[]> {
  const index = new Map(papers.map((p, i) => [p.id, i] as const));
  const precision = (ranked: number[], targets: Set<number>, k: number) => ranked.slice(0, k).filter((i) => targets.has(i)).length / k;
  const rows: { size: number; matched: number; picked: number[]; rocchio: number[]; svm: number[]; targets: Set<number> }[] = [];
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
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const at = (k: number, pick: (x: (typeof rows)[number]) => number[]) => mean(rows.map((x) => precision(pick(x), x.targets, k)));
  const note = `${rows.length} users; library ${Math.min(...rows.map((x) => x.size))}-${Math.max(...rows.map((x) => x.size))} papers (mean ${mean(rows.map((x) => x.size)).toFixed(1)}), ${mean(rows.map((x) => x.matched / x.size)).toFixed(2)} matched by title`;
  return [
    { bench: 'personal', metric: 'library import: paperfeed P@5', value: at(5, (x) => x.picked), unit: '', note },
    { bench: 'personal', metric: 'library import: paperfeed P@10', value: at(10, (x) => x.picked), unit: '' },
    { bench: 'personal', metric: 'library import: paperfeed picks returned', value: mean(rows.map((x) => x.picked.length)), unit: '', note: `of ${N} asked` },
    { bench: 'personal', metric: 'library import: Rocchio P@10', value: at(10, (x) => x.rocchio), unit: '' },
    { bench: 'personal', metric: 'library import: linear SVM P@10', value: at(10, (x) => x.svm), unit: '' },
  ];
}
