/**
 * arXiv's per-category RSS 2.0 feed of the latest announcements (`GET {base}/rss/cs.LG`, several
 * categories joined by "+"), in its 2024+ format: the description reads
 * "arXiv:2401.12345v1 Announce Type: new \nAbstract: …", authors come as one dc:creator "A, B and C".
 *
 * Announce types: "new" and "cross" (a cross-list of a new paper) are that day's papers;
 * "replace" and "replace-cross" are new versions of older papers. Those are kept (they merge by
 * arXiv id and may add a category) but get no publication date, since the feed's date is the
 * announcement of the revision, not of the paper.
 */
import { parseArxivId } from '../papers/ids.ts';
import type { PaperSource, SourceBatch } from './source.ts';
import { dateOfRfc822 } from './dates.ts';
import type { HttpClient } from './http.ts';
import { addPaper, collapseSpaces, emptyBatch, issue } from './validate.ts';
import { listOf, nodeOf, parseXml, textOf, type XmlNode } from './xml.ts';

const DESCRIPTION = /^\s*arXiv:(\S+)\s+Announce Type:\s*([\w-]+)\s*(?:Abstract:)?\s*([\s\S]*)$/i;

export function parseArxivRss(text: string, where: string): SourceBatch {
  const batch = emptyBatch();
  const parsed = parseXml(text);
  if ('error' in parsed) {
    batch.issues.push(issue(where, parsed.error));
    return batch;
  }
  const channel = nodeOf(nodeOf(parsed.doc.rss)?.channel);
  if (!channel) {
    batch.issues.push(issue(where, 'not an RSS feed (no <rss><channel>)'));
    return batch;
  }
  // A day without announcements (weekends) is an empty channel, which is not a problem.
  listOf(channel.item).forEach((raw, i) => {
    const itemWhere = `${where}#item ${i + 1}`;
    const item = nodeOf(raw);
    if (!item) batch.issues.push(issue(itemWhere, 'item is empty'));
    else addPaper(batch, itemFields(item), itemWhere);
  });
  return batch;
}

function itemFields(item: XmlNode): Record<string, unknown> {
  const description = textOf(item.description) ?? '';
  const described = DESCRIPTION.exec(description);
  const announceType = (textOf(item.announce_type) ?? described?.[2] ?? 'new').trim().toLowerCase();
  const link = textOf(listOf(item.link)[0])?.trim();
  const guid = textOf(item.guid)?.trim().replace(/^oai:arXiv\.org:/i, '');
  const rawId =
    (link && parseArxivId(link)) || (described && parseArxivId(described[1]!)) || (guid && parseArxivId(guid)) || link;
  const pubDate = textOf(item.pubDate);
  const isRevision = announceType.startsWith('replace');
  return {
    rawId,
    title: collapseSpaces(textOf(item.title) ?? ''),
    abstract: collapseSpaces(described ? described[3]! : description),
    authors: splitAuthors(textOf(item.creator) ?? ''),
    absUrl: link || undefined,
    published: pubDate && !isRevision ? dateOfRfc822(pubDate) : undefined,
    categories: unique(listOf(item.category).map((c) => collapseSpaces(textOf(c) ?? ''))),
    source: 'arxiv-rss',
  };
}

/** "A, B and C", "A, B, and C", "A and B", "A". */
export function splitAuthors(creator: string): string[] | undefined {
  const names = collapseSpaces(creator)
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length ? names : undefined;
}

function unique(values: string[]): string[] | undefined {
  const kept = values.filter(Boolean);
  return kept.length ? [...new Set(kept)] : undefined;
}

export function arxivRssUrl(base: string, categories: string[]): string {
  return `${base.replace(/\/+$/, '')}/rss/${categories.join('+')}`;
}

export interface ArxivRssSourceOptions {
  baseUrl: string;
  categories: string[];
  http: HttpClient;
}

export function arxivRssSource(options: ArxivRssSourceOptions): PaperSource {
  const url = arxivRssUrl(options.baseUrl, options.categories);
  return {
    name: `arxiv-rss:${options.categories.join('+')}`,
    async *read() {
      yield parseArxivRss(await options.http.getText(url), url);
    },
  };
}
