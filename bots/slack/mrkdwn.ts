import { convertMarkup } from '../../src/commands/markup.ts';
import { splitText as splitAt } from '../../src/commands/split-text.ts';
// Text in and out of Slack: our markdown-lite to Slack mrkdwn, and Slack's message markup to plain text.

/** Slack's three control characters; escaping them also defuses <!channel> and <@U…> in echoed text. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from papers, users or feeds as literal mrkdwn. Slack has no escape for its style marks
 * (* _ ~ `): a mark opens or closes a style only beside a space, punctuation or the text's end,
 * so a zero-width space on each side leaves it a plain character that still reads the same.
 * Text objects are also sent with verbatim: true, so no @channel, #channel or bare URL in the
 * text is turned into a mention or a link.
 */
export function literalMrkdwn(s: string): string {
  return escapeMrkdwn(s).replace(/[*_~`]/g, '\u200B$&\u200B');
}

/** A URL safe inside <url|label>: only http(s), with the link syntax characters encoded. */
export function linkUrl(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C').replace(/ /g, '%20').replace(/&/g, '&amp;');
}

/** <url|label> (literal label), or the literal label alone when the URL is not http(s). */
export function link(url: string, label: string): string {
  const u = linkUrl(url);
  return u ? `<${u}|${literalMrkdwn(label)}>` : literalMrkdwn(label);
}

/** Markdown-lite (**bold**, _italic_, `code`, [label](url)) to Slack mrkdwn, escaped characters literal. */
export function toMrkdwn(text: string): string {
  return convertMarkup(text, markupToMrkdwn, literalMrkdwn);
}

function markupToMrkdwn(text: string): string {
  const links: string[] = [];
  // Links first, kept aside so escaping does not touch their syntax.
  const withMarkers = text.replace(/\[([^\]\n]+)\]\((https?:[^)\s]+)\)/g, (_m, label: string, url: string) => {
    links.push(link(url, label));
    return `\u0000${links.length - 1}\u0000`;
  });
  return escapeMrkdwn(withMarkers)
    .replace(/\*\*([^*\n]+)\*\*/g, '*$1*')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => links[Number(i)]!);
}

/**
 * Slack message text to what the user typed: <https://x|label> and <https://x> become the URL,
 * <@U123> / <#C123|name> become readable, and the escapes are undone. Nothing is fetched.
 */
export function slackToPlain(text: string): string {
  return text
    .replace(/<(https?:[^>|]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<mailto:([^>|]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!([a-z]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Drops a leading "<@UBOT>" (an app mention) from message text. */
export function stripMention(text: string, botUserId?: string): string {
  const mention = botUserId ? new RegExp(`^\\s*<@${botUserId}(?:\\|[^>]*)?>[\\s:,]*`) : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*/;
  return text.replace(mention, '');
}

/** Whether position i of mrkdwn falls inside a <link|label> or an &entity; (no cut there). */
function insideMarkup(s: string, i: number): boolean {
  const open = s.lastIndexOf('<', i - 1);
  if (open >= 0 && s.indexOf('>', open) >= i) return true;
  const amp = s.lastIndexOf('&', i - 1);
  return amp >= 0 && /^&[a-z]*$/.test(s.slice(amp, i));
}

function cutPoint(s: string, max: number): number {
  for (const sep of ['\n', ' ']) {
    for (let cut = s.lastIndexOf(sep, max); cut > 0; cut = s.lastIndexOf(sep, cut - 1)) {
      if (!insideMarkup(s, cut)) return cut;
    }
  }
  // One unbroken run longer than max: cut inside it, but not inside an &entity; or a literal mark.
  const amp = s.lastIndexOf('&', max - 1);
  if (amp > 0 && max - amp < 6 && !s.slice(amp, max).includes(';')) return amp;
  for (const start of [max - 1, max - 2]) if (start > 0 && LITERAL_MARK.test(s.slice(start, start + 3))) return start;
  return max;
}

/** A style mark made literal by literalMrkdwn: never cut apart. */
const LITERAL_MARK = /^\u200B[*_~`]\u200B$/;

/**
 * Splits (mrkdwn) text into pieces of at most `max` characters, at line breaks where possible,
 * then at spaces, never inside a link or an escape, and inside a word only when one word is longer
 * than `max`. Nothing is dropped.
 */
export function splitText(text: string, max: number): string[] {
  return splitAt(text, max, cutPoint);
}
