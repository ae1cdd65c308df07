import type { Paper } from './paper.ts';

/** "A, B, C +4 more": the first few authors and how many were left out. */
export function authorsLine(p: Pick<Paper, 'authors' | 'authorCount'>, max = 3): string {
  if (p.authors.length === 0) return p.authorCount ? `${p.authorCount} authors` : '';
  const shown = p.authors.slice(0, max).join(', ');
  const total = Math.max(p.authors.length, p.authorCount ?? 0);
  return total > max ? `${shown} +${total - max} more` : shown;
}
