/**
 * Checks the numbered citations of a model's answer against the papers it was given: a citation
 * outside 1..n is removed from the text and reported, so that an answer never points at a paper
 * that was not retrieved.
 */

export interface CheckedAnswer {
  /** The answer with only valid citations left in it. */
  text: string;
  /** Valid citation numbers, ascending. */
  cited: number[];
  /** Citation numbers that named no given paper, ascending. */
  dropped: number[];
}

/** "[3]", "[1, 2]", "[1; 4]", "[2-4]", "[2–4]". */
const CITATION = /\s?\[(\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*[,;]\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*\s*)\]/g;
/** Longest range expanded; a longer one ("[1-9999]") is a bogus citation as a whole. */
const MAX_RANGE = 20;

function numbersIn(group: string): number[] | undefined {
  const out: number[] = [];
  for (const item of group.split(/[,;]/)) {
    const [a, b] = item.split(/[-–]/).map((s) => Number(s.trim()));
    if (a === undefined || !Number.isInteger(a)) continue;
    if (b === undefined) {
      out.push(a);
      continue;
    }
    if (!Number.isInteger(b) || b < a || b - a >= MAX_RANGE) return undefined;
    for (let n = a; n <= b; n++) out.push(n);
  }
  return out;
}

export function checkCitations(answer: string, given: number): CheckedAnswer {
  const cited = new Set<number>();
  const dropped = new Set<number>();
  const valid = (n: number) => n >= 1 && n <= given;
  const text = answer.replace(CITATION, (whole, group: string) => {
    const lead = whole.startsWith(' ') ? ' ' : '';
    const numbers = numbersIn(group);
    if (!numbers) {
      for (const n of group.match(/\d+/g) ?? []) if (!valid(Number(n))) dropped.add(Number(n));
      return '';
    }
    const keep = [...new Set(numbers.filter(valid))];
    for (const n of numbers) if (!valid(n)) dropped.add(n);
    for (const n of keep) cited.add(n);
    return keep.length ? `${lead}${keep.map((n) => `[${n}]`).join('')}` : '';
  });
  return {
    // Removing a citation can leave " ." or a double space behind.
    text: text.replace(/ +([.,;:!?])/g, '$1').replace(/ {2,}/g, ' ').trim(),
    cited: [...cited].sort((a, b) => a - b),
    dropped: [...dropped].sort((a, b) => a - b),
  };
}
