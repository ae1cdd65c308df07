// The part of a generated corpus that the sample cannot supply: a vocabulary that keeps growing.
// arXiv's vocabulary follows Heaps' law (distinct terms ~ K·n^β): every month brings new model
// names, acronyms and coined words, and an index or a fit that assumes a closed vocabulary breaks
// on them. Made-up terms appear at that rate and are reused afterwards, recent ones more often
// (a new model name is cited for a while, then fades); author pools grow the same way.

/** Distinct made-up terms after n papers: 3·n^0.7 (about 1,900 at 10k, 9,500 at 100k, 47,000 at 1M). */
export const termsAfter = (n: number): number => Math.floor(3 * n ** 0.7);
/** Distinct authors after n papers: 2·n^0.8 plus a starting pool. */
export const authorsAfter = (n: number): number => 200 + Math.floor(2 * n ** 0.8);

const SYLLABLES = ['ne', 'xa', 'lo', 'ra', 'vi', 'ta', 'mo', 'qu', 'zen', 'fla', 'tri', 'dy', 'gra', 'phi', 'spe', 'cto', 'mi', 'ka', 'sor', 'lu', 'ven', 'dra', 'mu', 'pix', 'cog', 'hel', 'orb', 'syn', 'tem', 'vox', 'bri', 'nu'];
const MODEL_SUFFIX = ['Net', 'Former', 'GPT', 'Diff', 'LM', 'Mixer', 'BERT', 'GAN', 'NeRF', 'Flow', 'VLM', 'Agent', 'Bench', 'RL', 'Seg'];
const WORD_SUFFIX = ['ization', 'ivity', 'ometry', 'ification', 'ogram', 'onics', 'embedding', 'former', 'ability', 'alignment'];
const SIZES = ['', '', '', '-7B', '-13B', '-70B', '-Large', '-XL', '-v2', '-2', '-3', '-Mini', '-Lite'];

const FIRST = ['Wei', 'Anna', 'Jun', 'Maria', 'David', 'Yuki', 'Ahmed', 'Sofia', 'Lukas', 'Priya', 'Chen', 'Elena', 'Omar', 'Hana', 'Mateo', 'Ines', 'Kai', 'Lea', 'Ravi', 'Zoe', 'Tomas', 'Aisha', 'Jonas', 'Mei', 'Ivan', 'Noor', 'Pablo', 'Sara', 'Felix', 'Yara', 'Hiro', 'Lina', 'Arjun', 'Clara', 'Minh', 'Olga', 'Diego', 'Emma', 'Tariq', 'Julia'];
const LAST = ['Zhang', 'Smith', 'Kim', 'Garcia', 'Müller', 'Tanaka', 'Nguyen', 'Rossi', 'Kumar', 'Cohen', 'Silva', 'Ivanov', 'Chen', 'Dubois', 'Okafor', 'Novak', 'Larsen', 'Haddad', 'Sato', 'Lopez', 'Wang', 'Schmidt', 'Park', 'Fischer', 'Ali', 'Yamamoto', 'Costa', 'Petrov', 'Jensen', 'Moreau', 'Singh', 'Li', 'Bauer', 'Ortiz', 'Weber', 'Kowalski', 'Hoang', 'Mendes', 'Berg', 'Abe'];

/** Term number i: a model name (CamelCase or acronym, maybe a size) or a coined lowercase word. */
export function madeUpTerm(i: number, next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const n = 2 + Math.floor(next() * 2);
  const stem = Array.from({ length: n }, () => pick(SYLLABLES)).join('');
  // The number keeps every term distinct however many are made; it reads like a version or a code.
  const tag = i.toString(36);
  const kind = next();
  if (kind < 0.45) return `${stem[0]!.toUpperCase()}${stem.slice(1)}${pick(MODEL_SUFFIX)}${tag}${pick(SIZES)}`;
  if (kind < 0.7) return `${stem.slice(0, 4).toUpperCase()}${tag.toUpperCase()}`;
  return `${stem}${tag}${pick(WORD_SUFFIX)}`;
}

/** Author number i: a first name, an initial and a family name, distinct for the first 40·26·40·k. */
export function authorName(i: number): string {
  const first = FIRST[i % FIRST.length]!;
  const initial = String.fromCharCode(65 + (Math.floor(i / FIRST.length) % 26));
  const rest = Math.floor(i / (FIRST.length * 26));
  const last = LAST[rest % LAST.length]!;
  const generation = Math.floor(rest / LAST.length);
  return `${first} ${initial}. ${last}${generation ? `-${LAST[generation % LAST.length]}` : ''}`;
}

/** An index into a pool of `size` that favours its newest end (u³ skews towards 0, i.e. recent). */
export function recentIndex(size: number, next: () => number): number {
  return size - 1 - Math.floor(size * next() ** 3);
}
