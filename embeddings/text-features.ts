// Text → weighted term features for the built-in provider: lowercase, accents stripped, stop
// words dropped, light suffix stemming, unigrams plus adjacent-pair bigrams, title words weighted
// up, sublinear tf.

// Function words and abstract boilerplate that say nothing about a paper's topic.
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being
  below between both but by can could did do does doing down during each either few for from further
  had has have having he her here hers herself him himself his how i if in into is it its itself just
  may me might more most must my myself no nor not now of off on once only or other our ours ourselves
  out over own same she should so some such than that the their theirs them themselves then there these
  they this those through thus to too under until up upon very via was we were what when where which
  while who whom why will with within without would you your yours yourself yourselves
  however therefore moreover furthermore although though whether yet since among across per etc
  et al us one two three first second new based using use used show shows shown propose proposed
  present presents paper work approach method methods results result`
    .split(/\s+/)
    .filter(Boolean),
);

/** Removes common inflections so "networks"/"network" and "training"/"trained"/"train" meet. */
export function lightStem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = w;
  if (s.endsWith('ies') && s.length > 4) s = s.slice(0, -3) + 'y';
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('s') && !/(ss|us|is|ys)$/.test(s)) s = s.slice(0, -1);
  if (s.endsWith('ing') && s.length > 5) s = undouble(s.slice(0, -3));
  else if (s.endsWith('ed') && s.length > 4 && !s.endsWith('eed')) s = undouble(s.slice(0, -2));
  if (s.endsWith('ly') && s.length > 5) s = s.slice(0, -2);
  if (s.endsWith('e') && s.length > 4) s = s.slice(0, -1);
  return s;
}

function undouble(s: string): string {
  return /([^aeiouslz])\1$/.test(s) ? s.slice(0, -1) : s;
}

/** Content words of a text, in order, stemmed; stop words and one-letter tokens removed. */
export function contentTerms(text: string, stem: boolean): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words) return [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 2 || STOP_WORDS.has(w) || /^\d+$/.test(w)) continue;
    out.push(stem ? lightStem(w) : w);
  }
  return out;
}

export interface FeatureOptions {
  stem: boolean;
  /** Weight of an adjacent-pair feature relative to a word (0 = no bigrams). */
  bigramWeight: number;
  /**
   * How many times a title word counts. A paper is embedded as its title, a blank line and its
   * abstract (embeddingText); the title names what the paper is about in a few words.
   */
  titleWeight: number;
}

/** A text laid out as title, blank line, body: its title and body; any other text is all body. */
function titleAndBody(text: string): [title: string, body: string] {
  const cut = text.indexOf('\n\n');
  return cut > 0 ? [text.slice(0, cut), text.slice(cut + 2)] : ['', text];
}

/**
 * Term → sublinear term frequency (1 + ln tf), where a title occurrence counts titleWeight times
 * and bigrams (never across the title's end) are scaled by bigramWeight. Bigrams are keyed with
 * a separator that cannot occur inside a word.
 */
export function termFrequencies(text: string, opts: FeatureOptions): Map<string, number> {
  const counts = new Map<string, number>();
  const [title, body] = titleAndBody(text);
  for (const [part, weight] of [[title, opts.titleWeight], [body, 1]] as const) {
    const terms = contentTerms(part, opts.stem);
    const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + weight);
    for (let i = 0; i < terms.length; i++) {
      bump(terms[i]!);
      if (opts.bigramWeight > 0 && i > 0) bump(terms[i - 1]! + '\u0001' + terms[i]!);
    }
  }
  const tf = new Map<string, number>();
  for (const [k, c] of counts) tf.set(k, (1 + Math.log(c)) * (k.includes('\u0001') ? opts.bigramWeight : 1));
  return tf;
}
