/**
 * Reply text is markdown-lite: **bold**, _italic_, `code` and [label](url) are ours, and `\x`
 * (a backslash before ASCII punctuation) is a literal x. Everything that comes from papers, users
 * or feeds enters a reply through `literal`, so no markup in it can take effect on any platform;
 * each adapter converts the markup with `convertMarkup` and renders the escaped characters in its
 * own literal form.
 */

// What any target reads as markup inside a line: styles, links (a label needs its brackets),
// spoilers and Slack's link separator, <…> mentions and links, @everyone. (& is Slack's own escape.)
const SPECIAL = /[\\`*_~[\]<>|@]/g;
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
// Private-use marks standing in for escaped characters while the markup is converted.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const HOLE = /\uE000(\d+)\uE001/g;

/** Data as literal markdown-lite text: every markup character escaped. */
export function literal(s: string): string {
  return s.replace(/[\uE000\uE001]/g, '').replace(SPECIAL, '\\$&');
}

/**
 * Converts markdown-lite with `convert`, which never sees an escaped character (so `\*` cannot
 * open bold, `\[` cannot open a link), then puts each escaped character back as `show` renders it.
 */
export function convertMarkup(text: string, convert: (markup: string) => string, show: (c: string) => string): string {
  const held: string[] = [];
  const hidden = text.replace(/[\uE000\uE001]/g, '').replace(ESCAPE, (_m, c: string) => `${OPEN}${held.push(c) - 1}${CLOSE}`);
  return convert(hidden).replace(HOLE, (_m, i: string) => show(held[Number(i)]!));
}
