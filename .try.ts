import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedFamilies } from '/work/wt/picks/bench/personal-generated.ts';
import { cosineScores, fitTfIdf, rocchioScores, svmScores, topK } from '/work/wt/picks/bench/personal-eval.ts';
const dir = mkdtempSync(join(tmpdir(), 'try-'));
for (const follow of [0.2, 0.25, 0.3]) for (const fams of [40]) for (const words of [2,3,4]) {
  const gen = writeGeneratedFamilies('/work/wt/picks/data/', dir, { families: fams, papers: 800, seed: 13, follow });
  const papers = readFileSync(gen.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tf = fitTfIdf(papers.map((p: any) => `${p.title}. ${p.abstract}`));
  const by = new Map<number, number[]>();
  papers.forEach((p: any, i: number) => { const f = gen.family.get(p.id)!; by.set(f, [...(by.get(f) ?? []), i]); });
  const groups = [...by].filter(([, m]) => m.length >= 12).sort((a, b) => a[0] - b[0]).slice(0, 11).map(([f, members]) => ({ label: gen.titles[f]!.split(' ').filter((w) => /^[A-Za-z][A-Za-z-]{4,}$/.test(w)).slice(0, words).join(' '), members }));
  const p10 = (r: number[], t: Set<number>) => r.slice(0, 10).filter((i) => t.has(i)).length / 10;
  let a = 0, b = 0, c = 0;
  groups.forEach((g, k) => {
    const m = g.members; const other = groups[(k + 1) % groups.length]!.members;
    a += p10(topK(cosineScores(tf, tf.embed(g.label)), 10, new Set()), new Set(m));
    const ups = m.slice(0, 3), downs = other.slice(0, 3); const rated = new Set([...ups, ...downs]);
    b += p10(topK(rocchioScores(tf, ups, downs), 10, rated), new Set(m.filter((i) => !rated.has(i))));
    const s = m[m.length >> 1]!;
    c += p10(topK(cosineScores(tf, tf.rows[s]!), 10, new Set([s])), new Set(m.filter((i) => i !== s)));
  });
  console.log(groups.map(g=>g.label).join('|'));console.log(follow, words, fams, groups.length, (a / groups.length).toFixed(2), (b / groups.length).toFixed(2), (c / groups.length).toFixed(2));
}
