/**
 * Text for Discord: the core's markdown-lite (**bold**, _italic_, `code`, [label](url)) is Discord
 * markdown already, so it passes as is; paper data is escaped; long text is split, never cut.
 * Mentions in echoed text cannot ping anyone: every message says `allowed_mentions: { parse: [] }`.
 */
import { literal as markupLiteral } from '../../src/commands/markup.ts';
import { splitText as splitAt } from '../../src/commands/split-text.ts';

/**
 * Paper and user text as literal Discord markdown: the core's escaping, which Discord reads as
 * CommonMark escapes (so no style, masked link, spoiler, <…> or @everyone takes effect).
 */
export const literal = markupLiteral;

/** Only http(s) links are linked; `)` and spaces would end a masked link early. */
export function safeUrl(url: string): string | undefined {
  if (!/^https?:\/\/\S+$/i.test(url)) return undefined;
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** A masked link with an escaped label, or the escaped label alone. */
export function maskedLink(label: string, url: string): string {
  const u = safeUrl(url);
  const text = literal(label);
  return u ? `[${text}](${u})` : text;
}

const LINK = /\[[^\]\n]*\]\([^)\s]*\)/g;

/** Spans [start, end) of masked links, where a cut would break the link. */
function linkSpans(s: string): [number, number][] {
  return [...s.matchAll(LINK)].map((m) => [m.index, m.index + m[0].length]);
}

function cutPoint(s: string, max: number): number {
  const spans = linkSpans(s.slice(0, max + 1_000));
  const inside = (i: number) => spans.some(([a, b]) => i > a && i < b);
  for (const sep of ['\n', ' ']) {
    for (let cut = s.lastIndexOf(sep, max); cut > 0; cut = s.lastIndexOf(sep, cut - 1)) {
      if (!inside(cut)) return cut;
    }
  }
  // One unbroken run longer than max (a huge link or word): cut inside it rather than lose text,
  // but not between a backslash and the character it escapes.
  return splitsEscape(s, max) ? max - 1 : max;
}

/** Whether cutting before position i would separate an escaping backslash from its character. */
function splitsEscape(s: string, i: number): boolean {
  let slashes = 0;
  while (i - 1 - slashes >= 0 && s[i - 1 - slashes] === '\\') slashes++;
  return slashes % 2 === 1;
}

/**
 * Splits text into pieces of at most `max` characters: at line breaks where possible, then at
 * spaces, never inside a masked link unless the link alone is longer than `max`. Nothing is dropped
 * but the one separator at each cut.
 */
export function splitText(text: string, max: number): string[] {
  return splitAt(text, max, cutPoint);
}
