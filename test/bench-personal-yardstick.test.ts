import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaperGenerator } from '../bench/corpus/papers.ts';
import { loadSampleText, type SampleText } from '../bench/corpus/sample-text.ts';
import { topicPhrase, writeGeneratedFamilies } from '../bench/personal-generated.ts';

// The personalization bench's fair yardstick: groups are the generated papers that follow the same
// sample paper, known from how the text was made and never handed to the product.
const sampleDir = fileURLToPath(new URL('../data/', import.meta.url));
const words = (s: string) => new Set(s.toLowerCase().match(/[a-z]{4,}/g) ?? []);

describe('generated families (personal bench yardstick)', () => {
  let dir: string;
  let sample: SampleText;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperfeed-yardstick-'));
    sample = loadSampleText(sampleDir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the sample paper each generated paper follows: its title is that paper title with at most two words swapped', () => {
    const gen = createPaperGenerator(sample, 5);
    for (let i = 0; i < 50; i++) {
      const p = gen.next(`2401.${String(i + 1).padStart(5, '0')}`, '2024-01-25');
      const base = sample.papers[p.follows]!.title;
      const title = p.title.replace(/^\S+: /, '').split(' ');
      expect(title).toHaveLength(base.length);
      expect(title.filter((w, j) => w !== base[j]).length).toBeLessThanOrEqual(2);
    }
  });

  it('makes a family less alike with a lower follow share', () => {
    const overlap = (follow: number) => {
      const gen = createPaperGenerator(sample, 9, follow);
      let shared = 0;
      for (let i = 0; i < 60; i++) {
        const p = gen.next(`2401.${String(i + 1).padStart(5, '0')}`, '2024-01-25');
        const base = words(sample.papers[p.follows]!.sentences.map((s) => s.text).join(' '));
        const own = [...words(p.abstract)];
        shared += own.filter((w) => base.has(w)).length / own.length;
      }
      return shared / 60;
    };
    const close = overlap(1);
    const loose = overlap(0);
    expect(close).toBeGreaterThan(0.8);
    expect(loose).toBeLessThan(close - 0.3);
  });

  it('writes a corpus whose ground truth stays out of the file, the same for the same seed', async () => {
    const a = writeGeneratedFamilies(sampleDir, await mkdtemp(join(dir, 'a-')), { families: 5, papers: 100, seed: 3, follow: 0.25 });
    const b = writeGeneratedFamilies(sampleDir, await mkdtemp(join(dir, 'b-')), { families: 5, papers: 100, seed: 3, follow: 0.25 });
    const text = await readFile(a.file, 'utf8');
    expect(await readFile(b.file, 'utf8')).toBe(text);
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(100);
    expect(records.every((r) => !('follows' in r))).toBe(true);
    expect(new Set(records.map((r) => a.family.get(r.id as string)))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(a.topics).toHaveLength(5);
    expect(a.topics.every((t) => t.split(' ').length === 3)).toBe(true);
  });

  it('takes a topic phrase from the first three title words of five letters or more', () => {
    expect(topicPhrase('An adaptively inexact first-order method for bilevel optimization'.split(' '))).toBe('adaptively inexact first-order');
    expect(topicPhrase(['Self-Knowledge', 'Distillation', 'via', 'Progressive', 'Refinement'])).toBe('Self-Knowledge Distillation Progressive');
  });
});
