import { describe, expect, it } from 'vitest';
import { rrf } from '../src/index/fusion.ts';
import type { Hit } from '../src/index/vector-index.ts';

const ranking = (...ids: string[]): Hit[] => ids.map((id, i) => ({ id, score: 100 - i }));

describe('rrf', () => {
  it('sums 1 / (k + rank) over the rankings that list an id', () => {
    const fused = rrf([ranking('a', 'b', 'c'), ranking('c', 'a', 'd')]);
    expect(fused.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
    const score = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(score.a).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(score.c).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(score.b).toBeCloseTo(1 / 62, 12);
    expect(score.d).toBeCloseTo(1 / 63, 12);
  });

  it('uses the original scores only for order, never their values', () => {
    const a = rrf([[{ id: 'x', score: 0.9 }, { id: 'y', score: 0.1 }]]);
    const b = rrf([[{ id: 'x', score: 1000 }, { id: 'y', score: -5 }]]);
    expect(a).toEqual(b);
  });

  it('applies k and per-ranking weights', () => {
    const fused = rrf([ranking('a', 'b'), ranking('b', 'a')], { k: 0, weights: [3, 1] });
    expect(fused).toEqual([
      { id: 'a', score: 3 / 1 + 1 / 2 },
      { id: 'b', score: 3 / 2 + 1 / 1 },
    ]);
    expect(rrf([ranking('a'), ranking('b')], { weights: [0, 1] })[0]).toEqual({ id: 'b', score: 1 / 61 });
  });

  it('breaks ties by id, whatever the input order', () => {
    const one = rrf([ranking('m', 'z'), ranking('b', 'q')]);
    const two = rrf([ranking('b', 'q'), ranking('m', 'z')]);
    expect(one.map((h) => h.id)).toEqual(['b', 'm', 'q', 'z']);
    expect(two).toEqual(one);
  });

  it('counts an id listed twice in one ranking once, at its first position', () => {
    const fused = rrf([ranking('a', 'b', 'a')]);
    expect(fused).toEqual([
      { id: 'a', score: 1 / 61 },
      { id: 'b', score: 1 / 62 },
    ]);
  });

  it('limits the output and handles empty input', () => {
    expect(rrf([ranking('a', 'b', 'c')], { limit: 2 }).map((h) => h.id)).toEqual(['a', 'b']);
    expect(rrf([])).toEqual([]);
    expect(rrf([[], []])).toEqual([]);
  });

  it('rejects weights that do not fit the rankings and a bad k', () => {
    expect(() => rrf([ranking('a')], { weights: [1, 2] })).toThrow(/2 weights given for 1 rankings/);
    expect(() => rrf([ranking('a')], { weights: [-1] })).toThrow(RangeError);
    expect(() => rrf([ranking('a')], { k: Number.NaN })).toThrow(RangeError);
  });
});
