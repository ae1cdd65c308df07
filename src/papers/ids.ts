import { createHash } from 'node:crypto';

// New-style arXiv ids: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015-), optional version.
const NEW_ID = /^(\d{4}\.\d{4,5})(v\d+)?$/;
// Old-style ids: archive(.SUBJ)/YYMMNNN, e.g. hep-th/9901001 or math.GT/0309136.
const OLD_ID = /^([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

const URL_ID = new RegExp(
  String.raw`^https?://(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|hf\.co/papers|alphaxiv\.org/abs)/` +
    String.raw`([a-z-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(v\d+)?(?:\.pdf)?/?(?:[?#].*)?$`,
);

/**
 * The arXiv id without version for anything that names one: `2401.12345`, `2401.12345v3`,
 * `arXiv:2401.12345`, abs/pdf/HF paper URLs, `hep-th/9901001`. Undefined when it names none.
 */
export function parseArxivId(raw: string): string | undefined {
  const s = raw.trim().replace(/^arxiv:\s*/i, '');
  const url = URL_ID.exec(s);
  if (url) return url[1];
  const m = NEW_ID.exec(s) ?? OLD_ID.exec(s);
  return m ? m[1] : undefined;
}

/** Lowercase, strip accents, punctuation and extra spaces: two spellings of one title compare equal. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Stable id for a paper without an arXiv id: a hash of its normalized title. */
export function titleId(title: string): string {
  return 't-' + createHash('sha256').update(normalizeTitle(title)).digest('hex').slice(0, 16);
}

export function absUrlFor(arxivId: string): string {
  return `https://arxiv.org/abs/${arxivId}`;
}

export function pdfUrlFor(arxivId: string): string {
  return `https://arxiv.org/pdf/${arxivId}`;
}
