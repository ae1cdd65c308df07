// One generated paper at a time, from a seeded PRNG: same seed, same corpus, on every machine.
// Each abstract follows one sample paper's sentences for most of its length (so papers come in
// topic families, and "papers like this" has real answers) with sentences borrowed from others,
// content words swapped for other sample words, and made-up terms from the growing vocabulary.
import { rng } from '../../embeddings/rng.ts';
import type { SampleSentence, SampleText } from './sample-text.ts';
import { authorName, authorsAfter, madeUpTerm, recentIndex, termsAfter } from './vocabulary.ts';

export interface GeneratedPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  /** YYYY-MM-DD */
  published: string;
  /** Index (in the sample's papers) of the sample paper whose sentences the abstract follows: its family. */
  follows: number;
}

// Rough shares of arXiv CS/ML listings; cross-lists come from the same list.
const CATEGORIES: [string, number][] = [
  ['cs.LG', 24], ['cs.CV', 18], ['cs.CL', 14], ['cs.AI', 10], ['stat.ML', 6], ['cs.RO', 5], ['cs.CR', 4], ['cs.IR', 3],
  ['cs.NE', 2], ['cs.SE', 3], ['cs.HC', 2], ['cs.DC', 2], ['eess.IV', 2], ['eess.AS', 1], ['math.OC', 2], ['cs.SD', 1], ['cs.MA', 1],
];
const CATEGORY_TOTAL = CATEGORIES.reduce((s, [, w]) => s + w, 0);
const TEMPLATES: ((t: string) => string)[] = [
  (t) => `We call the resulting model ${t}.`,
  (t) => `Code and checkpoints of ${t} are publicly available.`,
  (t) => `Compared with ${t}, our approach needs far less supervision.`,
  (t) => `We release ${t}, a benchmark for this setting.`,
  (t) => `Experiments build on the ${t} framework.`,
];

export interface PaperGenerator {
  next(id: string, published: string): GeneratedPaper;
  /** Made-up terms so far (the vocabulary the sample did not have). */
  readonly terms: number;
}

/**
 * `follow`: the chance that a sentence position takes the sample paper's own sentence (else one
 * borrowed from any sample paper). Lower values make families less alike.
 */
export function createPaperGenerator(sample: SampleText, seed: number, follow = 0.65): PaperGenerator {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const terms: string[] = [];
  let made = 0;

  const category = (): string => {
    let r = next() * CATEGORY_TOTAL;
    for (const [c, w] of CATEGORIES) if ((r -= w) < 0) return c;
    return CATEGORIES[0]![0];
  };
  /** A recent term most of the time; the one just coined when there is one. */
  const term = (fresh: boolean): string => (fresh ? terms[terms.length - 1]! : terms[recentIndex(terms.length, next)]!);
  /** The sentence's words with content words swapped: another sample word, or a made-up term. */
  const recombine = (s: SampleSentence, termWord: string | undefined): string => {
    if (s.content.length === 0 || (termWord === undefined && next() < 0.5)) return s.text;
    const edits: [number, string][] = [[pick(s.content), pick(sample.abstractWords)]];
    if (termWord !== undefined) {
      const at = pick(s.content);
      if (at === edits[0]![0]) edits[0]![1] = termWord;
      else edits.push([at, termWord]);
    }
    return replaceWords(s, edits);
  };

  return {
    get terms() {
      return terms.length;
    },
    next(id, published) {
      made++;
      const before = terms.length;
      while (terms.length < termsAfter(made)) terms.push(madeUpTerm(terms.length, next));
      const fresh = terms.length > before;

      const follows = Math.floor(next() * sample.papers.length);
      const base = sample.papers[follows]!;
      const length = Math.max(3, Math.min(10, base.sentences.length - 2 + Math.floor(next() * 5)));
      const termAt = Math.floor(next() * length);
      const sentences: string[] = [];
      for (let i = 0; i < length; i++) {
        const s = i < base.sentences.length && next() < follow ? base.sentences[i]! : pick(sample.sentences);
        sentences.push(recombine(s, i === termAt ? term(fresh) : undefined));
      }
      if (next() < 0.3) sentences.push(pick(TEMPLATES)(term(false)));

      const title = base.title.slice();
      if (base.titleContent.length > 0) {
        title[pick(base.titleContent)] = pick(sample.titleWords);
        if (next() < 0.6) title[pick(base.titleContent)] = pick(sample.titleWords);
      }
      const prefix = next() < (fresh ? 0.8 : 0.25) ? `${term(fresh)}: ` : '';

      const pool = authorsAfter(made);
      const authors = new Set<string>();
      const count = 1 + Math.floor(next() ** 2 * 9);
      // Most authors are recent arrivals; some are established and publish across the years.
      for (let i = 0; i < count; i++) authors.add(authorName(next() < 0.7 ? recentIndex(pool, next) : Math.floor(next() * pool)));
      const categories = [category()];
      if (next() < 0.5) {
        const cross = category();
        if (cross !== categories[0]) categories.push(cross);
      }
      return { id, title: prefix + title.join(' '), abstract: sentences.join(' '), authors: [...authors], categories, published, follows };
    },
  };
}

/** The sentence with the words at the given (distinct) positions replaced: slices of its text, no word arrays (the inner loop). */
function replaceWords(s: SampleSentence, edits: [number, string][]): string {
  edits.sort((x, y) => x[0] - y[0]);
  let out = '';
  let from = 0;
  for (const [i, word] of edits) {
    out += s.text.slice(from, s.starts[i]) + word;
    from = s.starts[i]! + s.words[i]!.length;
  }
  return out + s.text.slice(from);
}

/** The record `paperfeed ingest` reads from .jsonl files (see src/sources/jsonl.ts). */
export function jsonlRecord(p: GeneratedPaper): string {
  return JSON.stringify({ id: p.id, title: p.title, abstract: p.abstract, authors: p.authors, categories: p.categories, published: p.published, url: `https://arxiv.org/abs/${p.id}` });
}

/** Text hard-wrapped at `width` columns, as the snapshot's titles and abstracts are (`indent` starts each continuation line). */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * One line of the arXiv metadata snapshot (the Kaggle `arxiv-metadata-oai-snapshot.json`): authors
 * as one string and parsed, categories space-separated, versions with RFC 1123 dates, title and
 * abstract hard-wrapped.
 */
export function arxivSnapshotRecord(p: GeneratedPaper): string {
  const names = p.authors.length > 1 ? `${p.authors.slice(0, -1).join(', ')} and ${p.authors.at(-1)}` : (p.authors[0] ?? '');
  return JSON.stringify({
    id: p.id,
    submitter: p.authors[0] ?? null,
    authors: names,
    title: wrap(p.title, 70, '  '),
    comments: null,
    'journal-ref': null,
    doi: null,
    'report-no': null,
    categories: p.categories.join(' '),
    license: null,
    abstract: `  ${wrap(p.abstract, 78, '')}\n`,
    versions: [{ version: 'v1', created: new Date(`${p.published}T17:00:00Z`).toUTCString() }],
    update_date: p.published,
    authors_parsed: p.authors.map((a) => {
      const parts = a.split(' ');
      return [parts.at(-1)!, parts.slice(0, -1).join(' '), ''];
    }),
  });
}
