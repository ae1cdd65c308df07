import { describe, expect, it } from 'vitest';
import { fnv1a } from '../src/fnv1a.ts';
import { LabelTable } from '../src/index/label-table.ts';
import { shardOf } from '../src/index/sharded-index.ts';

const built = (ids: string[]): LabelTable => {
  const table = LabelTable.build(ids);
  if ('repeated' in table) throw new Error(`unexpected repeat ${table.repeated}`);
  return table;
};

describe('fnv1a', () => {
  it('is 32-bit FNV-1a (published test vectors), and what shards route by', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(shardOf('foobar', 7)).toBe(0xbf9cf968 % 7);
  });
});

describe('LabelTable', () => {
  it('holds every id of the list and no other, across many colliding slots', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `2401.${String(i).padStart(5, '0')}`);
    const table = built(ids);
    expect(ids.every((id) => table.has(id))).toBe(true);
    const absent = Array.from({ length: 20_000 }, (_, i) => `2402.${String(i).padStart(5, '0')}`);
    expect(absent.some((id) => table.has(id))).toBe(false);
    expect(table.has('')).toBe(false);
    expect(table.has('2401.0000')).toBe(false);
  });

  it('holds the empty id when listed, and nothing for an empty list', () => {
    expect(built(['', 'x']).has('')).toBe(true);
    expect(built([]).has('x')).toBe(false);
  });

  it('names the first id that repeats', () => {
    expect(LabelTable.build(['a', 'b', 'c', 'b', 'a'])).toEqual({ repeated: 'b' });
    expect(LabelTable.build(['z', 'z'])).toEqual({ repeated: 'z' });
  });
});
