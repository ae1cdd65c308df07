/**
 * arXiv's OAI-PMH interface, the way to harvest a whole set over a date range:
 * `GET {base}?verb=ListRecords&metadataPrefix=arXiv&set=cs&from=…&until=…`, then
 * `?verb=ListRecords&resumptionToken=…` until the token comes back empty. Each page is one chunk,
 * and its position is the token of the next page, so a harvest resumes where it stopped.
 *
 * A 503 with Retry-After (arXiv's flow control) is waited out by the HTTP client, capped. OAI
 * errors come as `<error code="…">`: noRecordsMatch is an empty harvest; any other is a failure.
 */
import { z } from 'zod';
import { firstDoi } from '../papers/doi.ts';
import { parseArxivId } from '../papers/ids.ts';
import { describeFilter, passesFilter, type ArxivFilter } from './arxiv-filter.ts';
import { dateOfIso } from './dates.ts';
import type { HttpClient } from './http.ts';
import type { PaperSource, SourceBatch, SourceChunk } from './source.ts';
import { addPaper, collapseSpaces, emptyBatch, issue } from './validate.ts';
import { attrOf, listOf, nodeOf, parseXml, textOf, type XmlNode } from './xml.ts';

export interface OaiHarvest {
  /** An OAI set: cs, math, physics:hep-th … */
  set?: string;
  /** YYYY-MM-DD datestamps (when a record last changed), inclusive. */
  from?: string;
  until?: string;
}

export interface OaiPage {
  batch: SourceBatch;
  /** Records the filter left out. */
  filtered: number;
  /** The token of the next page; undefined on the last page. */
  token?: string;
  /** How many records the whole list holds, and how many came before this page. */
  completeListSize?: number;
  cursor?: number;
  records: number;
}

/** The OAI error that fails the harvest (as opposed to noRecordsMatch, an empty result). */
export class OaiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OaiError';
  }
}

export function oaiListUrl(base: string, harvest: OaiHarvest, token?: string): string {
  const params = new URLSearchParams({ verb: 'ListRecords' });
  if (token) params.set('resumptionToken', token);
  else {
    params.set('metadataPrefix', 'arXiv');
    if (harvest.set) params.set('set', harvest.set);
    if (harvest.from) params.set('from', harvest.from);
    if (harvest.until) params.set('until', harvest.until);
  }
  return `${base}?${params}`;
}

/** One ListRecords response; throws OaiError for an OAI error other than noRecordsMatch, or a page that is not OAI-PMH. */
export function parseOaiPage(text: string, where: string, filter: ArxivFilter = {}): OaiPage {
  const parsed = parseXml(text);
  if ('error' in parsed) throw new OaiError('badXml', `${where}: ${parsed.error}`);
  const root = nodeOf(parsed.doc['OAI-PMH']);
  if (!root) throw new OaiError('badXml', `${where}: not an OAI-PMH response (no <OAI-PMH> element)`);
  const errors = listOf(root.error);
  if (errors.length) {
    const code = attrOf(errors[0], 'code') ?? 'unknown';
    if (code === 'noRecordsMatch') return { batch: emptyBatch(), filtered: 0, records: 0 };
    const message = collapseSpaces(textOf(errors[0]) ?? '');
    throw new OaiError(code, `${where}: OAI-PMH error ${code}${message ? `: ${message}` : ''}`);
  }
  const list = nodeOf(root.ListRecords);
  if (!list) throw new OaiError('badXml', `${where}: no <ListRecords> in the response`);

  const batch = emptyBatch();
  let filtered = 0;
  const records = listOf(list.record);
  records.forEach((raw, i) => {
    const record = nodeOf(raw);
    const header = nodeOf(record?.header);
    const itemWhere = `${where}#record ${i + 1}${header ? ` (${textOf(header.identifier) ?? 'no identifier'})` : ''}`;
    // Withdrawn records keep a header with status="deleted" and no metadata: nothing to store.
    if (header && attrOf(header, 'status') === 'deleted') return;
    const meta = nodeOf(nodeOf(record?.metadata)?.arXiv);
    if (!meta) return void batch.issues.push(issue(itemWhere, 'record has no arXiv metadata'));
    const fields = recordFields(meta);
    if (!passesFilter(filter, fields.categories ?? [], fields.published)) filtered++;
    else addPaper(batch, fields, itemWhere);
  });
  const tokenNode = list.resumptionToken;
  const token = textOf(tokenNode)?.trim();
  const number = (name: string): number | undefined => {
    const n = Number(attrOf(tokenNode, name));
    return attrOf(tokenNode, name) !== undefined && Number.isFinite(n) ? n : undefined;
  };
  return { batch, filtered, token: token || undefined, completeListSize: number('completeListSize'), cursor: number('cursor'), records: records.length };
}

interface RecordFields extends Record<string, unknown> {
  categories?: string[];
  published?: string;
}

function recordFields(meta: XmlNode): RecordFields {
  const id = textOf(meta.id)?.trim() ?? '';
  const categories = (textOf(meta.categories) ?? '').split(/\s+/).filter(Boolean);
  const created = textOf(meta.created);
  const authors = listOf(nodeOf(meta.authors)?.author)
    .map((a) => {
      const node = nodeOf(a);
      return collapseSpaces([node?.forenames, node?.keyname, node?.suffix].map((v) => textOf(v) ?? '').join(' '));
    })
    .filter(Boolean);
  return {
    rawId: parseArxivId(id) ?? (id || undefined),
    title: collapseSpaces(textOf(meta.title) ?? ''),
    abstract: collapseSpaces(textOf(meta.abstract) ?? ''),
    authors: authors.length ? authors : undefined,
    // <created> is the v1 submission date, the paper's publication.
    published: created ? dateOfIso(created) : undefined,
    categories: categories.length ? categories : undefined,
    doi: firstDoi(textOf(meta.doi)),
    source: 'arxiv-oai',
  };
}

const positionSchema = z.object({ token: z.string().min(1), cursor: z.number().int().nonnegative().optional() });

export interface ArxivOaiSourceOptions extends OaiHarvest {
  baseUrl: string;
  http: HttpClient;
  filter?: ArxivFilter;
}

export function arxivOaiSource(options: ArxivOaiSourceOptions): PaperSource {
  const { set, from, until } = options;
  const harvest = `set=${set ?? '*'}&from=${from ?? ''}&until=${until ?? ''}`;
  const filters = describeFilter(options.filter ?? {});
  return {
    name: `arxiv-oai:${set ?? 'all'}${from ? ` from ${from}` : ''}${until ? ` until ${until}` : ''}`,
    resumeKey: `oai:${options.baseUrl}|${harvest}${filters ? `|${filters}` : ''}`,
    async *read(position): AsyncGenerator<SourceChunk> {
      const resumed = positionSchema.safeParse(position).data;
      let token = resumed?.token;
      let done = resumed?.cursor ?? 0;
      do {
        const url = oaiListUrl(options.baseUrl, options, token);
        let page: OaiPage;
        try {
          page = parseOaiPage(await options.http.getText(url), url, options.filter);
        } catch (error) {
          if (error instanceof OaiError && error.code === 'badResumptionToken' && token === resumed?.token) {
            error.message += ' (the recorded resumption token has expired: run again with --restart, or with --from set to where it stopped)';
          }
          throw error;
        }
        done = (page.cursor ?? done) + page.records;
        token = page.token;
        yield {
          ...page.batch,
          filtered: page.filtered,
          position: token ? { token, cursor: done } : undefined,
          progress: { done, total: page.completeListSize, unit: 'records' },
        };
      } while (token);
    },
  };
}
