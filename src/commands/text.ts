// A Reply as plain text: the CLI's rendering, and a fallback for any platform.
import { ACTION_LABELS } from './actions.ts';
import { convertMarkup } from './markup.ts';
import type { PaperCard, Reply } from './reply.ts';

/** Markdown-lite to plain text: **bold** and _italic_ marks dropped, [label](url) → label <url>, escapes undone. */
export function plainText(s: string): string {
  const convert = (m: string) =>
    m
      .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 <$2>')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, '$1$2');
  return convertMarkup(s, convert, (c) => c);
}

export function cardText(c: PaperCard, n: number): string {
  const meta = [c.paperId, c.date, c.authors].filter(Boolean).join(' · ');
  const lines = [`${String(n).padStart(2)}. ${c.title}`, `    ${meta}`, `    ${c.url}`];
  if (c.tldr) lines.push(`    tl;dr: ${c.tldr}`);
  if (c.why.length) lines.push(`    why: ${c.why.join('; ')}`);
  return lines.join('\n');
}

export function replyText(r: Reply): string {
  const parts = [plainText(r.text)];
  r.cards.forEach((c, i) => parts.push(cardText(c, i + 1)));
  if (r.cards.length && r.cards[0]!.actions.length) {
    const names = r.cards[0]!.actions.map((a) => ACTION_LABELS[a].label.toLowerCase()).join(', ');
    parts.push(`(buttons in chat: ${names}; here: \`similar <id>\`, \`why <id>\`)`);
  }
  return parts.join('\n\n');
}
