import { describe, expect, it } from 'vitest';
import { relativeScoreFusion } from '../src/index/fusion.ts';
import type { Hit } from '../src/index/vector-index.ts';

const hits = (...pairs: [string, number][]): Hit[] => pairs.map(([id, score]) => ({ id, score }));

describe('relativeScoreFusion', () => {
  it('rescales each ranking to 0..1 (from its zero, else its lowest score, to its best) and sums with weights', () => {
    const dense = hits(['a', 0.6], ['b', 0.5], ['c', 0.2]);
    const bm25 = hits(['c', 8], ['b', 2]);
    const fused = relativeScoreFusion([
      { hits: dense, weight: 1 },
      { hits: bm25, weight: 0.5, zero: 0 },
    ]);
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.a).toBeCloseTo(1, 12);
    expect(score.b).toBeCloseTo(0.75 + 0.5 * 0.25, 12);
    expect(score.c).toBeCloseTo(0 + 0.5 * 1, 12);
    expect(fused.map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('lets a clear keyword match overtake a close dense call, but not a clear dense lead', () => {
    const dense = hits(['near', 0.52], ['exact', 0.5], ['far', 0.1]);
    const bm25 = hits(['exact', 12]);
    const ids = (w: number) => relativeScoreFusion([{ hits: dense, weight: 1 }, { hits: bm25, weight: w, zero: 0 }]).map((h) => h.id);
    expect(ids(0.5)).toEqual(['exact', 'near', 'far']);
    expect(ids(0)).toEqual(['near', 'exact', 'far']);
    const lead = hits(['near', 0.9], ['exact', 0.2], ['far', 0.1]);
    expect(relativeScoreFusion([{ hits: lead, weight: 1 }, { hits: bm25, weight: 0.5, zero: 0 }])[0]!.id).toBe('near');
  });

  it('depends on score differences, not on the scale of either ranking', () => {
    const a = relativeScoreFusion([{ hits: hits(['x', 0.9], ['y', 0.1]), weight: 1 }, { hits: hits(['y', 3], ['x', 1]), weight: 1, zero: 0 }]);
    const b = relativeScoreFusion([{ hits: hits(['x', 90], ['y', 10]), weight: 1 }, { hits: hits(['y', 300], ['x', 100]), weight: 1, zero: 0 }]);
    expect(b).toEqual(a);
  });

  it('gives every hit its full weight when a ranking cannot tell its hits apart', () => {
    expect(relativeScoreFusion([{ hits: hits(['only', 0.3]), weight: 1 }])).toEqual([{ id: 'only', score: 1 }]);
    expect(relativeScoreFusion([{ hits: hits(['p', 2], ['q', 2]), weight: 0.5 }])).toEqual([
      { id: 'p', score: 0.5 },
      { id: 'q', score: 0.5 },
    ]);
  });

  it('breaks ties by id, whatever the input order', () => {
    const one = relativeScoreFusion([{ hits: hits(['m', 1], ['z', 0]), weight: 1 }, { hits: hits(['b', 1], ['q', 0]), weight: 1 }]);
    const two = relativeScoreFusion([{ hits: hits(['b', 1], ['q', 0]), weight: 1 }, { hits: hits(['m', 1], ['z', 0]), weight: 1 }]);
    expect(one.map((h) => h.id)).toEqual(['b', 'm', 'q', 'z']);
    expect(two).toEqual(one);
  });

  it('counts an id listed twice in one ranking once, at its first position', () => {
    expect(relativeScoreFusion([{ hits: hits(['a', 1], ['b', 0.5], ['a', 0]), weight: 1 }])).toEqual([
      { id: 'a', score: 1 },
      { id: 'b', score: 0.5 },
    ]);
  });

  it('limits the output and handles empty input', () => {
    expect(relativeScoreFusion([{ hits: hits(['a', 3], ['b', 2], ['c', 1]), weight: 1 }], { limit: 2 }).map((h) => h.id)).toEqual(['a', 'b']);
    expect(relativeScoreFusion([])).toEqual([]);
    expect(relativeScoreFusion([{ hits: [], weight: 1 }, { hits: [], weight: 0.5, zero: 0 }])).toEqual([]);
  });

  it('rejects a negative or non-finite weight', () => {
    expect(() => relativeScoreFusion([{ hits: hits(['a', 1]), weight: -1 }])).toThrow(RangeError);
    expect(() => relativeScoreFusion([{ hits: hits(['a', 1]), weight: Number.NaN }])).toThrow(/weights must be finite/);
  });
});
