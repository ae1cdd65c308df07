// Offline evaluation of personal picks with simulated users (issue 13). The sample corpus is
// ingested into a fresh app; 11 groups of related papers are found on an independent TF-IDF
// (bench/personal-eval.ts); per group three users: a topic user (the group's label as a topic), a
// user with 3 thumbs-up in the group and 3 thumbs-down in another, and a seed-paper user. Each
// gets default picks (n = 10) over the whole corpus through getPicks, the product path. Precision
// counts an empty slot as a miss; the papers that built the profile are never targets. Baselines
// are computed in the same run on the same data and rank every paper but the profile's own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper } from '../src/papers/paper.ts';
import { ingest } from '../src/pipeline/ingest.ts';
import { addSeed, addTopic, getPicks, recordFeedback } from '../src/recommend/index.ts';
import type { Recipient } from '../src/recommend/recipient.ts';
import { readFileSource } from '../src/sources/files.ts';
import { openBuiltinApp } from './builtin-app.ts';
import type { Bench, Figure } from './figures.ts';
import { cosineScores, findGroups, fitTfIdf, rocchioScores, svmScores, topK } from './personal-eval.ts';

const N = 10;
const GROUPS = 11;

type Kind = 'topic' | 'updown' | 'seed';
interface Run {
  kind: Kind;
  targets: Set<number>;
  picked: number[];
  baselines: Record<string, number[]>;
}

const precision = (ranked: number[], targets: Set<number>, k: number) => ranked.slice(0, k).filter((i) => targets.has(i)).length / k;

const bench: Bench = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paperfeed-personal-'));
  const app = await openBuiltinApp(dir);
  const runs: Run[] = [];
  let short = 0;
  let labels: string[] = [];
  try {
    await ingest(app, [readFileSource(fileURLToPath(new URL('../data/', import.meta.url)))]);
    const papers: Paper[] = (await app.store.listPapers()).sort((a, b) => a.id.localeCompare(b.id));
    const index = new Map(papers.map((p, i) => [p.id, i] as const));
    const tf = fitTfIdf(papers.map((p) => `${p.title}. ${p.abstract}`));
    const groups = findGroups(tf, GROUPS);
    labels = groups.map((g) => `${g.label} (${g.members.length})`);

    const picksFor = async (r: Recipient): Promise<number[]> => {
      const res = await getPicks(app, r, { n: N, record: false });
      // The target: never fewer picks than asked while papers above the floor remain (not the cut-off).
      const eligible = res.candidates - Object.values(res.excluded).reduce((a, b) => a + b, 0) - res.belowFloor;
      if (res.picks.length < Math.min(N, eligible)) short++;
      return res.picks.map((p) => index.get(p.paper.id)!);
    };

    for (const [g, group] of groups.entries()) {
      const members = group.members;
      const other = groups[(g + 1) % groups.length]!.members;
      const all = new Set(members);

      const topic: Recipient = { kind: 'user', platform: 'cli', id: `topic-${g}` };
      await addTopic(app, topic, group.label);
      const phrase = tf.embed(group.label);
      runs.push({
        kind: 'topic',
        targets: all,
        picked: await picksFor(topic),
        baselines: { 'TF-IDF cosine': topK(cosineScores(tf, phrase), N, new Set()), 'linear SVM': topK(svmScores(tf, [phrase], new Set()), N, new Set()) },
      });

      const ups = members.slice(0, 3);
      const downs = other.slice(0, 3);
      const updown: Recipient = { kind: 'user', platform: 'cli', id: `updown-${g}` };
      for (const i of ups) await recordFeedback(app, updown, papers[i]!.id, 'up');
      for (const i of downs) await recordFeedback(app, updown, papers[i]!.id, 'down');
      const rated = new Set([...ups, ...downs]);
      runs.push({
        kind: 'updown',
        targets: new Set(members.filter((i) => !rated.has(i))),
        picked: await picksFor(updown),
        baselines: {
          Rocchio: topK(rocchioScores(tf, ups, downs), N, rated),
          'linear SVM': topK(svmScores(tf, ups.map((i) => tf.rows[i]!), new Set(ups)), N, rated),
        },
      });

      const seedPaper = members[members.length >> 1]!;
      const seed: Recipient = { kind: 'user', platform: 'cli', id: `seed-${g}` };
      await addSeed(app, seed, papers[seedPaper]!.id);
      const own = new Set([seedPaper]);
      runs.push({
        kind: 'seed',
        targets: new Set(members.filter((i) => i !== seedPaper)),
        picked: await picksFor(seed),
        baselines: {
          'TF-IDF cosine': topK(cosineScores(tf, tf.rows[seedPaper]!), N, own),
          'linear SVM': topK(svmScores(tf, [tf.rows[seedPaper]!], own), N, own),
        },
      });
    }
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }

  const figures: Figure[] = [];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  for (const kind of ['topic', 'updown', 'seed'] as Kind[]) {
    const of = runs.filter((r) => r.kind === kind);
    const note = kind === 'topic' ? `${of.length} users; groups: ${labels.join(', ')}` : `${of.length} users`;
    const p10 = mean(of.map((r) => precision(r.picked, r.targets, 10)));
    figures.push(
      { bench: 'personal', metric: `${kind}: paperfeed P@5`, value: mean(of.map((r) => precision(r.picked, r.targets, 5))), unit: '', note },
      { bench: 'personal', metric: `${kind}: paperfeed P@10`, value: p10, unit: '' },
      { bench: 'personal', metric: `${kind}: paperfeed picks returned`, value: mean(of.map((r) => r.picked.length)), unit: '', note: `of ${N} asked` },
    );
    let best = 0;
    for (const name of Object.keys(of[0]!.baselines)) {
      const b10 = mean(of.map((r) => precision(r.baselines[name]!, r.targets, 10)));
      best = Math.max(best, b10);
      figures.push(
        { bench: 'personal', metric: `${kind}: ${name} P@5`, value: mean(of.map((r) => precision(r.baselines[name]!, r.targets, 5))), unit: '' },
        { bench: 'personal', metric: `${kind}: ${name} P@10`, value: b10, unit: '' },
      );
    }
    figures.push({ bench: 'personal', metric: `${kind}: paperfeed P@10 − best baseline`, value: p10 - best, unit: '', note: 'target ≥ 0.05' });
  }
  figures.push({ bench: 'personal', metric: 'users given fewer picks than asked while papers above the floor remained', value: short, unit: '', note: `of ${runs.length}` });
  return figures;
};

export default bench;
