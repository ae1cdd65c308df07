/**
 * DOIs as paperfeed keeps them: lower-case (DOIs are case-insensitive), without a resolver or
 * `doi:` prefix, so one paper's DOI compares equal however a source or a library spelled it.
 */
import { z } from 'zod';

/** Longest DOI accepted; real ones stay well under 200 characters. */
export const DOI_MAX = 300;

// The suffix is any printable text without spaces: control characters (terminal escapes) are no part of a DOI.
// eslint-disable-next-line no-control-regex
const DOI = /^(?:(?:https?:\/\/)?(?:dx\.)?doi\.org\/|doi:\s*)?(10\.\d{4,9}\/[^\s\u0000-\u001f\u007f-\u009f]+)$/i;

/** A DOI in any usual spelling (bare, doi:, resolver URL, percent-encoded), lower-case; undefined otherwise. */
export function normalizeDoi(raw: string): string | undefined {
  let s = raw.trim();
  try {
    // Links carry the DOI percent-encoded (10.1000%2Fabc).
    s = decodeURIComponent(s);
  } catch {
    // A stray % is kept as written.
  }
  const m = DOI.exec(s);
  if (!m) return undefined;
  // Punctuation that ends a sentence or a list is not part of a DOI.
  const doi = m[1]!.toLowerCase().replace(/[.,;]+$/, '');
  return doi.length <= DOI_MAX ? doi : undefined;
}

/** arXiv's own DOIs (DataCite, 10.48550/arXiv.<id>) name an arXiv paper. */
export function arxivIdOfDoi(doi: string): string | undefined {
  const m = /^10\.48550\/arxiv\.(.+)$/i.exec(doi);
  return m ? m[1] : undefined;
}

/** The edge check for a paper's DOI: normalizes a good one, names a bad one. */
export const doiSchema = z.string().transform((raw, ctx) => {
  const doi = normalizeDoi(raw);
  if (doi === undefined) {
    ctx.addIssue({ code: 'custom', message: `doi ${JSON.stringify(raw.slice(0, 80))} is not a DOI (expected 10.<registrant>/<suffix>)` });
    return z.NEVER;
  }
  return doi;
});

/**
 * The DOI of a feed's metadata field. arXiv's field sometimes lists several DOIs separated by
 * spaces (a paper and its erratum); the first is the paper's. A field holding no DOI is left out
 * rather than costing the paper: the rest of the record is still good.
 */
export function firstDoi(field: string | null | undefined): string | undefined {
  if (!field) return undefined;
  for (const word of field.split(/\s+/)) {
    const doi = normalizeDoi(word);
    if (doi) return doi;
  }
  return undefined;
}
