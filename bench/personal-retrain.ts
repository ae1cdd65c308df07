// What retraining a recipient's model costs on real features (the built-in embedder's sparse
// TF-IDF and dense vectors of the bench's corpus): fitRecipientModel with the default tuning, as
// ranking calls it on every feedback change and every ranking, timed alone.
import { withVectors } from '../src/recommend/candidates.ts';
import { fitRecipientModel, type PoolRow } from '../src/recommend/learned.ts';
import { DEFAULT_TUNING } from '../src/recommend/rank-types.ts';
import type { Paper } from '../src/papers/paper.ts';
import type { App } from '../src/service/app.ts';
import type { Figure } from './figures.ts';

const REPS = 21;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function measureRetrain(app: App, papers: Paper[], yardstick: string): Promise<Figure[]> {
  const cands = await withVectors(app, papers);
  const row = (i: number) => ({ sparse: cands[i]!.sparse, dense: cands[i]!.vector });
  const positives = [0, 1, 2].map((i) => ({ x: row(i), weight: 1 }));
  const negatives = [3, 4, 5].map((i) => ({ x: row(i), weight: 1 }));
  const pool: PoolRow[] = cands.slice(6).map((c, i) => ({ id: c.paper.id, x: row(i + 6), anchor: (i * 7919) % 101 }));
  const figures: Figure[] = [];
  for (const negativeSample of [DEFAULT_TUNING.negativeSample, 500]) {
    const tuning = { ...DEFAULT_TUNING, negativeSample };
    const examples = positives.length + negatives.length + Math.min(pool.length, negativeSample + tuning.feedbackDepth);
    for (let i = 0; i < 3; i++) fitRecipientModel(positives, negatives, pool, tuning);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      fitRecipientModel(positives, negatives, pool, tuning);
      const c = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    const metric = `${yardstick} retrain one recipient model, ${examples} examples`;
    const note = `median of ${REPS}; built-in embedder features (sparse TF-IDF + d=${cands[0]?.vector.length ?? 0}), pool ${pool.length}`;
    // CPU time as well: on a shared machine the wall time measures the neighbours too.
    figures.push(
      { bench: 'personal', metric: `${metric} (wall)`, value: median(wall), unit: 'ms', note },
      { bench: 'personal', metric: `${metric} (CPU)`, value: median(cpu), unit: 'ms', note: 'process CPU time, user + system' },
    );
  }
  return figures;
}
