// The raw material of generated corpora: the sample papers in data/ cut into sentences (each a
// word array, with the positions of its content words precomputed so that recombining costs no
// tokenizing per paper) and the pools of words that replacements draw from.
import { loadSampleCorpus } from '../retrieval-eval.ts';

export interface SampleSentence {
  /** The words joined by single spaces. */
  text: string;
  words: string[];
  /** Where each word starts in text. */
  starts: number[];
  /** Indexes of words worth replacing (long lowercase words): nouns, verbs and adjectives, mostly. */
  content: number[];
}

export interface SampleText {
  /** Per sample paper, its abstract's sentences in order (papers with fewer than 3 are left out). */
  papers: { title: string[]; titleContent: number[]; sentences: SampleSentence[] }[];
  /** Every sentence of every paper, for the sentences an abstract borrows from elsewhere. */
  sentences: SampleSentence[];
  /** Content words of abstracts and of titles (with repeats, so common words stay common). */
  abstractWords: string[];
  titleWords: string[];
}

/** Long lowercase words of abstracts; in titles (Title Case) any word of five letters or more. */
const CONTENT = /^[a-z][a-z-]{6,}$/;
const TITLE_CONTENT = /^[A-Za-z][A-Za-z-]{4,}$/;

function sentence(text: string, contentWord = CONTENT): SampleSentence {
  const words = text.split(/\s+/).filter(Boolean);
  const content = words.flatMap((w, i) => (contentWord.test(w) ? [i] : []));
  let at = 0;
  const starts = words.map((w) => (at += w.length + 1) - w.length - 1);
  return { text: words.join(' '), words, starts, content };
}

export function loadSampleText(dir: string): SampleText {
  const papers = loadSampleCorpus(dir)
    .map((p) => {
      const title = sentence(p.title, TITLE_CONTENT);
      return {
        title: title.words,
        titleContent: title.content,
        sentences: p.abstract.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((s) => s.length > 30).map((s) => sentence(s)),
      };
    })
    .filter((p) => p.sentences.length >= 3);
  if (papers.length === 0) throw new Error(`no sample papers with abstracts in ${dir}`);
  const sentences = papers.flatMap((p) => p.sentences);
  const abstractWords = sentences.flatMap((s) => s.content.map((i) => s.words[i]!));
  const titleWords = papers.flatMap((p) => p.titleContent.map((i) => p.title[i]!));
  return { papers, sentences, abstractWords, titleWords };
}
