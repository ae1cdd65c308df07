import { describe, expect, it } from 'vitest';
import { normalizeTitle, parseArxivId, titleId } from '../src/papers/ids.ts';

describe('parseArxivId', () => {
  it.each([
    ['2401.12345', '2401.12345'],
    ['2401.12345v3', '2401.12345'],
    ['arXiv:2401.12345', '2401.12345'],
    ['arxiv: 2401.12345v2', '2401.12345'],
    ['0704.0001', '0704.0001'],
    ['https://arxiv.org/abs/2401.12345v2', '2401.12345'],
    ['http://arxiv.org/abs/2401.12345', '2401.12345'],
    ['https://arxiv.org/pdf/2401.12345v1', '2401.12345'],
    ['https://arxiv.org/pdf/2401.12345.pdf', '2401.12345'],
    ['https://export.arxiv.org/abs/2401.12345', '2401.12345'],
    ['https://huggingface.co/papers/2401.12345', '2401.12345'],
    ['https://huggingface.co/papers/2401.12345?utm=x', '2401.12345'],
    ['hep-th/9901001', 'hep-th/9901001'],
    ['hep-th/9901001v2', 'hep-th/9901001'],
    ['math.GT/0309136', 'math.GT/0309136'],
    ['https://arxiv.org/abs/hep-th/9901001v1', 'hep-th/9901001'],
  ])('%s -> %s', (raw, id) => {
    expect(parseArxivId(raw)).toBe(id);
  });

  it.each(['', 'hello world', '2401.123', '24011.2345', 'https://example.com/abs/2401.12345', 'arXiv:', '2401.12345v'])(
    'rejects %j',
    (raw) => {
      expect(parseArxivId(raw)).toBeUndefined();
    },
  );
});

describe('titles', () => {
  it('normalizes case, accents, punctuation and spacing', () => {
    expect(normalizeTitle('  Café:  A  “Study” of   Déjà-Vu! ')).toBe('cafe a study of deja vu');
  });

  it('gives one stable id per normalized title', () => {
    expect(titleId('Attention Is All You Need')).toBe(titleId('attention is all you need.'));
    expect(titleId('Attention Is All You Need')).not.toBe(titleId('Attention Is Not All You Need'));
    expect(titleId('x')).toMatch(/^t-[0-9a-f]{16}$/);
  });
});
