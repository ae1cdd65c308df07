/**
 * LaTeX in BibTeX field values to plain Unicode: accents ({\"o}, \'e, \v{c}, {\ss}), escaped
 * characters, dashes, ties, font commands and grouping braces. Enough for titles and abstracts;
 * math is kept as its source text without the dollars.
 */

// Accent commands and the combining mark each one puts on the next letter.
const ACCENTS: Record<string, string> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  u: '\u0306', v: '\u030c', H: '\u030b', c: '\u0327', k: '\u0328', r: '\u030a', d: '\u0323', b: '\u0331',
};

// Commands that stand for a letter.
const LETTERS: Record<string, string> = {
  ss: 'ß', o: 'ø', O: 'Ø', aa: 'å', AA: 'Å', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ',
};

const ESCAPED = '&%$#_{}';

const letter = (s: string): string => (s === '\\i' ? 'i' : s === '\\j' ? 'j' : s);

export function latexToText(s: string): string {
  return (
    s
      // Symbol accents: \"o, \"{o}, {\"o}, \'{\i}.
      .replace(/\\(['`^"~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))/g, (_m, cmd: string, a?: string, b?: string) =>
        letter((a ?? b)!) + ACCENTS[cmd]!,
      )
      // Letter accents need a brace or a space: \v{c}, \c c.
      .replace(/\\([uvHckrdb])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))/g, (_m, cmd: string, a?: string, b?: string) =>
        letter((a ?? b)!) + ACCENTS[cmd]!,
      )
      .replace(/\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\})?\s?/g, (_m, cmd: string) => LETTERS[cmd]!)
      // Escaped characters wait behind placeholders until braces and dollars are gone.
      .replace(/\\([&%$#_{}])/g, (_m, c: string) => String.fromCharCode(0xe000 + ESCAPED.indexOf(c)))
      .replace(/\\(?:textendash|textemdash)\b\s?/g, (m) => (m.includes('em') ? '—' : '–'))
      .replace(/---/g, '—')
      .replace(/--/g, '–')
      .replace(/\\(?:ldots|dots)\b\s?/g, '…')
      // A command with an argument (\emph{x}, \textbf{x}) goes and its argument stays; one without
      // (\alpha, \LaTeX) keeps its name as a word.
      .replace(/\\[A-Za-z]+\*?\s*(?=\{)/g, '')
      .replace(/\\([A-Za-z]+)\*?/g, '$1')
      .replace(/\\\\/g, ' ')
      .replace(/(?<!\\)~/g, ' ')
      .replace(/(?<!\\)\$/g, '')
      .replace(/[{}]/g, '')
      .replace(/[\ue000-\ue006]/g, (c) => ESCAPED[c.charCodeAt(0) - 0xe000]!)
      .normalize('NFC')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
