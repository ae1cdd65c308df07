/**
 * Invisible characters that outside text (feeds, files, chat) must not carry into the store: a
 * terminal obeys ESC sequences and BEL, NUL truncates C strings, and bidi overrides and zero-width
 * spaces make text read differently from what it is (Trojan Source). Joiners (U+200C, U+200D) and
 * the plain marks LRM/RLM stay: scripts and emoji need them and they reorder nothing.
 */

/** Bidi embeddings, overrides and isolates, zero-width spaces and the BOM. */
export const HIDDEN_FORMAT = /[\u200B\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

// ESC or C1 sequences: CSI … final byte, OSC/DCS/PM/APC … terminator, or ESC plus one character.
// An unterminated string sequence loses only its introducer: the text after it is kept.
const ESCAPE_SEQUENCE = /(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~]|(?:\u001B[\]P^_]|[\u0090\u009D-\u009F])[^\u0007\u001B\u009C]*(?:\u0007|\u001B\\|\u009C)|\u001B[ -~]?/g;
// Every C0 and C1 control and DEL, except the whitespace ones (tab, line breaks), handled as spaces.
const CONTROL = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g;

/** Text with escape sequences, control characters and hidden format characters removed. */
export function stripControls(s: string): string {
  return s.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(HIDDEN_FORMAT, '');
}

/** Whether anything readable is left once the invisible characters are gone. */
export const hasVisibleText = (s: string): boolean => stripControls(s).trim().length > 0;
