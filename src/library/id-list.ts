/**
 * A plain list of papers, one per line or separated by spaces or commas: arXiv ids in any form
 * (2401.12345v2, arXiv:2401.12345, abs/pdf/Hugging Face links), DOIs (bare, doi:, doi.org links).
 * Lines starting with '#' are comments.
 */
import { parseArxivId } from '../papers/ids.ts';
import { arxivIdOfDoi, normalizeDoi } from '../papers/doi.ts';
import { LIBRARY_LIMITS, type ParsedLibrary } from './entry.ts';

export function parseIdList(input: string): ParsedLibrary {
  const out: ParsedLibrary = { format: 'list', entries: [], skipped: [] };
  const lines = input.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim().startsWith('#')) continue;
    for (const token of line.split(/[\s,;]+/).filter(Boolean)) {
      const word = token.replace(/^[<(["']+|[>)\]"'.]+$/g, '');
      const where = `line ${i + 1} (${word.slice(0, 80)})`;
      if (out.entries.length + out.skipped.length >= LIBRARY_LIMITS.entries) {
        out.skipped.push({ where: `line ${i + 1} onwards`, reason: `an import reads at most ${LIBRARY_LIMITS.entries} entries` });
        return out;
      }
      const arxivId = parseArxivId(word);
      const doi = arxivId ? undefined : normalizeDoi(word);
      const viaDoi = doi && arxivIdOfDoi(doi) ? parseArxivId(arxivIdOfDoi(doi)!) : undefined;
      if (arxivId || viaDoi) out.entries.push({ where, arxivId: (arxivId ?? viaDoi)!, ...(doi ? { doi } : {}) });
      else if (doi) out.entries.push({ where, doi });
      else if (/^https?:\/\//i.test(word)) out.skipped.push({ where, reason: 'a link that names no arXiv paper or DOI' });
      else out.skipped.push({ where, reason: 'not an arXiv id, DOI or link' });
    }
  }
  return out;
}
