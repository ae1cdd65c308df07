/**
 * Splits text into pieces of at most `max` characters, cutting where the platform's `cutPoint`
 * says (each platform knows which of its markup must not be cut). Nothing is dropped but the one
 * separator at each cut: chat limits are met by splitting, never by truncating.
 */
export function splitText(text: string, max: number, cutPoint: (s: string, max: number) => number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = cutPoint(rest, max);
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length || out.length === 0) out.push(rest);
  return out;
}
