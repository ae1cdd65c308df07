/**
 * Text from papers, users and feeds on a terminal: a control character is shown, never obeyed.
 * C0 controls become their Unicode control pictures (ESC as ␛), C1 controls and hidden format
 * characters a visible <U+XXXX>; line breaks and tabs stay, our own output's only controls.
 */
import { HIDDEN_FORMAT } from './papers/clean-text.ts';

const UNSAFE = new RegExp(`[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|${HIDDEN_FORMAT.source}`, 'g');

const JSON_UNSAFE = new RegExp(`[\\u007F-\\u009F\\u2028\\u2029]|${HIDDEN_FORMAT.source}`, 'g');

const codePoint = (c: string): string => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;

function shown(c: string): string {
  const n = c.codePointAt(0)!;
  if (n < 0x20) return String.fromCodePoint(0x2400 + n);
  if (n === 0x7f) return '\u2421';
  return codePoint(c);
}

/** Text safe to write to a terminal: every control but \n and \t made visible. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, shown);
}

/**
 * JSON safe to write to a terminal. JSON.stringify escapes C0 controls but leaves C1 controls
 * (U+009B is a CSI to some terminals), bidi overrides and line separators raw; these can only
 * occur inside strings, where \uXXXX means the same character.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes one line of output (results to stdout, messages to stderr) made terminal-safe. */
export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  const safe = terminalSafe(text);
  stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}
