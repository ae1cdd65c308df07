/**
 * RIS (Zotero, EndNote, Mendeley, publishers): `XX  - value` lines, TY opens a record and ER closes
 * it. Lines without a tag continue the previous field (wrapped abstracts).
 */
import { parseArxivId } from '../papers/ids.ts';
import { arxivIdOfDoi, normalizeDoi } from '../papers/doi.ts';
import { keepOrSkip, LIBRARY_LIMITS, type LibraryEntry, type ParsedLibrary } from './entry.ts';

const TAG = /^([A-Z][A-Z0-9])  -(?: (.*))?$/;

const TITLE_TAGS = ['TI', 'T1', 'CT', 'BT'];
const ABSTRACT_TAGS = ['AB', 'N2'];
const URL_TAGS = ['UR', 'L1', 'L2', 'LK'];

export function parseRis(input: string): ParsedLibrary {
  const out: ParsedLibrary = { format: 'ris', entries: [], skipped: [] };
  let record: { start: number; fields: Map<string, string[]> } | undefined;
  let last: string[] | undefined;
  let n = 0;
  const finish = (): void => {
    if (!record) return;
    n++;
    if (n <= LIBRARY_LIMITS.entries) keepOrSkip(`record ${n} (line ${record.start})`, entryOf(record.fields), out);
    record = undefined;
    last = undefined;
  };
  input.split(/\r?\n/).forEach((line, i) => {
    const m = TAG.exec(line.trimEnd());
    if (!m) {
      // A wrapped line goes on with the previous field; anything else outside a record is ignored.
      if (record && last && line.trim()) last[last.length - 1] += ` ${line.trim()}`;
      return;
    }
    const [, tag, value = ''] = m;
    if (tag === 'TY') {
      if (record) out.skipped.push({ where: `record ${++n} (line ${record.start})`, reason: `it has no ER line before the next TY at line ${i + 1}` });
      record = { start: i + 1, fields: new Map() };
      last = undefined;
      return;
    }
    if (tag === 'ER') return finish();
    if (!record) {
      out.skipped.push({ where: `line ${i + 1}`, reason: `tag ${tag} outside a record (a record starts with TY)` });
      return;
    }
    const values = record.fields.get(tag!) ?? [];
    values.push(value.trim());
    record.fields.set(tag!, values);
    last = values;
  });
  if (record) out.skipped.push({ where: `record ${n + 1} (line ${record.start})`, reason: 'the file ends before its ER line' });
  if (n > LIBRARY_LIMITS.entries) out.skipped.push({ where: `records ${LIBRARY_LIMITS.entries + 1}-${n}`, reason: `an import reads at most ${LIBRARY_LIMITS.entries} entries` });
  return out;
}

function entryOf(f: Map<string, string[]>): Omit<LibraryEntry, 'where'> {
  const first = (tags: string[]): string | undefined => tags.map((t) => f.get(t)?.[0]).find((v) => v);
  const doi = f.get('DO')?.map(normalizeDoi).find(Boolean);
  const urls = URL_TAGS.flatMap((t) => f.get(t) ?? []);
  const arxivId =
    urls.map(parseArxivId).find(Boolean) ??
    (doi && arxivIdOfDoi(doi) ? parseArxivId(arxivIdOfDoi(doi)!) : undefined) ??
    [...(f.get('M1') ?? []), ...(f.get('SN') ?? []), ...(f.get('AN') ?? [])].map(parseArxivId).find(Boolean);
  return { title: first(TITLE_TAGS), abstract: first(ABSTRACT_TAGS), arxivId, doi, url: urls[0] };
}
