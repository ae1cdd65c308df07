import { describe, expect, it } from 'vitest';
import { LexicalIndex, processTerm, tokenize, type LexicalDoc } from '../src/index/lexical-index.ts';

const docs: LexicalDoc[] = [
  {
    id: 'gpt4o',
    title: 'Evaluating GPT-4o on Visual Math Word Problems',
    abstract: 'We benchmark GPT-4o and open models on visual mathematics problems drawn from exams.',
  },
  {
    id: 'gpt4',
    title: 'How GPT-4 Answers Medical Questions',
    abstract: 'An analysis of GPT-4 on medical licensing exams, with error categories and a reader study.',
  },
  {
    id: 'llama2',
    title: 'Fine-tuning LLaMA-2 for Low-Resource Translation',
    abstract: 'We adapt LLaMA-2 with parameter-efficient fine-tuning to translate between low-resource languages.',
  },
  {
    id: 'llama3',
    title: 'Scaling Laws Revisited with Llama 3',
    abstract: 'Llama 3 models trained on 15T tokens; we fit scaling laws to their losses.',
  },
  {
    id: 'resnet',
    title: 'Why ResNet-50 Still Matters: A Baseline Study',
    abstract: 'Residual networks such as ResNet-50 remain strong image classification baselines under modern training recipes.',
  },
  {
    id: 'diffusion',
    title: 'Consistency Distillation for Fast Diffusion Sampling',
    abstract: 'We distill diffusion models into few-step samplers with consistency training and evaluate image quality.',
  },
  {
    id: 'graphs',
    title: 'Message Passing on Heterophilous Graphs',
    abstract: 'Graph neural networks struggle when neighbouring nodes differ; we propose signed message passing.',
  },
];

const build = () => LexicalIndex.build(docs);

describe('lexical tokenization', () => {
  it('keeps joined model names whole and also yields their parts', () => {
    expect(tokenize('Fine-tuning LLaMA-2 (7B), GPT-4o; Qwen2.5.')).toEqual([
      'Fine-tuning',
      'LLaMA-2',
      '7B',
      'GPT-4o',
      'Qwen2.5.',
    ]);
    expect(processTerm('GPT-4o')).toEqual(['gpt-4o', 'gpt4o', 'gpt', '4o']);
    expect(processTerm('Qwen2.5.')).toEqual(['qwen2.5', 'qwen25', 'qwen2', '5']);
    expect(processTerm('ResNet-50')).toEqual(['resnet-50', 'resnet50', 'resnet', '50']);
  });

  it('lowercases, drops stop words and folds plurals', () => {
    expect(processTerm('The')).toBeNull();
    expect(processTerm('Transformers')).toEqual(['transformer']);
    expect(processTerm('studies')).toEqual(['study']);
    expect(processTerm('classes')).toEqual(['class']);
    expect(processTerm('analysis')).toEqual(['analysis']);
    expect(processTerm('--')).toBeNull();
  });
});

describe('LexicalIndex search', () => {
  it('ranks the paper whose title holds the query words first', () => {
    const index = build();
    expect(index.search('consistency distillation', 3)[0]!.id).toBe('diffusion');
    expect(index.search('heterophilous graphs message passing', 3)[0]!.id).toBe('graphs');
    expect(index.search('scaling laws', 3)[0]!.id).toBe('llama3');
  });

  it('tells model names apart: GPT-4o from GPT-4, LLaMA-2 from Llama 3', () => {
    const index = build();
    expect(index.search('GPT-4o', 5)[0]!.id).toBe('gpt4o');
    expect(index.search('gpt4o', 5)[0]!.id).toBe('gpt4o');
    expect(index.search('GPT-4', 5)[0]!.id).toBe('gpt4');
    expect(index.search('LLaMA-2', 5)[0]!.id).toBe('llama2');
    expect(index.search('llama2', 5)[0]!.id).toBe('llama2');
    expect(index.search('ResNet-50', 5)[0]!.id).toBe('resnet');
    expect(index.search('resnet50 baseline', 5)[0]!.id).toBe('resnet');
  });

  it('returns BM25 scores best first, at most k, and nothing for stop words only', () => {
    const index = build();
    const hits = index.search('image models', 10);
    expect(hits.length).toBeGreaterThan(1);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits.every((h) => h.score > 0)).toBe(true);
    expect(index.search('image models', 1)).toHaveLength(1);
    expect(index.search('the of and', 5)).toEqual([]);
    expect(index.search('image', 0)).toEqual([]);
  });

  it('filters before cutting the top k', () => {
    const index = build();
    const hits = index.search('GPT-4o exams', 1, (id) => id !== 'gpt4o');
    expect(hits.map((h) => h.id)).toEqual(['gpt4']);
  });

  it('removes and replaces papers by id', () => {
    const index = build();
    expect(index.remove('resnet')).toBe(true);
    expect(index.remove('resnet')).toBe(false);
    expect(index.has('resnet')).toBe(false);
    expect(index.search('ResNet-50', 5).map((h) => h.id)).not.toContain('resnet');

    index.upsert({ id: 'graphs', title: 'Sheaf Diffusion on Graphs', abstract: 'Sheaves generalise message passing.' });
    expect(index.size).toBe(docs.length - 1);
    expect(index.search('sheaf', 5)[0]!.id).toBe('graphs');
    expect(index.search('heterophilous', 5)).toEqual([]);

    index.upsert({ id: 'resnet', title: 'ResNet-50 again', abstract: 'Back in the index.' });
    expect(index.search('ResNet-50', 5)[0]!.id).toBe('resnet');
  });
});
