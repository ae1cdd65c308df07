// The simulated users of the personalization bench, on any corpus and any ground-truth groups:
// per group a topic user (the group's label as a topic), a user with 3 thumbs-up in the group and
// 3 thumbs-down in the next group, and a seed-paper user. Each gets default picks (n = 10) over
// the whole corpus through getPicks, the product path; the baselines rank every paper but the
// profile's own on the bench's TF-IDF, in the same run. Precision counts an empty slot as a miss;
// the papers that built the profile are never targets.
import type { Paper } from '../src/papers/paper.ts';
import { addSeed, addTopic, getPicks, recordFeedback } from '../src/recommend/index.ts';
import type { Recipient } from '../src/recommend/recipient.ts';
import type { App } from '../src/service/app.ts';
import type { Figure } from './figures.ts';
import { cosineScores, prfScores, rocchioScores, svmScores, topK, type Group, type TfIdf } from './personal-eval.ts';

const N = 10;
/** Not one of the baselines (the target is judged without it): what query expansion alone gives. */
const PRF = 'TF-IDF + PRF (extra)';

export type Kind = 'topic' | 'updown' | 'seed';
export interface Run {
  kind: Kind;
  targets: Set<number>;
  picked: number[];
  baselines: Record<string, number[]>;
}

export interface Simulation {
  runs: Run[];
  /** Users given fewer picks than asked while papers above the floor remained. */
  short: number;
  /** Wall time of each getPicks call (the whole product path: candidates, features, training, ranking). */
  picksMs: number[];
}

/** `papers` in the order `tf.rows` and the groups' member indices use; user ids get `prefix`. */
export async function simulateUsers(app: App, papers: readonly Paper[], tf: TfIdf, groups: readonly Group[], prefix: string): Promise<Simulation> {
  const index = new Map(papers.map((p, i) => [p.id, i] as const));
  const runs: Run[] = [];
  let short = 0;
  const picksMs: number[] = [];
  const user = (name: string, g: number): Recipient => ({ kind: 'user', platform: 'cli', id: `${prefix}-${name}-${g}` });
  const picksFor = async (r: Recipient): Promise<number[]> => {
    const t0 = performance.now();
    const res = await getPicks(app, r, { n: N, record: false });
    picksMs.push(performance.now() - t0);
    // The target: never fewer picks than asked while papers above the floor remain (not the cut-off).
    const eligible = res.candidates - Object.values(res.excluded).reduce((a, b) => a + b, 0) - res.belowFloor;
    if (res.picks.length < Math.min(N, eligible)) short++;
    return res.picks.map((p) => index.get(p.paper.id)!);
  };

  for (const [g, group] of groups.entries()) {
    const members = group.members;
    const other = groups[(g + 1) % groups.length]!.members;

    const topic = user('topic', g);
    await addTopic(app, topic, group.label);
    const phrase = tf.embed(group.label);
    runs.push({
      kind: 'topic',
      targets: new Set(members),
      picked: await picksFor(topic),
      baselines: {
        'TF-IDF cosine': topK(cosineScores(tf, phrase), N, new Set()),
        'linear SVM': topK(svmScores(tf, [phrase], new Set()), N, new Set()),
        [PRF]: topK(prfScores(tf, [phrase], [], new Set()), N, new Set()),
      },
    });

    const ups = members.slice(0, 3);
    const downs = other.slice(0, 3);
    const updown = user('updown', g);
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
        [PRF]: topK(prfScores(tf, ups.map((i) => tf.rows[i]!), downs.map((i) => tf.rows[i]!), rated), N, rated),
      },
    });

    const seedPaper = members[members.length >> 1]!;
    const seed = user('seed', g);
    await addSeed(app, seed, papers[seedPaper]!.id);
    const own = new Set([seedPaper]);
    runs.push({
      kind: 'seed',
      targets: new Set(members.filter((i) => i !== seedPaper)),
      picked: await picksFor(seed),
      baselines: {
        'TF-IDF cosine': topK(cosineScores(tf, tf.rows[seedPaper]!), N, own),
        'linear SVM': topK(svmScores(tf, [tf.rows[seedPaper]!], own), N, own),
        [PRF]: topK(prfScores(tf, [tf.rows[seedPaper]!], [], own), N, own),
      },
    });
  }
  return { runs, short, picksMs };
}

const precision = (ranked: number[], targets: Set<number>, k: number) => ranked.slice(0, k).filter((i) => targets.has(i)).length / k;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** P@5 / P@10 per profile type for paperfeed and every baseline, and the margin over the best baseline. */
export function simulationFigures(sim: Simulation, yardstick: string, groupsNote: string): Figure[] {
  const figures: Figure[] = [];
  const metric = (m: string) => `${yardstick} ${m}`;
  for (const kind of ['topic', 'updown', 'seed'] as Kind[]) {
    const of = sim.runs.filter((r) => r.kind === kind);
    const note = kind === 'topic' ? `${of.length} users; groups: ${groupsNote}` : `${of.length} users`;
    const p10 = mean(of.map((r) => precision(r.picked, r.targets, 10)));
    figures.push(
      { bench: 'personal', metric: metric(`${kind}: paperfeed P@5`), value: mean(of.map((r) => precision(r.picked, r.targets, 5))), unit: '', note },
      { bench: 'personal', metric: metric(`${kind}: paperfeed P@10`), value: p10, unit: '' },
      { bench: 'personal', metric: metric(`${kind}: paperfeed picks returned`), value: mean(of.map((r) => r.picked.length)), unit: '', note: `of ${N} asked` },
    );
    let best = 0;
    for (const name of Object.keys(of[0]!.baselines)) {
      const b10 = mean(of.map((r) => precision(r.baselines[name]!, r.targets, 10)));
      if (name !== PRF) best = Math.max(best, b10);
      figures.push(
        { bench: 'personal', metric: metric(`${kind}: ${name} P@5`), value: mean(of.map((r) => precision(r.baselines[name]!, r.targets, 5))), unit: '' },
        { bench: 'personal', metric: metric(`${kind}: ${name} P@10`), value: b10, unit: '' },
      );
    }
    figures.push({ bench: 'personal', metric: metric(`${kind}: paperfeed P@10 − best baseline`), value: p10 - best, unit: '', note: 'target ≥ 0.05; the issue\'s baselines (not the extra PRF one)' });
  }
  const ms = [...sim.picksMs].sort((a, b) => a - b);
  figures.push({ bench: 'personal', metric: metric('getPicks per user (median)'), value: ms[ms.length >> 1] ?? 0, unit: 'ms', note: 'the whole product path, one call per user' });
  figures.push({ bench: 'personal', metric: metric('users given fewer picks than asked while papers above the floor remained'), value: sim.short, unit: '', note: `of ${sim.runs.length}` });
  return figures;
}
